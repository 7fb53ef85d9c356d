// A lab is the teaching unit: a few routes, the switches that make them slow or wrong, the data
// they read, what a reset puts back, its own metrics and its lines in the start-up banner. The
// server knows labs only through this interface and the list in src/labs/list.ts: the app
// mounts each router, a reset asks each lab, the banner prints each lab's lines, and the
// start's cleanup stack closes each. A lab's own lab.ts meets the interface by its shape and
// imports nothing from here, so the arrows run one way: labs/ -> each lab's folder.
import type { Database } from "better-sqlite3";
import type { Router } from "express";
import type { Registry } from "prom-client";
import type { CleanupStack } from "../cleanup-stack.js";
import type { Config } from "../config.js";
import type { DigitsStart } from "../digits/lab.js";
import type { Logger } from "../observe/log.js";
import type { Switches, SwitchName } from "../switches.js";

/** What a lab says in the start-up banner, below the database line. */
export interface LabBanner {
  /** Whole lines, each starting with two spaces and a label padded to the banner's column. */
  bannerLines?(url: string): string[];
}

export interface Lab extends LabBanner {
  /** As in SWITCHES' `lab` column and the reset's report. */
  readonly name: string;
  /** Its routes; the app mounts the routers in the list's order. */
  readonly router: Router;
  /**
   * The first segments its routes start with ("/api" for /api/id/:id): the app hands the
   * router only requests under them, so no request walks another lab's routes on its way
   * (src/mount-paths.ts). Absent: every request that no router before it answered.
   */
  readonly paths?: readonly string[];
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
  /** The server's Prometheus registry: a lab registers its own counters on it as it starts. */
  registry: Registry;
  /** Each lab's close() goes on it as soon as the lab has started. */
  cleanup: CleanupStack;
}

/** What this start's first-start step did (the model trained, how to train): only digits reads it. */
export type LabStart = DigitsStart;

/**
 * One entry of the list: how a lab starts, and, for a process that prints the banner without
 * starting any lab (the WORKERS supervisor: its workers start them), how the lab describes
 * itself from the config and the first start. A lab with banner lines gives both from one
 * function of its own, so the two banners cannot differ.
 */
export interface LabModule {
  start(parts: LabParts, start: LabStart): Lab;
  describe?(config: Config, start: LabStart, log: Logger): LabBanner;
}
