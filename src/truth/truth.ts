// The server's own exact account of what it received and answered, to check a load tool's
// report against: per method and route pattern, requests, answers by status, clients that left
// first, faults injected by kind, server-side latency and bytes sent; connections opened,
// closed and reset by a fault. A request that carries X-Run-Id is also counted under that run.
// It watches every request from outside the drain and the capacity limit (watchRequests), so
// the requests they refuse are counted too. Counted when a request ends (answered, reset or abandoned),
// because only then is its route pattern known.
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import type { FaultCounter } from "../faults/faults.js";
import type { FaultMarks } from "../faults/inject.js";
import type { RequestFaultKind } from "../faults/spec.js";
import type { EndedRequest, RequestWatcher } from "../observe/request-watch.js";
import { LatencySamples } from "./samples.js";

/** A run id is a short label a student picks: letters, digits, ".", "_" and "-". */
export const RUN_ID = /^[\w.-]{1,64}$/;
/** Enough runs for a class on one server; past it, new ids are counted as refused. */
const MAX_RUNS = 200;
export const PERCENTILES = [50, 95, 99] as const;

const FAULT_OF = Symbol("fault kinds injected into this request");
type MarkedResponse = ServerResponse & { [FAULT_OF]?: RequestFaultKind[] };

class RouteCounts {
  requests = 0;
  readonly statuses = new Map<number, number>();
  clientLeftFirst = 0;
  readonly faults: Record<RequestFaultKind, number> = { error: 0, delay: 0, reset: 0, hang: 0 };
  bytesSent = 0;
  readonly latency = new LatencySamples();

  constructor(
    readonly method: string,
    readonly route: string,
  ) {}

  report() {
    const [p50 = 0, p95 = 0, p99 = 0] = this.latency.percentiles(PERCENTILES);
    return {
      method: this.method,
      route: this.route,
      requests: this.requests,
      statuses: Object.fromEntries([...this.statuses].sort(([a], [b]) => a - b)),
      errorAnswers: [...this.statuses].reduce((sum, [s, n]) => sum + (s >= 400 ? n : 0), 0),
      clientLeftFirst: this.clientLeftFirst,
      faults: { ...this.faults },
      bytesSent: this.bytesSent,
      latencyMs: { answered: this.latency.count, p50, p95, p99 },
    };
  }
}

export type RouteReport = ReturnType<RouteCounts["report"]>;

/** One route's running totals since the last reset, for a reader that takes differences. */
export interface RouteTally {
  /** "METHOD /pattern". */
  key: string;
  requests: number;
  /** Answers with a status below 400; requests minus these failed (or got no answer). */
  ok: number;
  /** Answers whose time was kept: latencyAfter(n) gives those after the first n. */
  answered: number;
  latencyAfter(count: number): Float64Array;
}

class RouteTable {
  private readonly rows = new Map<string, RouteCounts>();
  /** The same rows by route, then method: every request finds its row without building a key. */
  private readonly byRoute = new Map<string, Map<string, RouteCounts>>();

  row(method: string, route: string): RouteCounts {
    return this.byRoute.get(route)?.get(method) ?? this.add(method, route);
  }

  private add(method: string, route: string): RouteCounts {
    const row = new RouteCounts(method, route);
    this.rows.set(`${method} ${route}`, row);
    const byMethod = this.byRoute.get(route) ?? new Map<string, RouteCounts>();
    this.byRoute.set(route, byMethod);
    byMethod.set(method, row);
    return row;
  }

  tallies(): RouteTally[] {
    return [...this.rows.values()].map((row) => ({
      key: `${row.method} ${row.route}`,
      requests: row.requests,
      ok: [...row.statuses].reduce((sum, [status, n]) => sum + (status < 400 ? n : 0), 0),
      answered: row.latency.count,
      latencyAfter: (count) => row.latency.after(count),
    }));
  }

  /** Each route's answered requests' times, keyed "METHOD route". */
  samples(): Record<string, number[]> {
    return Object.fromEntries(
      [...this.rows.entries()].map(([key, row]) => [key, row.latency.all()]),
    );
  }

  report(): RouteReport[] {
    return [...this.rows.values()]
      .map((row) => row.report())
      .sort((a, b) => a.route.localeCompare(b.route) || a.method.localeCompare(b.method));
  }
}

/** Answered requests' times, in ms, keyed "METHOD route". */
export type LatencySampleSet = Record<string, number[]>;

export interface TruthReport {
  since: string;
  seconds: number;
  latency: string;
  connections: { opened: number; closed: number; resetByFault: number };
  requestsInFlight: number;
  stalls: number;
  faultHeadersIgnored: number;
  runIdsRefused: number;
  routes: RouteReport[];
  runs: string[];
}

export class GroundTruth implements FaultMarks, FaultCounter, RequestWatcher {
  private all = new RouteTable();
  private runs = new Map<string, RouteTable>();
  private since = new Date();
  private sinceMs = performance.now();
  private connections = { opened: 0, closed: 0, resetByFault: 0 };
  private inFlight = 0;
  private stalls = 0;
  private ignoredHeaders = 0;
  private refusedRunIds = 0;
  /** Times the counts went back to zero: a reader of tallies() starts its differences again. */
  private resetCount = 0;
  /** Literal route paths: names a request refused before routing (capacity, drain) by its path. */
  private literalPaths = new Set<string>();

  readonly requestStarted = (): void => {
    this.inFlight++;
  };

  readonly requestEnded = (ended: EndedRequest): void => {
    this.inFlight--;
    const { req } = ended;
    const pattern = this.patternOf(req, ended.route);
    const method = req.method ?? "";
    this.count(this.all.row(method, pattern), ended);
    const runId = req.headers["x-run-id"];
    if (typeof runId === "string") {
      const table = this.runTable(runId);
      if (table !== undefined) this.count(table.row(method, pattern), ended);
    }
  };

  watchConnections(server: Server): void {
    server.on("connection", (socket: Socket) => {
      this.connections.opened++;
      socket.once("close", () => this.connections.closed++);
    });
  }

  /** The app's route patterns; those without a parameter name unrouted requests by path. */
  knowRoutes(patterns: readonly string[]): void {
    this.literalPaths = new Set(patterns.filter((p) => !p.includes(":") && !p.includes("*")));
  }

  markFault(res: ServerResponse, kind: RequestFaultKind): void {
    const marked = res as MarkedResponse;
    const kinds = marked[FAULT_OF] ?? [];
    kinds.push(kind);
    marked[FAULT_OF] = kinds;
    if (kind === "reset") this.connections.resetByFault++;
  }

  countStall(): void {
    this.stalls++;
  }

  countIgnoredHeaders(): void {
    this.ignoredHeaders++;
  }

  reset(): void {
    this.all = new RouteTable();
    this.runs = new Map();
    this.since = new Date();
    this.sinceMs = performance.now();
    this.connections = { opened: 0, closed: 0, resetByFault: 0 };
    this.stalls = 0;
    this.ignoredHeaders = 0;
    this.refusedRunIds = 0;
    this.resetCount++;
  }

  /**
   * A run counted from zero from now on, made even when MAX_RUNS others exist: a challenge
   * grades against it (src/challenge/), so it must not be refused as the 201st.
   */
  startRun(runId: string): void {
    if (!RUN_ID.test(runId)) throw new Error(`"${runId}" is no run id: ${RUN_ID}`);
    this.runs.set(runId, new RouteTable());
  }

  /** Every route's running totals (all requests, not a run's), and how many resets came before them. */
  tallies(): { resets: number; routes: RouteTally[] } {
    return { resets: this.resetCount, routes: this.all.tallies() };
  }

  /** Everything, or one run's routes; undefined when that run sent nothing. */
  report(runId?: string): TruthReport | undefined {
    const table = runId === undefined ? this.all : this.runs.get(runId);
    if (table === undefined) return undefined;
    return {
      since: this.since.toISOString(),
      seconds: Math.round(performance.now() - this.sinceMs) / 1000,
      latency:
        "exact: from the request's arrival to its last byte handed to the socket, every answered request kept; percentiles by nearest rank",
      connections: { ...this.connections },
      requestsInFlight: this.inFlight,
      stalls: this.stalls,
      faultHeadersIgnored: this.ignoredHeaders,
      runIdsRefused: this.refusedRunIds,
      routes: table.report(),
      runs: [...this.runs.keys()].sort(),
    };
  }

  /** Every answered request's time by route (of one run): a group's exact percentiles. */
  latencySamples(runId?: string): LatencySampleSet | undefined {
    return (runId === undefined ? this.all : this.runs.get(runId))?.samples();
  }

  private count(row: RouteCounts, { res, answered, ms, bytes }: EndedRequest): void {
    row.requests++;
    row.bytesSent += bytes;
    const faults = (res as MarkedResponse)[FAULT_OF];
    if (faults !== undefined) for (const kind of faults) row.faults[kind]++;
    if (answered) {
      row.statuses.set(res.statusCode, (row.statuses.get(res.statusCode) ?? 0) + 1);
      row.latency.add(ms);
    } else if (faults === undefined || !faults.some((k) => k === "reset" || k === "hang")) {
      row.clientLeftFirst++;
    }
  }

  private patternOf(req: IncomingMessage, label: string): string {
    if (label !== "unmatched") return label;
    const url = req.url ?? "";
    const query = url.indexOf("?");
    const path = query === -1 ? url : url.slice(0, query);
    return this.literalPaths.has(path) ? path : "unmatched";
  }

  private runTable(runId: string): RouteTable | undefined {
    let table = this.runs.get(runId);
    if (table !== undefined) return table;
    if (!RUN_ID.test(runId) || this.runs.size >= MAX_RUNS) {
      this.refusedRunIds++;
      return undefined;
    }
    table = new RouteTable();
    this.runs.set(runId, table);
    return table;
  }
}
