// `npm run seed`: rebuild the database from the fixed seed, optionally at another size.
//   npm run seed -- --events 80 --users 2000 --registrations 60000 --movies 50000 --db db/fest.db
import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import BetterSqlite3 from "better-sqlite3";
import { DEFAULT_MOVIE_COUNT } from "../src/catalogue/seed.js";
import { openDatabase, tableCounts } from "../src/database.js";
import { DEFAULT_SEED_SIZE, type SeedSize } from "../src/fest/seed.js";

const USAGE = `Usage: npm run seed -- [--events N] [--users N] [--registrations N] [--movies N] [--db PATH]
  defaults: --events ${DEFAULT_SEED_SIZE.events} --users ${DEFAULT_SEED_SIZE.users} --registrations ${DEFAULT_SEED_SIZE.registrations} --movies ${DEFAULT_MOVIE_COUNT} --db $DB_PATH or db/fest.db
  (the catalogue always holds its well-known films, The Godfather first, whatever --movies says)`;

function count(
  name: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new Error(`--${name} ${text} is not allowed: use a whole number from ${min} to ${max}`);
  }
  return value;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      events: { type: "string" },
      users: { type: "string" },
      registrations: { type: "string" },
      movies: { type: "string" },
      db: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const size: SeedSize = {
    events: count("events", values.events, DEFAULT_SEED_SIZE.events, 1, 100_000),
    users: count("users", values.users, DEFAULT_SEED_SIZE.users, 1, 1_000_000),
    registrations: count(
      "registrations",
      values.registrations,
      DEFAULT_SEED_SIZE.registrations,
      0,
      10_000_000,
    ),
    movies: count("movies", values.movies, DEFAULT_MOVIE_COUNT, 1, 1_000_000),
  };
  const path = values.db ?? process.env.DB_PATH ?? "db/fest.db";
  // Refuse to delete a file that is not a SQLite database: a wrong --db should not cost someone their file.
  try {
    new BetterSqlite3(path, { fileMustExist: true })
      .prepare("SELECT count(*) FROM sqlite_master")
      .get();
  } catch (error) {
    if ((error as { code?: string }).code !== "SQLITE_CANTOPEN") {
      throw new Error(`${path} exists but is not a SQLite database: not touching it`);
    }
  }
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
  const started = Date.now();
  console.log(
    `seeding ${path}: ${size.events} events, ${size.users} users, ${size.registrations} registrations, ${size.movies} movies ...`,
  );
  const { db } = openDatabase(path, size);
  const counts = tableCounts(db);
  db.close();
  console.log(
    `done in ${Date.now() - started} ms: ${counts.events} events, ${counts.users} users (with locust_user), ${counts.registrations} registrations, ${counts.movies} movies (with their similar-movie lists)`,
  );
}

try {
  main();
} catch (error) {
  process.stderr.write(`seed: ${(error as Error).message}\n`);
  process.exit(1);
}
