// The worker pool behind GET /cpu in optimized mode: `threads` Piscina worker threads (one
// per core by default) and at most `queueLimit` tasks waiting for one, bounded as every pool
// here is (src/worker-pool.ts).
import { join } from "node:path";
import { distDir } from "../paths.js";
import { type PoolStats, WorkerPool } from "../worker-pool.js";
import type { CpuInput, CpuResult } from "./cpu-task.js";

export const CPU_WORKER_FILE = join(distDir, "src", "bench", "cpu-worker.js");

export type CpuPoolStats = PoolStats;

/** What the /cpu route needs from the pool; a test may hand in a wrapped one. */
export type CpuRunner = Pick<CpuPool, "run">;

export class CpuPool extends WorkerPool<CpuInput, CpuResult> {
  constructor(size: number, queueLimit: number, workerFile = CPU_WORKER_FILE) {
    super({ route: "/cpu", size, queueLimit, workerFile });
  }
}
