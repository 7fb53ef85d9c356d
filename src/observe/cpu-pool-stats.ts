// The seam between the observers (/metrics and the resource monitor) and the /cpu worker
// pool. The pool lives in src/bench/ (issue 3); the observers only ever call this function,
// so they work, and report zeros, in a build that has no pool yet.
// Wiring: startLab passes `() => cpuPool.stats()` as StartOptions.cpuPoolStats.

export interface CpuPoolStats {
  /** Worker threads the pool has now. */
  threads: number;
  /** Threads running a task now. */
  busy: number;
  /** Tasks waiting for a free thread. */
  queued: number;
  /** Tasks refused since start because the queue was full (a 503 each). */
  rejected: number;
  /** Tasks finished since start. */
  completed: number;
}

export type CpuPoolStatsProvider = () => CpuPoolStats;

export const NO_CPU_POOL: CpuPoolStats = {
  threads: 0,
  busy: 0,
  queued: 0,
  rejected: 0,
  completed: 0,
};

export function readCpuPoolStats(provider: CpuPoolStatsProvider | undefined): CpuPoolStats {
  return provider === undefined ? NO_CPU_POOL : provider();
}
