// The worker threads behind POST /predict: its own Piscina pool beside /cpu's, not a second
// task in that one. Own threads because each holds the model (given once in workerData), and
// because the labs stay apart: a flood of /cpu cannot queue predictions, a flood of
// predictions cannot queue /cpu, and each pool's figures and 503s are its own. The bound
// works as /cpu's does (src/worker-pool.ts): past `queueLimit` waiting tasks, run() refuses
// at once and the route answers 503 with Retry-After.
import { join } from "node:path";
import { distDir } from "../paths.js";
import { type PoolStats, WorkerPool } from "../worker-pool.js";
import type { Network } from "./network.js";
import type { Prediction, PredictTask } from "./predict-task.js";
import type { PredictWorkerData } from "./predict-worker.js";

export const PREDICT_WORKER_FILE = join(distDir, "src", "digits", "predict-worker.js");

export type PredictPoolStats = PoolStats;

export class PredictPool extends WorkerPool<PredictTask, Prediction> {
  constructor(
    size: number,
    queueLimit: number,
    network: Network,
    workerFile = PREDICT_WORKER_FILE,
  ) {
    const workerData: PredictWorkerData = { network };
    super({ route: "/predict", size, queueLimit, workerFile, workerData });
  }
}
