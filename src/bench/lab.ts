// The bench lab: /health, /io and /cpu, the baselines every other lab is measured against.
// /health itself is answered below Express (health.ts); its CPU work runs in a thread pool.
import type { Lab, LabParts } from "../labs/lab.js";
import { switchesOfLab } from "../labs/lab.js";
import { CpuPool } from "./cpu-pool.js";
import { benchRouter } from "./routes.js";

export interface BenchLab extends Lab {
  /** The /cpu worker threads; stats() is what the metrics and the monitor read. */
  cpuPool: CpuPool;
}

export function benchLab({ config, switches, cleanup }: LabParts): BenchLab {
  const cpuPool = new CpuPool(config.cpuPoolSize, config.cpuPoolQueue);
  cleanup.add(() => cpuPool.destroy());
  return {
    name: "bench",
    router: benchRouter(switches, cpuPool),
    switches: switchesOfLab("bench"),
    cpuPool,
  };
}
