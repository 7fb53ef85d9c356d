// One GET timed with hrtime, and the sequential client built on it that sends one request at a
// time over a kept-alive connection: what one request costs on an idle server, at a resolution
// autocannon's whole milliseconds cannot show for the fast routes.
import { Agent, request } from "node:http";
import { nearestRank } from "./percentile.js";

/** How long one request may wait for its answer; past it, it is given up and counts as failed. */
export const ANSWER_TIMEOUT_MS = 10_000;

export interface LatencySample {
  requests: number;
  failures: number;
  /** Of the failures, those that got no answer within ANSWER_TIMEOUT_MS: their time is the limit. */
  timedOut: number;
  medianMs: number;
  p95Ms: number;
  p99Ms: number;
}

export interface TimedAnswer {
  ms: number;
  ok: boolean;
  timedOut?: boolean;
}

/** A request other than a plain GET: a POST with its body (the digits lab's predictions). */
export interface RequestShape {
  method: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * One request through `agent`, a GET unless `shape` says otherwise; a connection error, a
 * timeout or a status other than 200 is not ok.
 */
export function timedGet(
  url: string,
  agent: Agent,
  timeoutMs = ANSWER_TIMEOUT_MS,
  shape?: RequestShape,
): Promise<TimedAnswer> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
    const options = { agent, timeout: timeoutMs, method: shape?.method, headers: shape?.headers };
    const req = request(url, options, (res) => {
      res.resume();
      res.on("end", () => resolve({ ms: elapsed(), ok: res.statusCode === 200 }));
    });
    let timedOut = false;
    req.on("timeout", () => {
      timedOut = true;
      req.destroy();
    });
    req.on("error", () => resolve({ ms: elapsed(), ok: false, timedOut }));
    req.end(shape?.body);
  });
}

export function summarizeAnswers(answers: TimedAnswer[]): LatencySample {
  const times = answers.map((answer) => answer.ms).sort((a, b) => a - b);
  return {
    requests: answers.length,
    failures: answers.filter((answer) => !answer.ok).length,
    timedOut: answers.filter((answer) => answer.timedOut === true).length,
    medianMs: nearestRank(times, 50),
    p95Ms: nearestRank(times, 95),
    p99Ms: nearestRank(times, 99),
  };
}

/** One request at a time for `seconds` (at most `maxRequests`), after a few not counted. */
export async function sequentialLatency(
  url: string,
  options: { seconds: number; maxRequests: number; warmup?: number; shape?: RequestShape },
): Promise<LatencySample> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const send = () => timedGet(url, agent, ANSWER_TIMEOUT_MS, options.shape);
  for (let i = 0; i < (options.warmup ?? 5); i++) await send();
  const answers: TimedAnswer[] = [];
  const deadline = performance.now() + options.seconds * 1000;
  while (answers.length < options.maxRequests && performance.now() < deadline) {
    answers.push(await send());
  }
  agent.destroy();
  return summarizeAnswers(answers);
}
