// The child process of prepare.ts: seed the database and train the model, say each step, end.
import { openDatabase } from "../database.js";
import { loadOrTrainModel } from "../digits/lab.js";
import type { FirstStartMessage, FirstStartWork } from "./prepare.js";

const work = JSON.parse(process.argv[2] ?? "{}") as FirstStartWork;
const say = (message: FirstStartMessage) => process.send?.(message);
const progress = (line: string) => say({ line });

const { db, seeded } = openDatabase(work.dbPath, work.seedSize, progress);
db.close();
const { trained } = loadOrTrainModel(work.modelPath, work.trainingPlan, progress);
say({ done: { seeded, trained } });
// Leaves once the last message is out: the channel closing lets the process end.
process.disconnect?.();
