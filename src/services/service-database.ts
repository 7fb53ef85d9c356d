// Each fest service owns a SQLite file of its own, beside DB_PATH: db/fest-accounts.db,
// db/fest-events.db, db/fest-checkout.db. Each is filled once, when missing, from the seeded
// fest data that DB_PATH keeps for resets (src/reset/seed-copy.ts): the same rows the fixed
// seed made, so a services page shows what the monolith's does. No service opens another's file.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import BetterSqlite3, { type Database } from "better-sqlite3";
import type { Config } from "../config.js";
import { DatabaseOpenError } from "../database.js";
import { type GroupData, prepareGroupData } from "../first-start/group-data.js";
import type { Logger } from "../observe/log.js";
import { schemaFile } from "../paths.js";
import { FEST_TABLES, keepSeedCopy } from "../reset/seed-copy.js";
import { SERVICE_ROUTES, type ServiceName } from "./topology.js";

/** The file a service opens: its own copy for the fest services, DB_PATH itself for labs. */
export function databaseOf(dbPath: string, name: ServiceName): string {
  const route = SERVICE_ROUTES.find((each) => each.name === name);
  return route?.ownsFestCopy ? serviceDatabasePath(dbPath, name) : dbPath;
}

/**
 * Before any service starts: a first start seeds DB_PATH and trains the digits model in a
 * thread that ends (src/first-start/), then each of these fest services gets its own file,
 * filled from the seed kept in DB_PATH, when it has none.
 */
export async function prepareServiceData(
  config: Config,
  names: readonly ServiceName[],
  log: Logger,
): Promise<GroupData> {
  const prepared = await prepareGroupData(config, log);
  for (const name of names) {
    const path = databaseOf(config.dbPath, name);
    if (path !== config.dbPath && createServiceDatabase(config.dbPath, path)) {
      log.info(`data: ${basename(path)} for the ${name} service, from the seed`);
    }
  }
  return prepared;
}

/** db/fest.db and "events" → db/fest-events.db. */
export function serviceDatabasePath(dbPath: string, service: string): string {
  const file = resolve(dbPath);
  const ext = extname(file);
  return join(dirname(file), `${basename(file, ext)}-${service}${ext || ".db"}`);
}

/**
 * Creates the service's file from the seed copy in the main database, when it is missing.
 * True when it was created now.
 */
export function createServiceDatabase(mainPath: string, servicePath: string): boolean {
  if (existsSync(servicePath)) return false;
  const db = openServiceDatabase(servicePath);
  try {
    db.prepare("ATTACH DATABASE ? AS main_file").run(resolve(mainPath));
    db.transaction(() => {
      for (const table of FEST_TABLES) {
        db.exec(`INSERT INTO ${table} SELECT * FROM main_file.seed_copy_${table}`);
      }
      db.exec(
        "INSERT INTO meta (key, value) SELECT key, value FROM main_file.meta WHERE key = 'seed'",
      );
    }).immediate();
    db.exec("DETACH DATABASE main_file");
    // So a reset of this service could put its own seed back, as the monolith's does.
    keepSeedCopy(db);
  } finally {
    db.close();
  }
  return true;
}

/** The same settings as the monolith's file (src/database.ts), without its seeding. */
export function openServiceDatabase(path: string): Database {
  const file = resolve(path);
  try {
    mkdirSync(dirname(file), { recursive: true });
    const db = new BetterSqlite3(file, { timeout: 5_000 });
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    db.exec(readFileSync(schemaFile, "utf8"));
    return db;
  } catch (error) {
    throw new DatabaseOpenError(
      `cannot open the service database at ${file}: ${(error as Error).message}. Choose a writable folder with DB_PATH or --db`,
    );
  }
}
