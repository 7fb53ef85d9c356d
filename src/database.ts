// Opens the SQLite file, applies the schema, and fills it on the first start.
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import BetterSqlite3, { type Database } from "better-sqlite3";
import { DEFAULT_MOVIE_COUNT, seedCatalogue } from "./catalogue/seed.js";
import { DEFAULT_FEST_SIZE, type FestSize, seedDatabase } from "./fest/seed.js";
import { schemaFile } from "./paths.js";
import { hasSeedCopy, keepSeedCopy } from "./reset/seed-copy.js";
import { StartupError } from "./startup-error.js";

/** The data of every lab: the fest's sizes, and the catalogue's movies (absent: the default). */
export interface SeedSize extends FestSize {
  movies?: number;
}

export const DEFAULT_SEED_SIZE: SeedSize = { ...DEFAULT_FEST_SIZE, movies: DEFAULT_MOVIE_COUNT };

export class DatabaseOpenError extends StartupError {
  override name = "DatabaseOpenError";
}

export interface OpenedDatabase {
  db: Database;
  /** True when this start created and filled the file. */
  seeded: boolean;
}

/**
 * `progress` hears a line per step of a first start's seeding (some seconds at the default
 * size), so a person waiting for the banner sees the server working, not hanging.
 */
export function openDatabase(
  path: string,
  seedSize: SeedSize = DEFAULT_SEED_SIZE,
  progress: (line: string) => void = () => {},
): OpenedDatabase {
  const file = resolve(path);
  let db: Database;
  try {
    mkdirSync(dirname(file), { recursive: true });
    // With WORKERS=N several processes write this file: a writer that finds it locked waits
    // up to 5 s for its turn (SQLITE_BUSY only after that) instead of failing at once.
    db = new BetterSqlite3(file, { timeout: 5_000 });
    // WAL lets readers and the writer overlap; NORMAL sync is safe with WAL and much faster.
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    db.exec(readFileSync(schemaFile, "utf8"));
  } catch (error) {
    throw new DatabaseOpenError(
      `cannot open the database at ${file}: ${(error as Error).message}. Choose a writable file with DB_PATH or --db`,
    );
  }
  const seeded = db.prepare("SELECT 1 FROM meta WHERE key = 'seed'").get() === undefined;
  // The catalogue first: the fest seed writes the "seed" mark last, so a start that stops
  // half-way seeds again. A database from before the catalogue lab gets its movies now.
  const noMovies = db.prepare("SELECT 1 FROM movies LIMIT 1").get() === undefined;
  const step = (what: string, work: () => void) => {
    const started = performance.now();
    work();
    progress(`data: ${what} in ${Math.round(performance.now() - started)} ms`);
  };
  if (seeded) progress(`data: no data in ${file}: seeding it from the fixed seed`);
  if (seeded || noMovies) {
    const movies = seedSize.movies ?? DEFAULT_MOVIE_COUNT;
    step(`catalogue: ${movies} movies and their similar-movie lists`, () =>
      seedCatalogue(db, movies),
    );
  }
  if (seeded) {
    step(
      `fest: ${seedSize.events} events, ${seedSize.users} users, ${seedSize.registrations} registrations`,
      () => seedDatabase(db, seedSize),
    );
  }
  // What POST /admin/reset puts back (src/reset/).
  if (seeded || !hasSeedCopy(db))
    step("a copy of the fest data for resets", () => keepSeedCopy(db));
  return { db, seeded };
}

export function tableCounts(db: Database): {
  events: number;
  users: number;
  registrations: number;
  movies: number;
} {
  const count = (table: string) =>
    (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return {
    events: count("events"),
    users: count("users"),
    registrations: count("registrations"),
    movies: count("movies"),
  };
}
