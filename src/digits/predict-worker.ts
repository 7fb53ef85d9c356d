// What each thread of the /predict pool runs. The network arrives once per thread in
// workerData, its arrays in shared memory: every thread reads the copy the server loaded at
// start, none re-reads the file (unless model-per-request asks it to, task by task). Piscina
// loads the compiled dist/src/digits/predict-worker.js.
import { workerData } from "node:worker_threads";
import type { Network } from "./network.js";
import { type Prediction, type PredictTask, predictDigit } from "./predict-task.js";

export interface PredictWorkerData {
  network: Network;
}

// Set once when the thread starts and never changed: this thread's view of the shared model.
const { network } = workerData as PredictWorkerData;

export default function predictWorker(task: PredictTask): Prediction {
  return predictDigit(network, task);
}
