// GET /metrics in Prometheus text format, through prom-client. Each running lab has its own
// registry (never prom-client's global one), so tests that start several servers in one
// process do not mix their figures. A lab registers its own counters on the registry when it
// starts (src/labs/lab.ts): nothing here knows a lab by name.
//
// Requests are counted at the node:http level, below Express, like the access log, so the
// fast /health (answered before Express) is counted too. The per-request work is kept to
// two counters and one histogram observe (request-durations.ts): /health must stay within its
// bench target.
import { performance } from "node:perf_hooks";
import { Router } from "express";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { SWITCH_NAMES, type Switches } from "../switches.js";
import { withholdMetrics } from "../withheld.js";
import type { CpuPoolStats, CpuPoolStatsProvider } from "./cpu-pool-stats.js";
import { RequestDurations } from "./request-durations.js";
import type { EndedRequest, RequestWatcher } from "./request-watch.js";

/** Seconds. Finer than prom-client's default at the low end, where /health lives. */
export const DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export interface MetricsSources {
  switches: Switches;
  /** The /cpu pool's figures, read at each scrape. */
  cpuPoolStats: CpuPoolStatsProvider;
  /** What GET /metrics answers; with workers, the whole group's figures (src/workers/). */
  scrape?: () => Promise<string>;
}

export class ServerMetrics implements RequestWatcher {
  readonly registry = new Registry();
  /** Requests whose answer went out (or whose client left) since start. */
  requestsDone = 0;
  /** Requests received and not yet answered. */
  inFlight = 0;
  /** The Prometheus text GET /metrics answers: this registry's, or the group's. */
  readonly scrape: () => Promise<string>;
  private readonly duration: RequestDurations;
  private readonly faultsInjected: Counter<"kind" | "route">;
  private readonly capacityRefused: Counter;

  constructor({ switches, cpuPoolStats, scrape }: MetricsSources) {
    // While a challenge runs, the series that name its cause are left out (src/withheld.ts).
    const text = scrape ?? (() => this.registry.metrics());
    this.scrape = async () => withholdMetrics(await text(), switches.hiddenBecause);
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });

    this.duration = new RequestDurations(
      "festlab_http_request_duration_seconds",
      "Time from request received to answer sent, by method, route pattern and status.",
      DURATION_BUCKETS,
      this.registry,
    );

    const metrics = this;
    new Gauge({
      name: "festlab_http_requests_in_flight",
      help: "Requests received and not yet answered.",
      registers,
      aggregator: "sum",
      collect() {
        this.set(metrics.inFlight);
      },
    });

    let eluBefore = performance.eventLoopUtilization();
    new Gauge({
      name: "festlab_event_loop_utilization",
      help: "Share of wall time the event loop was busy since the previous scrape, 0 to 1.",
      registers,
      // With workers, the group's mean: a sum could pass 1, which a share cannot.
      aggregator: "average",
      collect() {
        const now = performance.eventLoopUtilization();
        this.set(performance.eventLoopUtilization(now, eluBefore).utilization);
        eluBefore = now;
      },
    });

    new Gauge({
      name: "festlab_switch_on",
      help: "1 when the named lab switch is on, 0 when off.",
      labelNames: ["name"],
      registers,
      // Every worker holds the same state (the supervisor sees to it): one is the answer.
      aggregator: "max",
      collect() {
        // While a challenge hides which switches are on, /metrics (open to all) has no series.
        this.reset();
        if (switches.hiddenBecause !== undefined) return;
        for (const name of SWITCH_NAMES) this.set({ name }, switches.isOn(name) ? 1 : 0);
      },
    });

    // Summed across workers (prom-client's default): the group's threads, busy and queued.
    const poolGauge = (name: string, help: string, pick: (s: CpuPoolStats) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(pick(cpuPoolStats()));
        },
      });
    poolGauge("festlab_cpu_pool_threads", "Worker threads in the /cpu pool.", (s) => s.threads);
    poolGauge(
      "festlab_cpu_pool_threads_busy",
      "/cpu pool threads running a task now.",
      (s) => s.busy,
    );
    poolGauge(
      "festlab_cpu_pool_queue_length",
      "/cpu tasks waiting for a free thread.",
      (s) => s.queued,
    );

    // The pool keeps running totals; a counter moves by the difference since the last scrape.
    const poolCounter = (name: string, help: string, pick: (s: CpuPoolStats) => number) => {
      let seen = 0;
      return new Counter({
        name,
        help,
        registers,
        collect() {
          const total = pick(cpuPoolStats());
          if (total > seen) this.inc(total - seen);
          seen = total;
        },
      });
    };
    poolCounter(
      "festlab_cpu_pool_tasks_rejected_total",
      "/cpu tasks refused because the pool's queue was full.",
      (s) => s.rejected,
    );
    poolCounter(
      "festlab_cpu_pool_tasks_completed_total",
      "/cpu tasks finished.",
      (s) => s.completed,
    );

    // The access log and the histogram show a fault's status, not that it was injected: these
    // two tell an injected 503 or a refusal at the limit from the application's own answers.
    this.faultsInjected = new Counter({
      name: "festlab_faults_injected_total",
      help: "Faults injected (FAULTS, /admin/faults or fault headers), by kind and route pattern.",
      labelNames: ["kind", "route"],
      registers,
    });
    this.capacityRefused = new Counter({
      name: "festlab_capacity_refused_total",
      help: "Requests refused with 503 at once because MAX_IN_FLIGHT were running and MAX_WAITING waiting.",
      registers,
    });
  }

  /** One fault the injector acted on; a delay and an error on one request count once each. */
  faultInjected(kind: string, route: string): void {
    this.faultsInjected.inc({ kind, route });
  }

  /** One request the capacity limit refused. */
  readonly capacityRefusal = (): void => {
    this.capacityRefused.inc();
  };

  readonly requestStarted = (): void => {
    this.inFlight++;
  };

  /** One in-flight count down, one histogram observe: all /health pays for its metrics. */
  readonly requestEnded = ({ req, res, answered, ms, route }: EndedRequest): void => {
    this.inFlight--;
    this.requestsDone++;
    const status = answered ? res.statusCode : "aborted";
    this.duration.observe(req.method ?? "", route, status, ms / 1000);
  };
}

/**
 * Open to every client, unlike /admin: Prometheus scrapers usually cannot send a token, and
 * the figures reveal no data. Bind to 127.0.0.1 (the default) to keep them private.
 */
export function metricsRouter(metrics: ServerMetrics): Router {
  const router = Router();
  router.get("/metrics", async (_req, res) => {
    const text = await metrics.scrape();
    res.set("cache-control", "no-store").type(metrics.registry.contentType).send(text);
  });
  return router;
}
