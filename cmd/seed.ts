// `npm run seed`: rebuild the database from the fixed seed, optionally at another size. The
// challenge progress in the file (the gradebook and completion codes) is kept.
//   npm run seed -- --events 80 --users 2000 --registrations 60000 --movies 50000 --db db/fest.db
import { rmSync } from "node:fs";
import BetterSqlite3 from "better-sqlite3";
import { DEFAULT_MOVIE_COUNT } from "../src/catalogue/seed.js";
import { DEFAULT_SEED_SIZE, openDatabase, type SeedSize, tableCounts } from "../src/database.js";
import { readOptions, usageLines } from "../src/options.js";
import { wholeNumber } from "../src/parsers.js";

/** What a rebuild keeps: the class's work, not the lab's data (src/challenge/progress.ts). */
const PROGRESS_TABLE = "challenge_progress";

const OPTIONS = {
  events: {
    flag: "events",
    arg: "N",
    default: String(DEFAULT_SEED_SIZE.events),
    shown: String(DEFAULT_SEED_SIZE.events),
    help: "events, 1 to 100000",
    parse: (text: string) => wholeNumber(text, 1, 100_000),
  },
  users: {
    flag: "users",
    arg: "N",
    default: String(DEFAULT_SEED_SIZE.users),
    shown: String(DEFAULT_SEED_SIZE.users),
    help: "users, 1 to 1000000",
    parse: (text: string) => wholeNumber(text, 1, 1_000_000),
  },
  registrations: {
    flag: "registrations",
    arg: "N",
    default: String(DEFAULT_SEED_SIZE.registrations),
    shown: String(DEFAULT_SEED_SIZE.registrations),
    help: "registrations, 0 to 10000000",
    parse: (text: string) => wholeNumber(text, 0, 10_000_000),
  },
  movies: {
    flag: "movies",
    arg: "N",
    default: String(DEFAULT_MOVIE_COUNT),
    shown: String(DEFAULT_MOVIE_COUNT),
    help: "movies in the catalogue, 1 to 1000000 (its well-known films, The Godfather first, are always there)",
    parse: (text: string) => wholeNumber(text, 1, 1_000_000),
  },
  db: {
    flag: "db",
    env: "DB_PATH",
    arg: "PATH",
    default: "db/fest.db",
    shown: "db/fest.db",
    help: "the SQLite file to rebuild",
    parse: (text: string) => text,
  },
};

function main(): void {
  // DB_PATH names the file as it does for `npm start`; --db wins over it.
  const read = readOptions(OPTIONS, { argv: process.argv.slice(2), env: process.env });
  if (read.kind === "help") {
    console.log(["Usage: npm run seed -- [options]", ...usageLines(OPTIONS)].join("\n"));
    return;
  }
  const { events, users, registrations, movies, db: path } = read.values;
  const size: SeedSize = { events, users, registrations, movies };
  const progress = progressKeptFrom(path);
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
  const started = Date.now();
  console.log(
    `seeding ${path}: ${size.events} events, ${size.users} users, ${size.registrations} registrations, ${size.movies} movies ...`,
  );
  const { db } = openDatabase(path, size);
  const counts = tableCounts(db);
  putBack(db, progress);
  db.close();
  console.log(
    `done in ${Date.now() - started} ms: ${counts.events} events, ${counts.users} users (with locust_user), ${counts.registrations} registrations, ${counts.movies} movies (with their similar-movie lists)`,
  );
}

/**
 * The class's challenge progress (and its completion codes) in the file about to be rebuilt:
 * the data goes back to the seed, the gradebook stays. Refuses to go on when the file is not a
 * SQLite database: a wrong --db should not cost someone their file.
 */
function progressKeptFrom(path: string): Record<string, unknown>[] {
  let old: BetterSqlite3.Database;
  try {
    old = new BetterSqlite3(path, { fileMustExist: true });
    old.prepare("SELECT count(*) FROM sqlite_master").get();
  } catch (error) {
    if ((error as { code?: string }).code === "SQLITE_CANTOPEN") return [];
    throw new Error(`${path} exists but is not a SQLite database: not touching it`);
  }
  try {
    const hasTable = old
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
      .get(PROGRESS_TABLE);
    return hasTable === undefined
      ? []
      : (old.prepare(`SELECT * FROM ${PROGRESS_TABLE}`).all() as Record<string, unknown>[]);
  } finally {
    old.close();
  }
}

/** The kept rows into the new file, by the columns both have (an older file may have fewer). */
function putBack(db: BetterSqlite3.Database, rows: Record<string, unknown>[]): void {
  if (rows.length === 0) return;
  const columns = (db.pragma(`table_info(${PROGRESS_TABLE})`) as { name: string }[])
    .map((column) => column.name)
    .filter((name) => name in (rows[0] ?? {}));
  const insert = db.prepare(
    `INSERT INTO ${PROGRESS_TABLE} (${columns.join(", ")}) VALUES (${columns.map((c) => `@${c}`).join(", ")})`,
  );
  db.transaction(() => {
    for (const row of rows) insert.run(Object.fromEntries(columns.map((c) => [c, row[c]])));
  })();
  console.log(
    `kept the challenge progress: ${rows.length} challenge${rows.length === 1 ? "" : "s"} (npm run challenge -- progress --clear forgets it)`,
  );
}

try {
  main();
} catch (error) {
  process.stderr.write(`seed: ${(error as Error).message}\n`);
  process.exit(1);
}
