// Builds the Express app from the feature routers. No listening here: src/start.ts does that.
import type { Database } from "better-sqlite3";
import cookieParser from "cookie-parser";
import express, { type Express } from "express";
import { adminRouter } from "./admin/routes.js";
import type { CpuPool } from "./bench/cpu-pool.js";
import { benchRouter } from "./bench/routes.js";
import { NaiveCatalogue } from "./catalogue/naive.js";
import { CatalogueQueries } from "./catalogue/queries.js";
import { catalogueRouter } from "./catalogue/routes.js";
import type { Config } from "./config.js";
import { errorHandler, notFoundHandler } from "./error-handler.js";
import { NaiveQueries } from "./fest/naive.js";
import { FestQueries } from "./fest/queries.js";
import { festRouter } from "./fest/routes.js";
import type { Logger } from "./observe/log.js";
import { type LabMetrics, metricsRouter } from "./observe/metrics.js";
import type { Switches } from "./switches.js";
import { createViews } from "./views.js";

export interface AppParts {
  config: Config;
  db: Database;
  switches: Switches;
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
  log,
  sessionSecret,
  cpuPool,
  metrics,
}: AppParts): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  // nunjucks is Express's view engine: routes call res.render (through sendPage). The cache
  // keeps Express from looking each view up again on every request outside production.
  createViews().express(app);
  app.set("view cache", true);

  app.use(cookieParser(sessionSecret));
  app.use((_req, res, next) => {
    res.locals.mode = config.mode;
    res.locals.switchesOn = switches.enabled();
    next();
  });

  // The bench routes first: they need none of the fest router's body parsing or session.
  app.use(benchRouter(switches, cpuPool));
  app.use(metricsRouter(metrics));
  app.use(adminRouter({ switches, adminToken: config.adminToken }));
  app.use(catalogueRouter(new CatalogueQueries(db), new NaiveCatalogue(db), switches, config.mode));
  app.use(festRouter(new FestQueries(db), new NaiveQueries(db), switches));

  app.use(notFoundHandler);
  app.use(errorHandler(log));
  return app;
}
