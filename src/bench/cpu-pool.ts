// The worker pool behind GET /cpu in optimized mode: `threads` Piscina worker threads (one
// per core by default) and at most `queueLimit` tasks waiting for one. The bound is the lesson:
// when every thread is busy and the queue is full, run() refuses at once (the route answers
// 503 with Retry-After) instead of letting waits grow without end while clients time out.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Piscina } from "piscina";
import { distDir } from "../paths.js";
import type { CpuInput, CpuResult } from "./cpu-task.js";

export const CPU_WORKER_FILE = join(distDir, "src", "bench", "cpu-worker.js");

/** What the metrics and the monitor read: a snapshot of the pool. */
export interface CpuPoolStats {
  /** Worker threads alive now. */
  threads: number;
  /** Tasks running on a thread. */
  busy: number;
  /** Tasks waiting for a thread. */
  queued: number;
  /** Tasks refused because the queue was full (each one a 503), since start. */
  rejected: number;
  /** Tasks that ran to an answer or an error (not the cancelled ones), since start. */
  completed: number;
}

export class CpuPoolFull extends Error {
  override name = "CpuPoolFull";
  constructor(
    readonly threads: number,
    readonly queueLimit: number,
  ) {
    super(
      `every /cpu worker thread (${threads}) is busy and the queue (${queueLimit} places) is full`,
    );
  }
}

/** What the /cpu route needs from the pool; a test may hand in a wrapped one. */
export type CpuRunner = Pick<CpuPool, "run">;

export class CpuPool {
  private readonly piscina: Piscina<CpuInput, CpuResult>;
  /** Tasks handed to Piscina and not settled yet: the running ones first, then the queue. */
  private inFlight = 0;
  private rejected = 0;
  private completed = 0;
  private destroyed = false;

  constructor(
    readonly size: number,
    readonly queueLimit: number,
    workerFile = CPU_WORKER_FILE,
  ) {
    if (!existsSync(workerFile)) {
      throw new Error(`the /cpu worker ${workerFile} is missing: run \`npm run build\` first`);
    }
    // The queue bound is counted here, not by Piscina's maxQueue, so it holds exactly while a
    // thread is being replaced after a cancelled task.
    this.piscina = new Piscina({ filename: workerFile, minThreads: size, maxThreads: size });
  }

  /**
   * Runs one task on a worker thread. Throws CpuPoolFull at once when the queue is full.
   * Aborting `signal` cancels the task: a waiting one leaves the queue, a running one has its
   * thread stopped and replaced. A task that throws rejects with its error; the pool goes on.
   */
  async run(input: CpuInput, signal?: AbortSignal): Promise<CpuResult> {
    if (this.destroyed) throw new Error("the /cpu pool is shut down");
    if (this.inFlight >= this.size + this.queueLimit) {
      this.rejected++;
      throw new CpuPoolFull(this.size, this.queueLimit);
    }
    this.inFlight++;
    try {
      const result = await this.piscina.run(input, { signal });
      this.completed++;
      return result;
    } catch (error) {
      if (!signal?.aborted) this.completed++;
      throw error;
    } finally {
      this.inFlight--;
    }
  }

  stats(): CpuPoolStats {
    const busy = Math.min(this.inFlight, this.size);
    return {
      threads: this.piscina.threads.length,
      busy,
      queued: this.inFlight - busy,
      rejected: this.rejected,
      completed: this.completed,
    };
  }

  /** Stops every thread; tasks still waiting are refused. */
  destroy(): Promise<void> {
    this.destroyed = true;
    return this.piscina.destroy();
  }
}
