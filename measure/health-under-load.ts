// /health's tail while another route saturates the server: the lesson of a blocked event loop.
// The load runs closed-loop; meanwhile the open-loop probe asks /health 100 times a second on
// a fixed schedule, inside the load's window, so a stall shows in its p99.
import { type LoadOptions, type LoadResult, runLoad } from "./load.js";
import { probeLatency } from "./probe.js";

const HEALTH_PROBE_EVERY_MS = 10;

export interface HealthUnderLoad {
  load: LoadResult;
  healthP99Ms: number;
  healthFailed: number;
}

export async function healthUnderLoad(
  serverUrl: string,
  load: Pick<LoadOptions, "url" | "connections" | "method" | "body" | "headers">,
  seconds: number,
): Promise<HealthUnderLoad> {
  await runLoad({ ...load, duration: 1 }); // warm-up: a pool's threads start on first use
  const loaded = runLoad({ ...load, duration: seconds });
  // Let the load build up, then probe while it lasts.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const health = await probeLatency(`${serverUrl}/health`, {
    seconds: Math.max(0.5, seconds - 1.5),
    everyMs: HEALTH_PROBE_EVERY_MS,
  });
  return { load: await loaded, healthP99Ms: health.p99Ms, healthFailed: health.failures };
}
