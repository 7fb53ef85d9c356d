// The worker thread of prepare.ts: seed the database and train the model, say each step, end.
import { parentPort, workerData } from "node:worker_threads";
import { openDatabase } from "../database.js";
import { loadOrTrainModel } from "../digits/first-start.js";
import type { FirstStartMessage, FirstStartWork } from "./prepare.js";

const work = workerData as FirstStartWork;
const say = (message: FirstStartMessage) => parentPort?.postMessage(message);
const progress = (line: string) => say({ line });

const { db, seeded } = openDatabase(work.dbPath, work.seedSize, progress);
db.close();
const { trained } = loadOrTrainModel(work.modelPath, work.trainingPlan, progress);
say({ done: { seeded, trained } });
