// The worker threads behind POST /predict: its own Piscina pool beside /cpu's, not a second
// task in that one. Own threads because each holds the model (given once in workerData), and
// because the labs stay apart: a flood of /cpu cannot queue predictions, a flood of
// predictions cannot queue /cpu, and each pool's figures and 503s are its own. The bound
// works as /cpu's does (src/bench/cpu-pool.ts): past `queueLimit` waiting tasks, run() refuses
// at once and the route answers 503 with Retry-After.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Piscina } from "piscina";
import { distDir } from "../paths.js";
import type { Network } from "./network.js";
import type { Prediction, PredictTask } from "./predict-task.js";
import type { PredictWorkerData } from "./predict-worker.js";

export const PREDICT_WORKER_FILE = join(distDir, "src", "digits", "predict-worker.js");

export interface PredictPoolStats {
  threads: number;
  busy: number;
  queued: number;
  rejected: number;
  completed: number;
}

export class PredictPoolFull extends Error {
  override name = "PredictPoolFull";
  constructor(
    readonly threads: number,
    readonly queueLimit: number,
  ) {
    super(
      `every /predict worker thread (${threads}) is busy and the queue (${queueLimit} places) is full`,
    );
  }
}

export class PredictPool {
  private readonly piscina: Piscina<PredictTask, Prediction>;
  /** Tasks handed to Piscina and not settled yet: the running ones, then the queue. */
  private inFlight = 0;
  private rejected = 0;
  private completed = 0;
  private destroyed = false;

  constructor(
    readonly size: number,
    readonly queueLimit: number,
    network: Network,
    workerFile = PREDICT_WORKER_FILE,
  ) {
    if (!existsSync(workerFile)) {
      throw new Error(`the /predict worker ${workerFile} is missing: run \`npm run build\` first`);
    }
    const workerData: PredictWorkerData = { network };
    this.piscina = new Piscina({
      filename: workerFile,
      minThreads: size,
      maxThreads: size,
      workerData,
    });
  }

  /** One prediction on a thread; PredictPoolFull at once when full; `signal` cancels it. */
  async run(task: PredictTask, signal?: AbortSignal): Promise<Prediction> {
    if (this.destroyed) throw new Error("the /predict pool is shut down");
    if (this.inFlight >= this.size + this.queueLimit) {
      this.rejected++;
      throw new PredictPoolFull(this.size, this.queueLimit);
    }
    this.inFlight++;
    try {
      const result = await this.piscina.run(task, { signal });
      this.completed++;
      return result;
    } catch (error) {
      if (!signal?.aborted) this.completed++;
      throw error;
    } finally {
      this.inFlight--;
    }
  }

  stats(): PredictPoolStats {
    const busy = Math.min(this.inFlight, this.size);
    return {
      threads: this.piscina.threads.length,
      busy,
      queued: this.inFlight - busy,
      rejected: this.rejected,
      completed: this.completed,
    };
  }

  destroy(): Promise<void> {
    this.destroyed = true;
    return this.piscina.destroy();
  }
}
