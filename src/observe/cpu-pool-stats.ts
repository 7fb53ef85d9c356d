// What the observers (/metrics and the resource monitor) read of the /cpu worker pool: a
// function, so tests can hand in a fake. startServer passes `() => cpuPool.stats()`.
import type { CpuPoolStats } from "../bench/cpu-pool.js";

export type { CpuPoolStats };
export type CpuPoolStatsProvider = () => CpuPoolStats;
