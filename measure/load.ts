// Closed-loop load with autocannon: `connections` clients, each sending the next request as
// soon as the last one answered, for `duration` seconds. Every response's latency is kept (see
// samples.ts), and each second's count, so the report can draw throughput over time.
import autocannon from "autocannon";
import { LatencySamples, type LatencySummary } from "./samples.js";
import type { Figure } from "./suite.js";

export interface LoadOptions {
  url: string;
  connections: number;
  duration: number;
  /** Request headers, such as `accept` to ask a page for HTML or for JSON. */
  headers?: Record<string, string>;
  /** POST and its body, for a route that takes one; a GET without. */
  method?: "GET" | "POST";
  body?: string;
  /** Seconds of the same load first, not counted: a fresh server's first requests are slow. */
  warmupSeconds?: number;
  /** Every latency is also added here, so several short runs can be summarized as one. */
  keep?: LatencySamples;
  /**
   * Leaves each connection's first response out of `keep` (it still counts as a response): it
   * waited for the connection to open and for the client's own start. See alternating-load.ts.
   */
  keepOnlyOpenConnections?: boolean;
  /** Called on autocannon's tick, once a second: seconds elapsed and responses so far. */
  onTick?(elapsed: number, requests: number): void;
  /** Ends the run early (Ctrl-C); what was measured so far is still returned. */
  signal?: AbortSignal;
}

export interface SecondPoint {
  /** 1 for the first second of the run. */
  second: number;
  requests: number;
  /** Latency of the responses that finished in this second; null when none did. */
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface LoadResult {
  durationSeconds: number;
  /** Responses received, whatever their status. */
  requests: number;
  requestsPerSecond: number;
  /** Over every response, errors included: a fast 500 is still what the client waited. */
  latencyMs: LatencySummary;
  errors: { non2xx: number; connection: number; timeouts: number; total: number };
  statusCodes: Record<string, number>;
  percentiles: { percentile: number; ms: number }[];
  perSecond: SecondPoint[];
}

/** 2xx responses a second: what a throughput figure counts. */
export function okPerSecond(load: LoadResult): number {
  return (load.requests - load.errors.non2xx) / load.durationSeconds;
}

/** A throughput figure: the 2xx a second of one load of the run, its failures beside it. */
export function throughputFigure<Run>(label: string, pick: (run: Run) => LoadResult): Figure<Run> {
  return {
    label,
    unit: "req/s",
    value: (run) => okPerSecond(pick(run)),
    failed: (run) => pick(run).errors.total,
  };
}

/** One route of a running server under closed-loop load, warmed up first, with progress. */
export function loadRoute(
  serverUrl: string,
  route: string,
  options: { connections: number; seconds: number; progress(message: string): void; label: string },
): Promise<LoadResult> {
  options.progress(`${options.label} ${route}, ${options.connections} connections`);
  return runLoad({
    url: serverUrl + route,
    connections: options.connections,
    duration: options.seconds,
    warmupSeconds: 1,
  });
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  if (options.warmupSeconds) {
    await autocannon({ ...requestOf(options), duration: options.warmupSeconds });
  }
  return measuredLoad(options);
}

/** What autocannon sends; a method or body left out (autocannon refuses an undefined one). */
function requestOf({ url, connections, headers, method, body }: LoadOptions) {
  return {
    url,
    connections,
    headers,
    ...(method !== undefined ? { method } : {}),
    ...(body !== undefined ? { body } : {}),
  };
}

function measuredLoad(options: LoadOptions): Promise<LoadResult> {
  const samples = new LatencySamples();
  const statusCodes: Record<string, number> = {};
  let non2xx = 0;
  let ticks = 0;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { ...requestOf(options), duration: options.duration },
      (error, result) => {
        if (error) return reject(error);
        // autocannon stops on its next one-second interval, so a run can last a little longer
        // than asked; the seconds and the rate use the time it really took.
        const seconds = Math.max(1, Math.ceil(result.duration - 0.05));
        const perSecond = samples.bySecond(seconds).map((point, index) => ({
          second: index + 1,
          requests: point.requests,
          p50Ms: Number.isNaN(point.p50) ? null : point.p50,
          p99Ms: Number.isNaN(point.p99) ? null : point.p99,
        }));
        resolve({
          durationSeconds: result.duration,
          requests: samples.count,
          requestsPerSecond: samples.count / result.duration,
          latencyMs: samples.summary(),
          errors: {
            non2xx,
            connection: result.errors - result.timeouts,
            timeouts: result.timeouts,
            total: non2xx + result.errors,
          },
          statusCodes,
          percentiles: samples.curve(),
          perSecond,
        });
      },
    );
    const answeredBefore = new WeakSet<object>();
    instance.on("response", (client, statusCode, _bytes, responseTime) => {
      samples.add(responseTime, Math.floor((performance.now() - started) / 1000));
      if (!options.keepOnlyOpenConnections || answeredBefore.has(client)) {
        options.keep?.add(responseTime, 0);
      }
      answeredBefore.add(client);
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
      if (statusCode < 200 || statusCode > 299) non2xx++;
    });
    if (options.signal?.aborted) instance.stop();
    options.signal?.addEventListener("abort", () => instance.stop(), { once: true });
    instance.on("tick", () => {
      // autocannon ticks once more as it stops; the progress line has said "done" by then.
      if (ticks === options.duration) return;
      ticks++;
      options.onTick?.(ticks, samples.count);
    });
  });
}
