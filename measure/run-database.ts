// The database a measuring run reads: seeded into a temp folder at the start, deleted at the
// end, so a run never touches db/fest.db and two runs never share a file. The servers only
// read it, so every setting of one run sees the same rows.
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_SEED_SIZE, openDatabase, type SeedSize } from "../src/database.js";
import { loadOrTrainModel } from "../src/digits/lab.js";
import { projectRoot } from "../src/paths.js";

export async function withRunDatabase<T>(
  run: (dbPath: string) => Promise<T>,
  size: SeedSize = DEFAULT_SEED_SIZE,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "fest-lab-measure-"));
  try {
    const dbPath = join(dir, "fest.db");
    openDatabase(dbPath, size).db.close();
    // Every server of the run finds the digits model beside its database, as npm start does,
    // so no server trains one while it is being measured: the project's own model (trained
    // here once, the first time, as npm start would) is copied in.
    // A MODEL_PATH in the environment reaches every server (they inherit it) and wins.
    if (process.env.MODEL_PATH === undefined) {
      const projectModel = join(projectRoot, "db", "digits-model.json");
      loadOrTrainModel(projectModel, undefined, (line) => console.log(line));
      copyFileSync(projectModel, join(dir, "digits-model.json"));
    }
    return await run(dbPath);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
