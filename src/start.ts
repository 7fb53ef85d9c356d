// Start-up and shut-down as functions, so tests start the same server that `npm start` does.
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Database } from "better-sqlite3";
import { resolveAdminCredential } from "./admin/credential.js";
import { createApp } from "./app.js";
import { CpuPool } from "./bench/cpu-pool.js";
import { withFastHealth } from "./bench/health.js";
import { Challenges } from "./challenge/challenges.js";
import {
  type Challenge,
  ChallengeFileError,
  checkChallengeTargets,
  loadChallenges,
} from "./challenge/definition.js";
import { type Config, ConfigError } from "./config.js";
import { CapacityLimit } from "./connection/capacity.js";
import { Drain, type DrainReport } from "./connection/drain.js";
import { withSingleHost } from "./connection/single-host.js";
import type { SeedSize } from "./database.js";
import { openDatabase } from "./database.js";
import { loadOrTrainModel, type ReadyModel } from "./digits/first-start.js";
import { PredictPool } from "./digits/predict-pool.js";
import { Predictor } from "./digits/predictor.js";
import type { TrainingPlan } from "./digits/train.js";
import { Faults } from "./faults/faults.js";
import { FaultInjector } from "./faults/inject.js";
import { FaultSpecError, faultsChangeLine } from "./faults/spec.js";
import { faultableRoutes } from "./faults/targets.js";
import { prepareFirstStart } from "./first-start/prepare.js";
import { withAccessLog } from "./observe/access-log.js";
import type { CpuPoolStatsProvider } from "./observe/cpu-pool-stats.js";
import { createLogger, type Logger } from "./observe/log.js";
import { ServerMetrics } from "./observe/metrics.js";
import { type ResourceMonitor, startMonitor } from "./observe/monitor.js";
import { watchRequests } from "./observe/request-watch.js";
import { LabReset } from "./reset/lab-reset.js";
import {
  type ApplyShared,
  type FollowShared,
  followHere,
  type SharedObjects,
} from "./shared-change.js";
import { type ApplySwitch, Switches, switchChangeLine } from "./switches.js";
import { GroundTruth, type TruthReport } from "./truth/truth.js";
import { withVersionHeader } from "./version.js";

export class ListenError extends Error {
  override name = "ListenError";
}

export interface RunningServer {
  url: string;
  /** The node:http server underneath. */
  http: Server;
  db: Database;
  switches: Switches;
  log: Logger;
  /** The /cpu worker threads; stats() is what the metrics and the monitor read. */
  cpuPool: CpuPool;
  metrics: ServerMetrics;
  /** The /predict worker threads, each holding the model loaded at start. */
  predictPool: PredictPool;
  /** The digits model as loaded (or trained) at start. */
  model: ReadyModel;
  predictor: Predictor;
  /** The faults injected now (FAULTS at start, then the admin page and API). */
  faults: Faults;
  /** The server's own counts: GET /admin/truth. */
  truth: GroundTruth;
  /** The challenges (CHALLENGES_DIR) and the one running now. */
  challenges: Challenges;
  /** MAX_IN_FLIGHT and MAX_WAITING, which a challenge may change while the server runs. */
  capacity: CapacityLimit;
  /** The MONITOR_CSV writer, when one was asked for. */
  monitor: ResourceMonitor | undefined;
  /** True when this start created and filled the database. */
  seeded: boolean;
  /** The admin credential: ADMIN_TOKEN, or the one kept beside the data (src/admin/credential.ts). */
  adminToken: string;
  /**
   * The drain: stop listening, say `Connection: close` on every answer, refuse new requests
   * with 503, let those in flight finish for up to graceMs (default SHUTDOWN_GRACE_MS), cut
   * the rest, then close the /cpu pool and the database. Called again, it returns the same
   * drain. `npm start` calls it on SIGTERM and Ctrl+C.
   */
  close(graceMs?: number): Promise<DrainReport>;
}

export interface StartOptions {
  log?: Logger;
  /** Size of the data when the database is created; tests use a small one. */
  seedSize?: SeedSize;
  /** The /cpu worker pool's figures for /metrics and the monitor; see the seam in startServer. */
  cpuPoolStats?: CpuPoolStatsProvider;
  /** How to train the digits model when MODEL_PATH is missing; tests train a tiny one. */
  trainingPlan?: TrainingPlan;
  /** How long a client may take to send a request's headers; tests shorten it. */
  headersTimeoutMs?: number;
  /**
   * A worker in a group (src/workers/) brings its registry, filled with the supervisor's
   * state, and the way to change it everywhere; the supervisor logs the changes once.
   */
  switches?: Switches;
  applySwitch?: ApplySwitch;
  /** A worker answers /metrics with the whole group's figures. */
  scrapeMetrics?: () => Promise<string>;
  /**
   * A member of a group changes what the group shares (hidden state, faults, the capacity
   * limit, the challenge, truth resets) through the supervisor, which logs it once and has
   * every member follow it (followShared hands the member this server's way to follow).
   */
  applyShared?: ApplyShared;
  followShared?: (follow: FollowShared) => void;
  /** GET /admin/truth and a challenge's grading read the whole group's truth. */
  groupTruth?: (runId?: string) => Promise<TruthReport | undefined>;
}

/**
 * A slow-header client (slowloris) holds a connection until this runs out; Node's default
 * of 60 s lets a few hundred of them sit for minutes. Ten seconds is ample for any real client.
 */
const HEADERS_TIMEOUT_MS = 10_000;
/**
 * The whole request (headers and body) must arrive within this; longer than the longest
 * /io (10 s) and /cpu, so no answer a lab asks for is ever near it.
 */
const REQUEST_TIMEOUT_MS = 30_000;

export async function startServer(
  config: Config,
  options: StartOptions = {},
): Promise<RunningServer> {
  const log = options.log ?? createLogger(config.logLevel);
  // Read before anything is opened: a bad challenge file stops the start with one line.
  const library = readChallenges(config.challengesDir);
  // Every shape runs this server, so every shape's admin has a credential: there is no other way in.
  const { token: adminToken } = resolveAdminCredential(config.adminToken, config.dbPath);
  // A first start seeds and trains in a thread of its own, whose memory goes when it ends.
  const firstStart = await prepareFirstStart(
    {
      dbPath: config.dbPath,
      seedSize: options.seedSize,
      modelPath: config.modelPath,
      trainingPlan: options.trainingPlan,
    },
    (line) => log.info(line),
  );
  const opened = openDatabase(config.dbPath, options.seedSize, (line) => log.info(line));
  const { db } = opened;
  const seeded = opened.seeded || firstStart.seeded;
  const switches = options.switches ?? Switches.fromStartup(config);
  if (options.switches === undefined) {
    switches.onChange((name, on, by) => log.warn(switchChangeLine(switches, name, on, by)));
  }
  const applySwitch: ApplySwitch =
    options.applySwitch ?? (async (name, on, by) => switches.set(name, on, by));

  let cpuPool: CpuPool;
  let model: ReadyModel;
  let predictPool: PredictPool;
  try {
    // Trained here on the first start (a few seconds), read from MODEL_PATH on the others.
    const loaded = loadOrTrainModel(config.modelPath, options.trainingPlan, (line) =>
      log.info(line),
    );
    model = { ...loaded, trained: loaded.trained || firstStart.trained };
    cpuPool = new CpuPool(config.cpuPoolSize, config.cpuPoolQueue);
  } catch (error) {
    db.close();
    throw error;
  }
  try {
    // The same size and bound as /cpu's pool: one thread per core, by default.
    predictPool = new PredictPool(config.cpuPoolSize, config.cpuPoolQueue, model.network);
  } catch (error) {
    await cpuPool.destroy();
    db.close();
    throw error;
  }

  const cpuPoolStats = options.cpuPoolStats ?? (() => cpuPool.stats());
  const metrics = new ServerMetrics({ switches, cpuPoolStats, scrape: options.scrapeMetrics });
  metrics.digits.modelLoaded();
  const predictor = new Predictor({
    switches,
    network: model.network,
    modelPath: config.modelPath,
    pool: predictPool,
    counters: metrics.digits,
  });

  const truth = new GroundTruth();
  const faults = new Faults(config.faults, config.faultSeed, config.faultHeaders, truth);
  if (options.applyShared === undefined) {
    faults.onChange((text, by) => log.warn(faultsChangeLine(text, by, faults.hiddenBecause)));
  }
  // The truth marks each faulted answer; the metrics count faults for the dashboard.
  const faultInjector = new FaultInjector(faults, {
    markFault(res, kind, route) {
      truth.markFault(res, kind);
      metrics.faultInjected(kind, route);
    },
    countIgnoredHeaders: () => truth.countIgnoredHeaders(),
  });
  const capacity = new CapacityLimit(
    config.maxInFlight,
    config.maxWaiting,
    metrics.capacityRefusal,
  );
  // What this server shares with its group, if it has one; alone it follows its own changes.
  const follow: FollowShared = (change, by) => followHere(shared)(change, by);
  const applyShared: ApplyShared =
    options.applyShared ?? (async (change, by) => follow(change, by));
  const truthReport = options.groupTruth ?? (async (runId?: string) => truth.report(runId));
  const challenges = new Challenges({
    library,
    switches,
    applySwitch,
    faults,
    capacity,
    applyShared,
    truthReport,
    log,
  });
  const shared: SharedObjects = {
    switches,
    faults,
    capacity,
    truth,
    challenges,
    onReset: () => predictor.cache.clear(),
  };
  const reset = new LabReset({
    challenges,
    db,
    switches,
    applySwitch,
    applyShared,
    startSwitches: Switches.fromStartup(config).enabled(),
    faults,
    truth,
    predictions: predictor.cache,
    inFlight: () => metrics.inFlight,
    log,
  });

  const app = createApp({
    config,
    db,
    switches,
    applySwitch,
    log,
    sessionSecret: config.sessionSecret ?? randomBytes(32).toString("hex"),
    adminToken,
    cpuPool,
    metrics,
    predictor,
    model,
    faults,
    faultInjector,
    truth,
    applyShared,
    truthReport,
    reset,
    challenges,
  });
  // The routes exist now: check that every fault names one, and mirror them for the injector.
  const routes = faultableRoutes(app);
  try {
    faults.useRoutes(routes);
    checkChallengeTargets(library, routes);
  } catch (error) {
    await cpuPool.destroy();
    await predictPool.destroy();
    db.close();
    if (error instanceof FaultSpecError) {
      throw new ConfigError(`FAULTS=${faults.text} is not allowed: ${error.message}`);
    }
    if (error instanceof ChallengeFileError) throw new ConfigError(challengeFileLine(error));
    throw error;
  }
  faultInjector.useRoutes(routes);
  truth.knowRoutes(routes.map((route) => route.pattern));
  options.followShared?.(follow);

  const headersTimeout = options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  const server = createServer({
    headersTimeout,
    requestTimeout: Math.max(REQUEST_TIMEOUT_MS, headersTimeout),
    // Node checks both timeouts on this interval (30 s by default): check often enough that a
    // slow client is dropped within a second of its limit. The sweep is cheap.
    connectionsCheckingInterval: Math.min(1_000, headersTimeout),
  });
  const drain = new Drain(server, log);
  truth.watchConnections(server);
  // Outermost first: metrics, the truth and the drain watch every request, the drain's and
  // the capacity limit's 503s included; the access log sees every answer. Faults come after
  // the Host check (a refused request is not faulted) and before /health; the limit comes
  // after /health, which always answers. The version header first of all, so every answer
  // carries it, refusals included.
  server.on(
    "request",
    withVersionHeader(
      watchRequests(
        [metrics, truth, drain],
        withAccessLog(
          drain.refuseWhileDraining(
            withSingleHost(faultInjector.withHealthFaults(withFastHealth(capacity.limit(app)))),
          ),
          log,
          config.trustProxy,
        ),
      ),
    ),
  );
  // Load tests open many keep-alive connections; keep them longer than a client's idle gap.
  server.keepAliveTimeout = 65_000;

  try {
    server.listen(config.port, config.host);
    await once(server, "listening");
  } catch (error) {
    await cpuPool.destroy();
    await predictPool.destroy();
    db.close();
    throw new ListenError(listenMessage(config, error as NodeJS.ErrnoException));
  }
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;

  let monitor: ResourceMonitor | undefined;
  let closing: Promise<DrainReport> | undefined;
  const close = (graceMs = config.shutdownGraceMs) => {
    closing ??= (async () => {
      monitor?.stop();
      faults.stop();
      const report = await drain.drain(graceMs);
      // After the server: requests still in flight got their answers before the threads stop.
      await cpuPool.destroy();
      await predictPool.destroy();
      db.close();
      return report;
    })();
    return closing;
  };

  if (config.monitorCsv !== undefined) {
    try {
      monitor = startMonitor(config.monitorCsv, {
        requests: () => ({ done: metrics.requestsDone, inFlight: metrics.inFlight }),
        cpuPoolStats,
      });
    } catch (error) {
      await close();
      throw error;
    }
  }

  return {
    url: `http://${host}:${port}`,
    http: server,
    db,
    switches,
    log,
    cpuPool,
    metrics,
    predictPool,
    model,
    predictor,
    faults,
    truth,
    challenges,
    capacity,
    monitor,
    seeded,
    adminToken,
    close,
  };
}

function readChallenges(dir: string): Challenge[] {
  try {
    return loadChallenges(dir);
  } catch (error) {
    if (error instanceof ChallengeFileError) throw new ConfigError(challengeFileLine(error));
    throw error;
  }
}

function challengeFileLine(error: ChallengeFileError): string {
  return `challenge file ${error.message} (fix the file, or move it out of CHALLENGES_DIR)`;
}

function listenMessage(config: Config, error: NodeJS.ErrnoException): string {
  const where = `port ${config.port} on ${config.host}`;
  if (error.code === "EADDRINUSE") {
    return `${where} is in use: stop the other server, or choose another port with PORT=8001 or --port 8001`;
  }
  if (error.code === "EACCES")
    return `${where} needs privileges: choose a port above 1023 with PORT or --port`;
  if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") {
    return `HOST=${config.host} is not an address of this machine: use 127.0.0.1, 0.0.0.0 or one of its own addresses`;
  }
  return `cannot listen on ${where}: ${error.message}`;
}
