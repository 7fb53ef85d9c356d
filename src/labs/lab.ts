// A lab is the teaching unit: a few routes, the switches that make them slow or wrong, the data
// they read, and what a reset puts back. The server knows labs only through this interface and
// the list in src/labs/list.ts: the app mounts each router, a reset asks each lab, and the
// start's cleanup stack closes each. A lab's own lab.ts meets the interface by its shape and
// imports nothing from here, so the arrows run one way: labs/ -> each lab's folder.
import type { Database } from "better-sqlite3";
import type { Router } from "express";
import type { CleanupStack } from "../cleanup-stack.js";
import type { Config } from "../config.js";
import type { Logger } from "../observe/log.js";
import type { ServerMetrics } from "../observe/metrics.js";
import type { Switches, SwitchName } from "../switches.js";

export interface Lab {
  /** As in SWITCHES' `lab` column and the reset's report. */
  readonly name: string;
  /** Its routes; the app mounts the routers in the list's order. */
  readonly router: Router;
  /** The switches this lab teaches. */
  readonly switches: readonly SwitchName[];
  /**
   * POST /admin/reset: puts back what the lab keeps (rows, a cache). `report` goes in the
   * reset's answer under the lab's name; `line` in its log line.
   */
  reset?(): { report: unknown; line: string };
  /** Stops what it started (thread pools), after the server has drained. */
  close?(): Promise<void> | void;
}

/** What a lab is started with: the server's shared parts. */
export interface LabParts {
  config: Config;
  db: Database;
  switches: Switches;
  log: Logger;
  metrics: ServerMetrics;
  /** Each lab's close() goes on it as soon as the lab has started. */
  cleanup: CleanupStack;
}
