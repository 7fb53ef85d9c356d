// Builds the Express app: the shared page set-up, the faults, /metrics and /admin, then every
// lab's router in the list's order (src/labs/list.ts), each under its own paths, then the one
// error handler. No listening here: src/start.ts puts the app in the server shell
// (src/connection/).
import type { Express } from "express";
import { adminRouter } from "./admin/routes.js";
import type { Challenges } from "./challenge/challenges.js";
import type { ChallengeProgress } from "./challenge/progress.js";
import type { Config } from "./config.js";
import { errorHandler, notFoundHandler } from "./error-handler.js";
import type { Faults } from "./faults/faults.js";
import type { FaultInjector } from "./faults/inject.js";
import type { Lab } from "./labs/lab.js";
import type { GroupLive, LiveFigures } from "./live/live-figures.js";
import { underPaths } from "./mount-paths.js";
import type { Logger } from "./observe/log.js";
import { metricsRouter, type ServerMetrics } from "./observe/metrics.js";
import { pageApp } from "./page-app.js";
import type { LabReset } from "./reset/lab-reset.js";
import type { ApplyShared } from "./shared-change.js";
import type { ApplySwitch, Switches } from "./switches.js";
import { runCheckRouter } from "./truth/run-check.js";
import type { GroundTruth, TruthReport } from "./truth/truth.js";

export interface AppParts {
  config: Config;
  switches: Switches;
  /** The admin page's way to change a switch; see ApplySwitch. */
  applySwitch: ApplySwitch;
  log: Logger;
  sessionSecret: string;
  /** ADMIN_TOKEN, or the one generated and kept beside the data (src/admin-credential.ts). */
  adminToken: string;
  metrics: ServerMetrics;
  faults: Faults;
  /** Mounted before every router, so a fault acts before a route reads or writes data. */
  faultInjector: FaultInjector;
  truth: GroundTruth;
  /** Faults, hidden state and truth resets, here or in every member of a group (src/group/). */
  applyShared: ApplyShared;
  /** GET /admin/truth: this server's, or its group's added up. */
  truthReport(runId?: string): Promise<TruthReport | undefined>;
  /** POST /admin/reset; built in src/start.ts, which holds every part it puts back. */
  reset: LabReset;
  /** The challenges and the one running; their API is part of the admin's. */
  challenges: Challenges;
  /** Each challenge's progress, in the database (src/challenge/progress.ts). */
  progress: ChallengeProgress;
  /** This server's per-second figures for the live view (src/counters.ts). */
  live: LiveFigures;
  /** In a group: the live view's figures are the group's (src/group/). */
  groupLive?: GroupLive;
  /** In mount order (src/labs/list.ts). */
  labs: readonly Lab[];
}

export function createApp(parts: AppParts): Express {
  const { config, switches, log } = parts;
  const app = pageApp({
    mode: config.mode,
    switches,
    sessionSecret: parts.sessionSecret,
    trustProxy: config.trustProxy,
  });
  app.use(parts.faultInjector.expressHandler);
  // Before the labs: the fest lab parses every body it sees with its own limit, and the admin
  // keeps a smaller one.
  // Each router sees only the requests under its paths (src/mount-paths.ts).
  app.use(underPaths(["/metrics"]), metricsRouter(parts.metrics));
  app.use(
    underPaths(["/admin"]),
    adminRouter({
      ...parts,
    }),
  );
  // A load tool asks whether its run id is fresh before it sends anything.
  app.use(underPaths(["/runs"]), runCheckRouter(parts.truthReport));
  for (const lab of parts.labs) {
    if (lab.paths === undefined) app.use(lab.router);
    else app.use(underPaths(lab.paths), lab.router);
  }
  app.use(notFoundHandler);
  app.use(errorHandler(log));
  return app;
}
