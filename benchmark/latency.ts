// A closed-loop client: one request at a time over a kept-alive connection, each timed with
// hrtime. It measures what one request costs, at a resolution autocannon's whole
// milliseconds cannot show for the fast routes.
import { Agent, request } from "node:http";

export interface LatencySample {
  requests: number;
  failures: number;
  medianMs: number;
  p99Ms: number;
}

export async function measureLatency(
  url: string,
  options: { seconds: number; maxRequests: number; warmup?: number },
): Promise<LatencySample> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const once = () =>
    new Promise<{ ms: number; ok: boolean }>((resolve) => {
      const started = process.hrtime.bigint();
      const req = request(url, { agent }, (res) => {
        res.resume();
        res.on("end", () =>
          resolve({
            ms: Number(process.hrtime.bigint() - started) / 1e6,
            ok: res.statusCode === 200,
          }),
        );
      });
      req.on("error", () =>
        resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, ok: false }),
      );
      req.end();
    });

  for (let i = 0; i < (options.warmup ?? 5); i++) await once();
  const times: number[] = [];
  let failures = 0;
  const deadline = performance.now() + options.seconds * 1000;
  while (times.length < options.maxRequests && performance.now() < deadline) {
    const { ms, ok } = await once();
    times.push(ms);
    if (!ok) failures++;
  }
  agent.destroy();
  times.sort((a, b) => a - b);
  const at = (q: number) =>
    times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN;
  return { requests: times.length, failures, medianMs: at(0.5), p99Ms: at(0.99) };
}
