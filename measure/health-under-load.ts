// /health's tail while another route saturates the server: the lesson of a blocked event loop.
// The load runs closed-loop; meanwhile the open-loop probe asks /health 100 times a second on
// a fixed schedule, inside the load's window, so a stall shows in its p99.
import { availableParallelism } from "node:os";
import { type LoadOptions, type LoadResult, runLoad } from "./load.js";
import { probeLatency } from "./probe.js";
import { atLeast, atMost, type Figure } from "./suite.js";

const HEALTH_PROBE_EVERY_MS = 10;

export interface HealthUnderLoad {
  load: LoadResult;
  healthP99Ms: number;
  healthFailed: number;
  /**
   * The CPU this process (the load client and the probe) used while the load ran, as a share
   * of all the machine's cores: what it took from a server measured on the same machine.
   */
  clientShare: number;
}

export async function healthUnderLoad(
  serverUrl: string,
  load: Pick<LoadOptions, "url" | "connections" | "method" | "body" | "headers">,
  seconds: number,
): Promise<HealthUnderLoad> {
  await runLoad({ ...load, duration: 1 }); // warm-up: a pool's threads start on first use
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const loaded = runLoad({ ...load, duration: seconds });
  // Let the load build up, then probe while it lasts.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const health = await probeLatency(`${serverUrl}/health`, {
    seconds: Math.max(0.5, seconds - 1.5),
    everyMs: HEALTH_PROBE_EVERY_MS,
  });
  const result = await loaded;
  const { user, system } = process.cpuUsage(cpuBefore);
  const clientShare =
    (user + system) / 1000 / ((performance.now() - started) * availableParallelism());
  return { load: result, healthP99Ms: health.p99Ms, healthFailed: health.failures, clientShare };
}

/** The /health tail with a route saturated on the pool and inline, both read from one run. */
interface PoolAgainstInline {
  pool: Pick<HealthUnderLoad, "healthP99Ms" | "healthFailed">;
  inline: Pick<HealthUnderLoad, "healthP99Ms" | "healthFailed">;
}

/**
 * The lesson's three figures, the same in every lab with a pool: /health's p99 with `route`
 * saturated on the pool (at most 20 ms), inline (shown), and the ratio (at least 5x).
 */
export function healthTailFigures<Run extends PoolAgainstInline>(
  route: string,
  inlineName: string,
): Figure<Run>[] {
  return [
    {
      label: `/health p99 ms, ${route} saturated, pool`,
      unit: "ms",
      value: (run) => run.pool.healthP99Ms,
      failed: (run) => run.pool.healthFailed,
      target: atMost(20, "ms"),
    },
    {
      label: `/health p99 ms, ${route} saturated, ${inlineName}`,
      unit: "ms",
      value: (run) => run.inline.healthP99Ms,
      failed: (run) => run.inline.healthFailed,
    },
    {
      label: `/health p99, ${route} saturated, inline / pool`,
      unit: "x",
      value: (run) => run.inline.healthP99Ms / run.pool.healthP99Ms,
      target: atLeast(5, "x"),
    },
  ];
}
