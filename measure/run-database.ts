// The database a measuring run reads: seeded into a temp folder at the start, deleted at the
// end, so a run never touches db/fest.db and two runs never share a file. The servers only
// read it, so every setting of one run sees the same rows.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../src/database.js";
import { DEFAULT_SEED_SIZE, type SeedSize } from "../src/fest/seed.js";

export async function withRunDatabase<T>(
  run: (dbPath: string) => Promise<T>,
  size: SeedSize = DEFAULT_SEED_SIZE,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "fest-lab-measure-"));
  try {
    const dbPath = join(dir, "fest.db");
    openDatabase(dbPath, size).db.close();
    return await run(dbPath);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
