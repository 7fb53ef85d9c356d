// Builds the Express app from the feature routers. No listening here: src/start.ts does that.
import type { Database } from "better-sqlite3";
import cookieParser from "cookie-parser";
import express, { type Express } from "express";
import { adminRouter } from "./admin/routes.js";
import type { CpuPool } from "./bench/cpu-pool.js";
import { benchRouter } from "./bench/routes.js";
import type { Config } from "./config.js";
import { errorHandler, notFoundHandler } from "./error-handler.js";
import { FestQueries } from "./fest/queries.js";
import { festRouter } from "./fest/routes.js";
import type { Logger } from "./observe/log.js";
import { type LabMetrics, metricsRouter } from "./observe/metrics.js";
import type { ApplySwitch, Switches } from "./switches.js";
import { createViews } from "./views.js";

export interface AppParts {
  config: Config;
  db: Database;
  switches: Switches;
  /** The admin page's way to change a switch; see ApplySwitch. */
  applySwitch: ApplySwitch;
  log: Logger;
  sessionSecret: string;
  /** Runs /cpu work off the event loop; stats() for the metrics. Created in src/start.ts. */
  cpuPool: CpuPool;
  metrics: LabMetrics;
}

export function createApp({
  config,
  db,
  switches,
  applySwitch,
  log,
  sessionSecret,
  cpuPool,
  metrics,
}: AppParts): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  app.locals.views = createViews();
  app.locals.mode = config.mode;

  app.use(cookieParser(sessionSecret));
  app.use((_req, res, next) => {
    res.locals.mode = config.mode;
    res.locals.switchesOn = switches.enabled();
    next();
  });

  // The bench routes first: they need none of the fest router's body parsing or session.
  app.use(benchRouter(switches, cpuPool));
  app.use(metricsRouter(metrics));
  app.use(adminRouter({ switches, applySwitch, adminToken: config.adminToken }));
  app.use(festRouter(new FestQueries(db), switches));

  app.use(notFoundHandler);
  app.use(errorHandler(log));
  return app;
}
