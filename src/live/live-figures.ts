// The live view's figures: once a second, what the server already counts, as that second's
// share. Per route, from the ground truth's running totals and kept latencies (src/truth/):
// requests, failures and exact p50/p95/p99 of the second; for the process, the resource
// monitor's sampler (src/observe/monitor.ts): CPU, memory, event-loop delay and utilization,
// requests in flight, the /cpu pool's queue. Switch and fault changes are marks with their time.
// It samples only while someone watches: the first request of the live view starts it, and it
// stops (forgetting its points) when no one has asked for ten minutes, so a server nobody
// watches pays nothing and a closed server leaves no timer running for long.
import type { Faults } from "../faults/faults.js";
import type { CpuPoolStatsProvider } from "../observe/cpu-pool-stats.js";
import { type ResourceSample, type ResourceSampler, startSampler } from "../observe/monitor.js";
import type { Switches } from "../switches.js";
import { LatencySamples } from "../truth/samples.js";
import type { GroundTruth } from "../truth/truth.js";

export interface LiveSources {
  truth: Pick<GroundTruth, "tallies">;
  /** Requests done since start and in flight now (the metrics' counts). */
  requests(): { done: number; inFlight: number };
  cpuPoolStats: CpuPoolStatsProvider;
  switches: Pick<Switches, "onChange" | "hiddenBecause">;
  faults: Pick<Faults, "onChange" | "hiddenBecause">;
  /** Whether a mark may name what a running challenge hides (the admin token was required). */
  revealsHidden: boolean;
}

export interface Figures {
  requests: number;
  /** Answered 400 or above, or not answered at all. */
  failures: number;
  /** Exact, of the requests answered in the second; null when none was. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface Mark {
  /** Epoch milliseconds. */
  t: number;
  kind: "switch" | "fault";
  text: string;
}

export interface LivePoint {
  /** Increases by one a second for the life of the server, so a client can ask for what is newer. */
  id: number;
  /** Epoch milliseconds at the end of the second. */
  t: number;
  /** The process that counted; in a group (WORKERS=N, --services), the supervisor's. */
  pid: number;
  /** In a group: how many members' counts were added up in it. */
  members?: number;
  /** Each route that ended a request in the second, as "METHOD /pattern". */
  routes: Record<string, Figures>;
  /** Every route together. */
  all: Figures;
  process: ResourceSample;
  /** Switch and fault changes within the second. */
  marks: Mark[];
}

/** A member's point for its group's addition: with the latencies of the second, by route. */
export interface MemberLivePoint {
  point: LivePoint;
  /** Every answered request's time in the second, in ms, by route key. */
  samples: Record<string, number[]>;
}

/** The group's points after second `after` (0: all), added up by its supervisor. */
export type GroupLive = (after: number) => Promise<LivePoint[]>;

export interface LiveOptions {
  /** How many seconds of points are kept. */
  windowSeconds: number;
  intervalMs: number;
  /** Sampling stops this long after the last request of the live view. */
  idleMs: number;
}

export const LIVE_DEFAULTS: LiveOptions = { windowSeconds: 300, intervalMs: 1000, idleMs: 600_000 };

/** The live view's own requests, left out of the figures: they would show the view, not the lab. */
export const LIVE_PATH = "/admin/live";

const PERCENTILES = [50, 95, 99];

interface Running {
  timer: NodeJS.Timeout;
  sampler: ResourceSampler;
  /** The truth's totals at the previous second, by route; its reset count with them. */
  before: Map<string, { requests: number; ok: number; answered: number }>;
  resets: number;
  marks: Mark[];
}

/** A switch change as a mark names it (here and in a group's supervisor). */
export function switchMarkText(name: string, on: boolean, by: string): string {
  return `${name} ${on ? "on" : "off"} (${by})`;
}

/** A faults change as a mark names it. */
export function faultMarkText(text: string, by: string): string {
  return text === "" ? `faults cleared (${by})` : `faults "${text}" (${by})`;
}

/** What a mark says in place of a change a running challenge hides. */
export function hiddenMarkText(because: string): string {
  return `a change ${because}`;
}

export class LiveFigures {
  private readonly points: LivePoint[] = [];
  /** Beside each point, its latencies by route: what a group adds up for exact percentiles. */
  private readonly samples: Record<string, number[]>[] = [];
  private nextId = 1;
  private running: Running | undefined;
  private lastWatched = 0;
  private waiting: (() => void)[] = [];
  /** The live view's own requests waiting for a point: not the lab's requests in flight. */
  private ownInFlight = 0;

  constructor(
    private readonly sources: LiveSources,
    private readonly options: LiveOptions = LIVE_DEFAULTS,
  ) {
    sources.switches.onChange((name, on, by) => {
      const hidden = this.hidden(sources.switches.hiddenBecause);
      this.mark("switch", hidden ?? switchMarkText(name, on, by));
    });
    sources.faults.onChange((text, by) => {
      const hidden = this.hidden(sources.faults.hiddenBecause);
      this.mark("fault", hidden ?? faultMarkText(text, by));
    });
  }

  get windowSeconds(): number {
    return this.options.windowSeconds;
  }

  /** Someone is watching: sample (from now on, if it was stopped) for at least idleMs more. */
  watched(): void {
    this.lastWatched = Date.now();
    if (this.running !== undefined) return;
    const { resets, routes } = this.sources.truth.tallies();
    const timer = setInterval(() => this.tick(), this.options.intervalMs);
    timer.unref(); // the live view alone never keeps the process alive
    this.running = {
      timer,
      sampler: startSampler({
        requests: () => {
          const { done, inFlight } = this.sources.requests();
          return { done, inFlight: Math.max(0, inFlight - this.ownInFlight) };
        },
        cpuPoolStats: this.sources.cpuPoolStats,
      }),
      before: new Map(routes.map((r) => [r.key, r])),
      resets,
      marks: [],
    };
  }

  /** The points newer than `id`; all of them when `id` is not one this server gave. */
  pointsAfter(id: number): LivePoint[] {
    const known = Number.isInteger(id) && id > 0 && id < this.nextId;
    return known ? this.points.filter((p) => p.id > id) : [...this.points];
  }

  /** This member's points ending after `sinceMs` (epoch ms), with their samples, for its group. */
  pointsSince(sinceMs: number): MemberLivePoint[] {
    const found: MemberLivePoint[] = [];
    this.points.forEach((point, i) => {
      if (point.t > sinceMs) found.push({ point, samples: this.samples[i] ?? {} });
    });
    return found;
  }

  /** Resolves at the next second's point, or after `ms` when none comes (sampling stopped). */
  nextPoint(ms: number): Promise<void> {
    this.ownInFlight++;
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = () => {
        this.ownInFlight--;
        clearTimeout(timer);
        this.waiting = this.waiting.filter((w) => w !== wake);
        resolve();
      };
      timer = setTimeout(wake, ms);
      timer.unref();
      this.waiting.push(wake);
    });
  }

  stop(): void {
    if (this.running === undefined) return;
    clearInterval(this.running.timer);
    this.running.sampler.stop();
    this.running = undefined;
    this.points.length = 0;
    this.samples.length = 0;
    for (const wake of this.waiting) wake();
  }

  private hidden(because: string | undefined): string | undefined {
    if (because === undefined || this.sources.revealsHidden) return undefined;
    return hiddenMarkText(because);
  }

  private mark(kind: Mark["kind"], text: string): void {
    this.running?.marks.push({ t: Date.now(), kind, text });
  }

  private tick(): void {
    const running = this.running;
    if (running === undefined) return;
    if (Date.now() - this.lastWatched > this.options.idleMs) {
      this.stop();
      return;
    }
    const { resets, routes } = this.sources.truth.tallies();
    // After a truth reset every total starts from zero again.
    if (resets !== running.resets) running.before.clear();
    running.resets = resets;
    const perRoute: Record<string, Figures> = {};
    const samples: Record<string, number[]> = {};
    const all = { requests: 0, ok: 0, latencies: new LatencySamples() };
    for (const route of routes) {
      const before = running.before.get(route.key) ?? { requests: 0, ok: 0, answered: 0 };
      running.before.set(route.key, route);
      const requests = route.requests - before.requests;
      if (requests === 0 || route.key.includes(` ${LIVE_PATH}`)) continue;
      const ok = route.ok - before.ok;
      const latencies = new LatencySamples();
      const kept: number[] = [];
      samples[route.key] = kept;
      for (const ms of route.latencyAfter(before.answered)) {
        kept.push(ms);
        latencies.add(ms);
        all.latencies.add(ms);
      }
      all.requests += requests;
      all.ok += ok;
      perRoute[route.key] = figures(requests, ok, latencies);
    }
    this.points.push({
      id: this.nextId++,
      t: Date.now(),
      pid: process.pid,
      routes: perRoute,
      all: figures(all.requests, all.ok, all.latencies),
      process: running.sampler.take(),
      marks: running.marks.splice(0),
    });
    this.samples.push(samples);
    if (this.points.length > this.options.windowSeconds) {
      this.points.shift();
      this.samples.shift();
    }
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }
}

export function figures(requests: number, ok: number, latencies: LatencySamples): Figures {
  const none = latencies.count === 0;
  const [p50 = 0, p95 = 0, p99 = 0] = latencies.percentiles(PERCENTILES);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    requests,
    failures: requests - ok,
    p50: none ? null : round(p50),
    p95: none ? null : round(p95),
    p99: none ? null : round(p99),
  };
}
