// What counts and shapes the requests of one server: its metrics, its ground truth, its
// faults and fault injector, its capacity limit. The single process (src/start.ts), a worker,
// the labs service and each fest service (src/services/service-server.ts) build them here and
// put them around their app the same way, so a fault, the truth and the limit act alike in
// every shape.
import type { IncomingMessage, RequestListener } from "node:http";
import type { Express } from "express";
import type { CleanupStack } from "./cleanup-stack.js";
import { type Config, ConfigError } from "./config.js";
import { CapacityLimit } from "./connection/capacity.js";
import type { ShellOptions } from "./connection/http-shell.js";
import { Faults } from "./faults/faults.js";
import { FaultInjector } from "./faults/inject.js";
import { FaultSpecError, faultsChangeLine } from "./faults/spec.js";
import { type AppRoute, faultableRoutes } from "./faults/targets.js";
import { LiveFigures } from "./live/live-figures.js";
import type { CpuPoolStatsProvider } from "./observe/cpu-pool-stats.js";
import type { Logger } from "./observe/log.js";
import { ServerMetrics } from "./observe/metrics.js";
import type { RequestWatcher } from "./observe/request-watch.js";
import type { Switches } from "./switches.js";
import { GroundTruth } from "./truth/truth.js";

export interface CounterParts {
  switches: Switches;
  log: Logger;
  cleanup: CleanupStack;
  cpuPoolStats: CpuPoolStatsProvider;
  /** A worker answers /metrics with the whole group's figures. */
  scrapeMetrics?: () => Promise<string>;
  /** Alone, a server logs each change of its faults; in a group the supervisor logs it once. */
  logFaultChanges: boolean;
  /** Under --services a fault that drops or holds a connection is the gateway's to carry out. */
  behindGateway?: boolean;
}

export type Counters = ReturnType<typeof makeCounters>;

export function makeCounters(config: Config, parts: CounterParts) {
  const { switches, log, cleanup, cpuPoolStats } = parts;
  const metrics = new ServerMetrics({ switches, cpuPoolStats, scrape: parts.scrapeMetrics });
  const truth = new GroundTruth();
  const faults = new Faults(config.faults, config.faultSeed, config.faultHeaders, truth);
  cleanup.add(() => faults.stop());
  if (parts.logFaultChanges) {
    faults.onChange((text, by) => log.warn(faultsChangeLine(text, by, faults.hiddenBecause)));
  }
  // The truth marks each faulted answer; the metrics count faults for the dashboard.
  const faultInjector = new FaultInjector(
    faults,
    {
      markFault(res, kind, route) {
        truth.markFault(res, kind);
        metrics.faultInjected(kind, route);
      },
      countIgnoredHeaders: () => truth.countIgnoredHeaders(),
    },
    parts.behindGateway === true,
  );
  const capacity = new CapacityLimit(
    config.maxInFlight,
    config.maxWaiting,
    metrics.capacityRefusal,
  );
  const live = new LiveFigures({
    truth,
    requests: () => ({ done: metrics.requestsDone, inFlight: metrics.inFlight }),
    cpuPoolStats,
    switches,
    faults,
    // Every admin holds the credential (a student's own commands too), so a running
    // challenge's secret stays hidden here as it does on the admin page.
    revealsHidden: false,
  });
  cleanup.add(() => live.stop());
  return { metrics, cpuPoolStats, truth, faults, faultInjector, capacity, live };
}

/**
 * The app's routes exist now: the faults check their rules against them (unless the group
 * checks them where its admin answers: a fest service follows rules that name another
 * service's routes), the injector mirrors them, the truth names unrouted requests by them.
 */
export function knowRoutes(
  app: Express,
  counters: Pick<Counters, "faults" | "faultInjector" | "truth">,
  options: { checkRules: boolean } = { checkRules: true },
): AppRoute[] {
  const routes = faultableRoutes(app);
  try {
    counters.faults.useRoutes(routes, options);
  } catch (error) {
    if (error instanceof FaultSpecError) {
      throw new ConfigError(`FAULTS=${counters.faults.text} is not allowed: ${error.message}`);
    }
    throw error;
  }
  counters.faultInjector.useRoutes(routes);
  counters.truth.knowRoutes(routes.map((route) => route.pattern));
  return routes;
}

/**
 * The layers around an app, outermost first: the faults (after the shell's Host check, so a
 * refused request is not faulted; /health's too), then what the server answers before its
 * app (the monolith's fast /health), then the capacity limit; the metrics and the truth watch
 * every request from outside them all, so what they refuse is counted too.
 */
export function countedShell(
  counters: Counters,
  app: RequestListener,
  options: {
    beforeLimit?: (next: RequestListener) => RequestListener;
    /** The requests the truth leaves out: a fest service's calls from another service. */
    notForTheTruth?: (req: IncomingMessage) => boolean;
  } = {},
): Pick<ShellOptions, "handler" | "watchers" | "beforeListen"> {
  const { faultInjector, capacity, metrics, truth } = counters;
  const { beforeLimit = (next: RequestListener) => next, notForTheTruth } = options;
  return {
    handler: faultInjector.withHealthFaults(beforeLimit(capacity.limit(app))),
    watchers: [metrics, notForTheTruth ? truthLeavingOut(truth, notForTheTruth) : truth],
    beforeListen: (http) => truth.watchConnections(http),
  };
}

/**
 * Marks a request the truth counts, on the request itself: a WeakSet of every request costs
 * more than the mark's use, since V8 handles each short-lived key of a weak collection as an
 * ephemeron at every young-generation GC (about 0.8 µs a request on the lab machine).
 */
const COUNTED = Symbol("festlab counted by the truth");
type MarkedRequest = IncomingMessage & { [COUNTED]?: true };

/** The truth, told only of the requests it counts (decided once, as each request starts). */
function truthLeavingOut(
  truth: GroundTruth,
  leftOut: (req: IncomingMessage) => boolean,
): RequestWatcher {
  return {
    requestStarted(req) {
      if (leftOut(req)) return;
      (req as MarkedRequest)[COUNTED] = true;
      truth.requestStarted();
    },
    requestEnded(ended) {
      if ((ended.req as MarkedRequest)[COUNTED] === true) truth.requestEnded(ended);
    },
  };
}
