// One GET timed with hrtime, and the sequential client built on it that sends one request at a
// time over a kept-alive connection: what one request costs on an idle server, at a resolution
// autocannon's whole milliseconds cannot show for the fast routes.
import { Agent, request } from "node:http";
import { nearestRank } from "./percentile.js";

export interface LatencySample {
  requests: number;
  failures: number;
  medianMs: number;
  p99Ms: number;
}

export interface TimedAnswer {
  ms: number;
  ok: boolean;
}

/** One GET through `agent`; a connection error, a timeout or a status other than 200 is not ok. */
export function timedGet(url: string, agent: Agent, timeoutMs = 10_000): Promise<TimedAnswer> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
    const req = request(url, { agent, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on("end", () => resolve({ ms: elapsed(), ok: res.statusCode === 200 }));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve({ ms: elapsed(), ok: false }));
    req.end();
  });
}

export function summarizeAnswers(answers: TimedAnswer[]): LatencySample {
  const times = answers.map((answer) => answer.ms).sort((a, b) => a - b);
  return {
    requests: answers.length,
    failures: answers.filter((answer) => !answer.ok).length,
    medianMs: nearestRank(times, 50),
    p99Ms: nearestRank(times, 99),
  };
}

/** One request at a time for `seconds` (at most `maxRequests`), after a few not counted. */
export async function sequentialLatency(
  url: string,
  options: { seconds: number; maxRequests: number; warmup?: number },
): Promise<LatencySample> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < (options.warmup ?? 5); i++) await timedGet(url, agent);
  const answers: TimedAnswer[] = [];
  const deadline = performance.now() + options.seconds * 1000;
  while (answers.length < options.maxRequests && performance.now() < deadline) {
    answers.push(await timedGet(url, agent));
  }
  agent.destroy();
  return summarizeAnswers(answers);
}
