// A first start's heavy work (seeding every lab, training the digits model) runs in a worker
// thread that ends when it is done. Its memory ends with it: the mnist package's 10,000 digits
// (held in Node's module cache once read) and the seed's garbage would otherwise stay in the
// server for its whole life, about 200 MB of an idle server's memory.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import type { TrainingPlan } from "../digits/train.js";
import type { SeedSize } from "../fest/seed.js";
import { distDir } from "../paths.js";

export const FIRST_START_WORKER_FILE = join(distDir, "src", "first-start", "worker.js");

export interface FirstStartWork {
  dbPath: string;
  seedSize: SeedSize | undefined;
  modelPath: string;
  trainingPlan: TrainingPlan | undefined;
}

/** What the worker did; both false when there was nothing to do. */
export interface FirstStartDone {
  seeded: boolean;
  trained: boolean;
}

export type FirstStartMessage = { line: string } | { done: FirstStartDone };

const NOTHING_DONE: FirstStartDone = { seeded: false, trained: false };

/**
 * Seeds and trains in a worker thread when the database file or the model file is missing;
 * `progress` hears each step. A failure is not reported here: the caller's own openDatabase
 * and loadOrTrainModel then meet it again and explain it as on any start.
 */
export async function prepareFirstStart(
  work: FirstStartWork,
  progress: (line: string) => void,
): Promise<FirstStartDone> {
  if (existsSync(resolve(work.dbPath)) && existsSync(work.modelPath)) return NOTHING_DONE;
  let done = NOTHING_DONE;
  let worker: Worker;
  try {
    worker = new Worker(FIRST_START_WORKER_FILE, { workerData: work });
  } catch {
    return NOTHING_DONE; // no built worker file: the caller does the work in its own thread
  }
  worker.on("message", (message: FirstStartMessage) => {
    if ("line" in message) progress(message.line);
    else done = message.done;
  });
  return new Promise((settle) => {
    worker.once("error", () => settle(NOTHING_DONE));
    worker.once("exit", () => settle(done));
  });
}
