// A first start's heavy work (seeding every lab, training the digits model) runs in a child
// process that ends when it is done. Its memory ends with it: the mnist package's 10,000 digits
// (held in Node's module cache once read) and the seed's garbage would otherwise stay in the
// server for its whole life, about 200 MB of an idle server's memory. A process, not a worker
// thread: a thread that loads the SQLite binding and ends took the whole process down now and
// then, and a server must not die of its own first start.
import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { SeedSize } from "../database.js";
import type { TrainingPlan } from "../digits/lab.js";
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
 * Seeds and trains in a child process when the database file or the model file is missing;
 * `progress` hears each step. A failure is not reported here: the caller's own openDatabase
 * and loadOrTrainModel then meet it again and explain it as on any start.
 */
export async function prepareFirstStart(
  work: FirstStartWork,
  progress: (line: string) => void,
): Promise<FirstStartDone> {
  if (existsSync(resolve(work.dbPath)) && existsSync(work.modelPath)) return NOTHING_DONE;
  if (!existsSync(FIRST_START_WORKER_FILE)) return NOTHING_DONE; // the caller does the work
  let done = NOTHING_DONE;
  const child = fork(FIRST_START_WORKER_FILE, [JSON.stringify(work)], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  child.on("message", (message: FirstStartMessage) => {
    if ("line" in message) progress(message.line);
    else done = message.done;
  });
  return new Promise((settle) => {
    child.once("error", () => settle(NOTHING_DONE));
    child.once("exit", () => settle(done));
  });
}
