// Start-up and shut-down as functions, so tests start the same server that `npm start` does.
// startServer reads as its steps: the challenges, the data, the switches, the thread pools,
// the counters, the app, the HTTP shell, the monitor. Each step registers how to undo itself
// on one cleanup stack: a failure half-way undoes what was done, and close() runs the same stack.
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { Database } from "better-sqlite3";
import type { Express } from "express";
import { resolveAdminCredential } from "./admin-credential.js";
import { createApp } from "./app.js";
import { withFastHealth } from "./bench/health.js";
import { Challenges } from "./challenge/challenges.js";
import {
  type Challenge,
  ChallengeFileError,
  checkChallengeTargets,
  loadChallenges,
} from "./challenge/definition.js";
import { ChallengeProgress } from "./challenge/progress.js";
import { CleanupStack } from "./cleanup-stack.js";
import { type Config, ConfigError } from "./config.js";
import type { CapacityLimit } from "./connection/capacity.js";
import type { DrainReport } from "./connection/drain.js";
import { serveHttp } from "./connection/http-shell.js";
import {
  type Counters,
  countedShell,
  knowRoutes as knowCounterRoutes,
  makeCounters,
} from "./counters.js";
import type { SeedSize } from "./database.js";
import { openDatabase } from "./database.js";
import type { DigitsLab, TrainingPlan } from "./digits/lab.js";
import type { Faults } from "./faults/faults.js";
import { prepareFirstStart } from "./first-start/prepare.js";
import type { Lab } from "./labs/lab.js";
import { labList, type RunningLabs, startLabs } from "./labs/list.js";
import type { GroupLive, LiveFigures } from "./live/live-figures.js";
import { LossyNetwork } from "./network/lossy-network.js";
import type { NetworkCounts } from "./network/lossy-proxy.js";
import { type CpuPoolStatsProvider, IDLE_POOL } from "./observe/cpu-pool-stats.js";
import { createLogger, type Logger } from "./observe/log.js";
import type { ServerMetrics } from "./observe/metrics.js";
import { type ResourceMonitor, startMonitor } from "./observe/monitor.js";
import { LabReset } from "./reset/lab-reset.js";
import {
  type ApplyShared,
  type FollowShared,
  followHere,
  type SharedObjects,
} from "./shared-change.js";
import { type ApplySwitch, Switches, switchChangeLine } from "./switches.js";
import type { GroundTruth, TruthReport } from "./truth/truth.js";

export { ListenError } from "./connection/http-shell.js";

export interface RunningServer {
  url: string;
  /** The node:http server underneath. */
  http: Server;
  db: Database;
  switches: Switches;
  log: Logger;
  /** The /cpu worker threads; stats() is what the metrics and the monitor read. */
  cpuPool: RunningLabs["bench"]["cpuPool"];
  metrics: ServerMetrics;
  /** The /predict worker threads, each holding the model loaded at start. */
  predictPool: DigitsLab["predictPool"];
  /** The digits model as loaded (or trained) at start. */
  model: DigitsLab["model"];
  predictor: DigitsLab["predictor"];
  /** Every lab, in list order: the banner asks each for its lines. */
  labs: readonly Lab[];
  /** The faults injected now (FAULTS at start, then the admin page and API). */
  faults: Faults;
  /** The server's own counts: GET /admin/truth. */
  truth: GroundTruth;
  /** The server's own per-second figures: the live view's, or its share of its group's. */
  live: LiveFigures;
  /** The challenges (CHALLENGES_DIR) and the one running now. */
  challenges: Challenges;
  /** MAX_IN_FLIGHT and MAX_WAITING, which a challenge may change while the server runs. */
  capacity: CapacityLimit;
  /** The MONITOR_CSV writer, when one was asked for. */
  monitor: ResourceMonitor | undefined;
  /** True when this start created and filled the database. */
  seeded: boolean;
  /** The admin credential: ADMIN_TOKEN, or the one kept beside the data (src/admin-credential.ts). */
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
  /** A challenge's grading reads what the group's lossy network (the supervisor's) lost. */
  groupNetwork?: (runId: string) => Promise<NetworkCounts | undefined>;
  /** The live view shows the whole group's figures, second by second. */
  groupLive?: GroupLive;
  /** The labs service under --services: its faults' resets and waits are the gateway's to carry out. */
  behindGateway?: boolean;
}

export async function startServer(
  config: Config,
  options: StartOptions = {},
): Promise<RunningServer> {
  const log = options.log ?? createLogger(config.logLevel);
  const cleanup = new CleanupStack();
  try {
    // Read before anything is opened: a bad challenge file stops the start with one line.
    const library = readChallenges(config.challengesDir);
    // Every shape runs this server, so every shape's admin has a credential: no other way in.
    const { token: adminToken } = resolveAdminCredential(config.adminToken, config.dbPath);
    const data = await openData(config, options, log, cleanup);
    const { switches, applySwitch } = switchesOf(config, options, log);
    // The metrics read the bench lab's /cpu pool, which starts after them (the labs register
    // their own counters on the metrics' registry).
    let labs: RunningLabs | undefined;
    const cpuPoolStats = options.cpuPoolStats ?? (() => labs?.bench.cpuPool.stats() ?? IDLE_POOL);
    const counters = makeCounters(config, {
      switches,
      log,
      cleanup,
      cpuPoolStats,
      scrapeMetrics: options.scrapeMetrics,
      logFaultChanges: options.applyShared === undefined,
      behindGateway: options.behindGateway === true,
    });
    labs = startLabs(
      { config, db: data.db, switches, log, registry: counters.metrics.registry, cleanup },
      { trainingPlan: options.trainingPlan, trainedAtFirstStart: data.modelTrained },
    );
    // The address a challenge's lossy network passes requests on to, once this server listens.
    let url: string | undefined;
    // Kept in the database: the process that answers the challenge API writes it.
    const progress = new ChallengeProgress(data.db, library, config.classKey);
    const { challenges, reset, applyShared, truthReport, follow } = challengesAndReset(
      config,
      options,
      library,
      labs,
      { switches, applySwitch, log, cleanup, url: () => url, progress, ...counters },
    );
    const app = createApp({
      config,
      switches,
      applySwitch,
      log,
      sessionSecret: config.sessionSecret ?? randomBytes(32).toString("hex"),
      adminToken,
      ...counters,
      applyShared,
      truthReport,
      reset,
      challenges,
      progress,
      labs: labList(labs),
      groupLive: options.groupLive,
    });
    knowRoutes(app, library, counters);
    options.followShared?.(follow);

    // The fast /health answers inside the faults and outside the capacity limit: it always answers.
    const shell = await serveHttp({
      host: config.host,
      port: config.port,
      log,
      trustProxy: config.trustProxy,
      headersTimeoutMs: config.headerTimeoutMs,
      ...countedShell(counters, app, { beforeLimit: withFastHealth }),
      appPrototypes: app,
    });
    url = shell.url;
    // After the server on close: requests in flight get their answers before the pools stop.
    let graceMs = config.shutdownGraceMs;
    let report: DrainReport = { inFlight: 0, cut: 0 };
    cleanup.add(async () => {
      report = await shell.close(graceMs);
    });
    const monitor = startMonitorIfAsked(config, counters, cleanup);

    let closing: Promise<DrainReport> | undefined;
    return {
      url: shell.url,
      http: shell.http,
      db: data.db,
      seeded: data.seeded,
      adminToken,
      switches,
      log,
      cpuPool: labs.bench.cpuPool,
      predictPool: labs.digits.predictPool,
      model: labs.digits.model,
      predictor: labs.digits.predictor,
      labs: labList(labs),
      ...counters,
      challenges,
      monitor,
      close(grace = config.shutdownGraceMs) {
        closing ??= (async () => {
          graceMs = grace;
          await cleanup.run();
          return report;
        })();
        return closing;
      },
    };
  } catch (error) {
    await cleanup.run();
    throw error;
  }
}

/** The database, seeded (and the model trained) in a thread of its own on a first start. */
async function openData(
  config: Config,
  options: StartOptions,
  log: Logger,
  cleanup: CleanupStack,
): Promise<{ db: Database; seeded: boolean; modelTrained: boolean }> {
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
  cleanup.add(() => opened.db.close());
  return {
    db: opened.db,
    seeded: opened.seeded || firstStart.seeded,
    modelTrained: firstStart.trained,
  };
}

/** A worker brings its group's registry; a server alone makes its own and logs each change. */
function switchesOf(
  config: Config,
  options: StartOptions,
  log: Logger,
): { switches: Switches; applySwitch: ApplySwitch } {
  const switches = options.switches ?? Switches.fromStartup(config);
  if (options.switches === undefined) {
    switches.onChange((name, on, by) => log.warn(switchChangeLine(switches, name, on, by)));
  }
  const applySwitch: ApplySwitch =
    options.applySwitch ?? (async (name, on, by) => switches.set(name, on, by));
  return { switches, applySwitch };
}

/**
 * The challenges (CHALLENGES_DIR), POST /admin/reset, and what this server shares with its
 * group: alone, it follows its own changes; a member asks the supervisor (src/group/).
 */
function challengesAndReset(
  config: Config,
  options: StartOptions,
  library: Challenge[],
  labs: RunningLabs,
  parts: {
    switches: Switches;
    applySwitch: ApplySwitch;
    log: Logger;
    faults: Faults;
    capacity: CapacityLimit;
    truth: GroundTruth;
    metrics: ServerMetrics;
    cleanup: CleanupStack;
    url: () => string | undefined;
    progress: ChallengeProgress;
  },
) {
  const { switches, applySwitch, log, faults, capacity, truth, metrics, progress } = parts;
  const follow: FollowShared = (change, by) => followHere(shared)(change, by);
  // Alone, this server is the authority: it runs a challenge's lossy network itself (a member's
  // supervisor runs the group's, src/group/).
  const network = options.applyShared === undefined ? new LossyNetwork(parts.url) : undefined;
  if (network !== undefined) parts.cleanup.add(() => network.close());
  const applyShared: ApplyShared =
    options.applyShared ??
    (async (change, by) => follow((await network?.follow(change)) ?? change, by));
  const truthReport = options.groupTruth ?? (async (runId?: string) => truth.report(runId));
  const networkCounts = options.groupNetwork ?? (async (runId: string) => network?.counts(runId));
  const challenges = new Challenges({
    library,
    switches,
    applySwitch,
    faults,
    capacity,
    applyShared,
    inServices: config.services || config.service !== undefined,
    // Grading only: GET /admin/truth is the server's own count, the network's stays apart.
    truthReport: async (runId) => {
      const [report, lost] = await Promise.all([truthReport(runId), networkCounts(runId)]);
      return report === undefined || lost === undefined ? report : { ...report, network: lost };
    },
    log,
    progress,
  });
  const shared: SharedObjects = {
    switches,
    faults,
    capacity,
    truth,
    challenges,
    // Each member forgets its own remembered predictions and frees what its leak switches
    // kept (the one that answers the reset also reports them, through each lab's reset).
    onReset: () => {
      labs.digits.predictor.cache.clear();
      labs.catalogue.retained.free();
    },
  };
  const reset = new LabReset({
    challenges,
    labs: labList(labs),
    switches,
    applySwitch,
    applyShared,
    startSwitches: Switches.fromStartup(config).enabled(),
    faults,
    truth,
    inFlight: () => metrics.inFlight,
    log,
  });
  return { challenges, reset, applyShared, truthReport, follow };
}

/** The routes exist now: check that every fault and challenge names one; mirror them. */
function knowRoutes(app: Express, library: Challenge[], counters: Counters): void {
  const routes = knowCounterRoutes(app, counters);
  try {
    checkChallengeTargets(library, routes);
  } catch (error) {
    if (error instanceof ChallengeFileError) throw new ConfigError(challengeFileLine(error));
    throw error;
  }
}

function startMonitorIfAsked(
  config: Config,
  counters: { metrics: ServerMetrics; cpuPoolStats: CpuPoolStatsProvider },
  cleanup: CleanupStack,
): ResourceMonitor | undefined {
  if (config.monitorCsv === undefined) return undefined;
  const { metrics, cpuPoolStats } = counters;
  const monitor = startMonitor(config.monitorCsv, {
    requests: () => ({ done: metrics.requestsDone, inFlight: metrics.inFlight }),
    cpuPoolStats,
  });
  cleanup.add(() => monitor.stop());
  return monitor;
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
