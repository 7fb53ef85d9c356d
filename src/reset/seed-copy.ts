// The fest data as seeded, kept beside it in the same file, so POST /admin/reset can put it
// back in a fraction of a second: copying 60,000 rows inside SQLite is far quicker than running
// the generator again (its password hash alone is a deliberate scrypt). Written when the seed
// is, or on the first start of a database from before the reset existed (then it holds the
// data as found; `npm run seed` rebuilds both).
import type { Database } from "better-sqlite3";

/** Parents first: the copy is put back in this order and removed in the reverse one. */
export const FEST_TABLES = ["events", "users", "registrations"] as const;
const MARK = "seed-copy";

const copyOf = (table: string) => `seed_copy_${table}`;

export function hasSeedCopy(db: Database): boolean {
  return db.prepare("SELECT 1 FROM meta WHERE key = ?").get(MARK) !== undefined;
}

export function keepSeedCopy(db: Database): void {
  db.transaction(() => {
    for (const table of FEST_TABLES) {
      db.exec(`DROP TABLE IF EXISTS ${copyOf(table)}`);
      db.exec(`CREATE TABLE ${copyOf(table)} AS SELECT * FROM ${table}`);
    }
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").run(
      MARK,
      new Date().toISOString(),
    );
  }).immediate();
}

export type FestCounts = Record<(typeof FEST_TABLES)[number], number>;

/**
 * Empties the fest tables and fills them from the copy, in one IMMEDIATE transaction: it waits
 * for any writer (another worker's included) to finish, and no reader sees a half-restored
 * table. Ids come back as they were, so the next sign-up gets the same id as after the seed.
 */
export function restoreSeedCopy(db: Database): FestCounts {
  const counts = {} as FestCounts;
  db.transaction(() => {
    for (const table of [...FEST_TABLES].reverse()) db.exec(`DELETE FROM ${table}`);
    for (const table of FEST_TABLES) {
      // Named columns, so a column added to the schema later is not filled out of order.
      const columns = (
        db.prepare(`PRAGMA table_info(${copyOf(table)})`).all() as { name: string }[]
      )
        .map((column) => column.name)
        .join(", ");
      counts[table] = db
        .prepare(`INSERT INTO ${table} (${columns}) SELECT ${columns} FROM ${copyOf(table)}`)
        .run().changes;
    }
  }).immediate();
  return counts;
}
