// An open-loop probe: one request every `everyMs`, sent on schedule whether or not the earlier
// ones have answered, each timed with hrtime. A one-at-a-time client would send nothing while
// the server is stuck, and so would miss most of the stall it is meant to measure
// ("coordinated omission"); a probe on a fixed schedule lands in the stalls as often as they
// happen, so its p99 shows them.
import { Agent, request } from "node:http";

export interface ProbeSample {
  requests: number;
  failures: number;
  medianMs: number;
  p99Ms: number;
}

export async function probeLatency(
  url: string,
  options: { seconds: number; everyMs: number },
): Promise<ProbeSample> {
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const once = () =>
    new Promise<{ ms: number; ok: boolean }>((resolve) => {
      const started = process.hrtime.bigint();
      const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
      const req = request(url, { agent, timeout: 10_000 }, (res) => {
        res.resume();
        res.on("end", () => resolve({ ms: elapsed(), ok: res.statusCode === 200 }));
      });
      req.on("timeout", () => req.destroy());
      req.on("error", () => resolve({ ms: elapsed(), ok: false }));
      req.end();
    });

  const pending: Promise<{ ms: number; ok: boolean }>[] = [];
  const count = Math.max(1, Math.round((options.seconds * 1000) / options.everyMs));
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      pending.push(once());
      if (pending.length >= count) {
        clearInterval(timer);
        resolve();
      }
    }, options.everyMs);
  });
  const answers = await Promise.all(pending);
  agent.destroy();
  const times = answers.map((a) => a.ms).sort((a, b) => a - b);
  const at = (q: number) =>
    times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN;
  return {
    requests: answers.length,
    failures: answers.filter((a) => !a.ok).length,
    medianMs: at(0.5),
    p99Ms: at(0.99),
  };
}
