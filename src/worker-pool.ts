// A Piscina pool with a bound: `size` worker threads and at most `queueLimit` tasks waiting for
// one. The bound is the lesson: when every thread is busy and the queue is full, run() refuses
// at once (the route answers 503 with Retry-After) instead of letting waits grow without end
// while clients time out. /cpu (src/bench/cpu-pool.ts) and /predict (src/digits/predict-pool.ts)
// each have one, so a flood of one lab never queues the other's work.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Piscina } from "piscina";
import { distDir } from "./paths.js";

/** The CommonJS file Piscina loads in each thread; it imports the pool's task module. */
const TASK_ENTRY = join(distDir, "src", "esm-task.cjs");

/** What the metrics and the monitor read: a snapshot of the pool. */
export interface PoolStats {
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

export class PoolFull extends Error {
  override name = "PoolFull";
  constructor(
    readonly route: string,
    readonly threads: number,
    readonly queueLimit: number,
  ) {
    super(
      `every ${route} worker thread (${threads}) is busy and the queue (${queueLimit} places) is full`,
    );
  }
}

export interface PoolShape {
  /** The route the pool serves, as its messages name it: "/cpu". */
  route: string;
  size: number;
  queueLimit: number;
  workerFile: string;
  /** Handed to every thread once, at its start (the digits model). */
  workerData?: object;
}

export class WorkerPool<Input, Output> {
  readonly size: number;
  readonly queueLimit: number;
  private readonly route: string;
  private readonly piscina: Piscina<Input, Output>;
  /** Tasks handed to Piscina and not settled yet: the running ones first, then the queue. */
  private inFlight = 0;
  private rejected = 0;
  private completed = 0;
  private destroyed = false;

  constructor({ route, size, queueLimit, workerFile, workerData }: PoolShape) {
    if (!existsSync(workerFile)) {
      throw new Error(`the ${route} worker ${workerFile} is missing: run \`npm run build\` first`);
    }
    this.route = route;
    this.size = size;
    this.queueLimit = queueLimit;
    // The queue bound is counted here, not by Piscina's maxQueue, so it holds exactly while a
    // thread is being replaced after a cancelled task.
    this.piscina = new Piscina({
      filename: TASK_ENTRY,
      minThreads: size,
      maxThreads: size,
      workerData: { ...(workerData as object), taskModule: pathToFileURL(workerFile).href },
    });
  }

  /**
   * Runs one task on a worker thread. Throws PoolFull at once when the queue is full.
   * Aborting `signal` cancels the task: a waiting one leaves the queue, a running one has its
   * thread stopped and replaced. A task that throws rejects with its error; the pool goes on.
   */
  async run(input: Input, signal?: AbortSignal): Promise<Output> {
    if (this.destroyed) throw new Error(`the ${this.route} pool is shut down`);
    if (this.inFlight >= this.size + this.queueLimit) {
      this.rejected++;
      throw new PoolFull(this.route, this.size, this.queueLimit);
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

  stats(): PoolStats {
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
