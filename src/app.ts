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
import type { Challenges } from "./challenge/challenges.js";
import type { Config } from "./config.js";
import type { ReadyModel } from "./digits/first-start.js";
import type { Predictor } from "./digits/predictor.js";
import { digitsRouter } from "./digits/routes.js";
import { errorHandler, notFoundHandler } from "./error-handler.js";
import type { Faults } from "./faults/faults.js";
import type { FaultInjector } from "./faults/inject.js";
import { NaiveQueries } from "./fest/naive.js";
import { FestQueries } from "./fest/queries.js";
import { festRouter } from "./fest/routes.js";
import type { Logger } from "./observe/log.js";
import { metricsRouter, type ServerMetrics } from "./observe/metrics.js";
import type { LabReset } from "./reset/lab-reset.js";
import type { ApplyShared } from "./shared-change.js";
import type { ApplySwitch, Switches } from "./switches.js";
import { trustProxyIn } from "./trust-proxy.js";
import type { GroundTruth, TruthReport } from "./truth/truth.js";
import { createViews } from "./views.js";

export interface AppParts {
  config: Config;
  db: Database;
  switches: Switches;
  /** The admin page's way to change a switch; see ApplySwitch. */
  applySwitch: ApplySwitch;
  log: Logger;
  sessionSecret: string;
  /** ADMIN_TOKEN, or the one generated and kept beside the data (src/admin/credential.ts). */
  adminToken: string;
  /** Runs /cpu work off the event loop; stats() for the metrics. Created in src/start.ts. */
  cpuPool: CpuPool;
  metrics: ServerMetrics;
  /** Makes digit predictions as the digits lab's switches say. Created in src/start.ts. */
  predictor: Predictor;
  model: ReadyModel;
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
}

export function createApp(parts: AppParts): Express {
  const { config, db, switches, log } = parts;
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  // TRUST_PROXY: req.ip and req.secure from the proxies it names only.
  trustProxyIn(app, config.trustProxy);
  // nunjucks is Express's view engine: routes call res.render (through sendPage). The cache
  // keeps Express from looking each view up again on every request outside production.
  createViews().express(app);
  app.set("view cache", true);

  app.use(parts.faultInjector.expressHandler);
  app.use(cookieParser(parts.sessionSecret));
  app.use((_req, res, next) => {
    res.locals.mode = config.mode;
    // A running challenge hides which switches it turned on (src/challenge/).
    res.locals.switchesHidden = switches.hiddenBecause;
    res.locals.switchesOn = switches.hiddenBecause === undefined ? switches.enabled() : [];
    next();
  });

  // The bench routes first: they need none of the fest router's body parsing or session.
  app.use(benchRouter(switches, parts.cpuPool));
  const { facts, examples } = parts.model;
  app.use(digitsRouter({ predictor: parts.predictor, switches, facts, examples }));
  app.use(metricsRouter(parts.metrics));
  app.use(
    adminRouter({
      ...parts,
      adminToken: parts.adminToken,
    }),
  );
  if (config.queryUserWrites) {
    log.warn(
      "QUERY_USER_WRITES is on: anyone who can reach this server may register as any user with ?user=, without logging in",
    );
  }
  app.use(catalogueRouter(new CatalogueQueries(db), new NaiveCatalogue(db), switches, config.mode));
  app.use(
    festRouter(new FestQueries(db), new NaiveQueries(db), switches, {
      queryUserWrites: config.queryUserWrites,
    }),
  );

  app.use(notFoundHandler);
  app.use(errorHandler(log));
  return app;
}
