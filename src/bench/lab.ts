// The bench lab: /health, /io and /cpu, the baselines every other lab is measured against.
// /health itself is answered below Express (health.ts); its CPU work runs in a thread pool.

import { type Switches, switchesOfLab } from "../switches.js";
import { CpuPool } from "./cpu-pool.js";
import { benchRouter } from "./routes.js";

export function benchLab({
  config,
  switches,
}: {
  /** CPU_POOL_SIZE and CPU_POOL_QUEUE, of the Config. */
  config: { cpuPoolSize: number; cpuPoolQueue: number };
  switches: Switches;
}) {
  const cpuPool = new CpuPool(config.cpuPoolSize, config.cpuPoolQueue);
  return {
    name: "bench",
    router: benchRouter(switches, cpuPool),
    paths: ["/io", "/cpu"],
    switches: switchesOfLab("bench"),
    /** The /cpu worker threads; stats() is what the metrics and the monitor read. */
    cpuPool,
    close: () => cpuPool.destroy(),
  };
}
