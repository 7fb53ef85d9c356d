// An open-loop probe: one request every `everyMs`, sent on schedule whether or not the earlier
// ones have answered, each timed with hrtime. A one-at-a-time client would send nothing while
// the server is stuck, and so would miss most of the stall it is meant to measure
// ("coordinated omission"); a probe on a fixed schedule lands in the stalls as often as they
// happen, so its p99 shows them.
import { Agent } from "node:http";
import { type LatencySample, summarizeAnswers, type TimedAnswer, timedGet } from "./timed-get.js";

export async function probeLatency(
  url: string,
  options: { seconds: number; everyMs: number; signal?: AbortSignal },
): Promise<LatencySample> {
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const pending: Promise<TimedAnswer>[] = [];
  const count = Math.max(1, Math.round((options.seconds * 1000) / options.everyMs));
  await new Promise<void>((resolve) => {
    const stop = () => {
      clearInterval(timer);
      resolve();
    };
    const timer = setInterval(() => {
      pending.push(timedGet(url, agent));
      if (pending.length >= count) stop();
    }, options.everyMs);
    options.signal?.addEventListener("abort", stop, { once: true });
  });
  const answers = await Promise.all(pending);
  agent.destroy();
  return summarizeAnswers(answers);
}
