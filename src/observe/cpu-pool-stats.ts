// What the observers (/metrics and the resource monitor) read of the /cpu worker pool: a
// function, so tests can hand in a fake. startServer passes `() => cpuPool.stats()`.
import type { CpuPoolStats } from "../bench/cpu-pool.js";

export type { CpuPoolStats };
export type CpuPoolStatsProvider = () => CpuPoolStats;

/** What a process without a /cpu pool (a fest service) reports: nothing running, nothing done. */
export const IDLE_POOL: CpuPoolStats = {
  threads: 0,
  busy: 0,
  queued: 0,
  rejected: 0,
  completed: 0,
};
