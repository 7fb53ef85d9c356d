// The one place that reads process.env and the command line. Everything else
// receives the typed Config this returns. A bad value stops the start with one
// line that says what is wrong, the value, and what is allowed.
import { parseArgs } from "node:util";
import { SWITCH_NAMES } from "./switches.js";

export type Mode = "optimized" | "naive";
export type LogLevel = "info" | "warn" | "error";

export interface Config {
  host: string;
  port: number;
  mode: Mode;
  /** BUGGY=1: the crash bugs on. */
  buggy: boolean;
  /** BUGS=a,b: named behaviours on, one by one. */
  bugs: string[];
  dbPath: string;
  logLevel: LogLevel;
  /** When set, every admin request needs `Authorization: Bearer <token>`. */
  adminToken: string | undefined;
  /** Signs the session cookie; a random one per start when unset. */
  sessionSecret: string | undefined;
  cpuPoolSize: number;
  cpuPoolQueue: number;
  monitorCsv: string | undefined;
  /** WORKERS=N: a supervisor and N worker processes; 0 is one process, no supervisor. */
  workers: number;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const MODES: readonly Mode[] = ["optimized", "naive"];
const LOG_LEVELS: readonly LogLevel[] = ["info", "warn", "error"];

// Flags mirror the environment so Windows users need no env syntax: `npm start -- --buggy`.
const FLAGS = {
  host: { type: "string" },
  port: { type: "string" },
  mode: { type: "string" },
  naive: { type: "boolean" },
  buggy: { type: "boolean" },
  bugs: { type: "string" },
  db: { type: "string" },
  "log-level": { type: "string" },
  "admin-token": { type: "string" },
  "cpu-pool-size": { type: "string" },
  "cpu-pool-queue": { type: "string" },
  "monitor-csv": { type: "string" },
  workers: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export const USAGE = `Usage: npm start -- [flags]   (each flag has an environment twin)
  --port N            PORT        port to listen on (default 8000)
  --host H            HOST        address to listen on (default 127.0.0.1)
  --mode M            MODE        optimized (default) or naive
  --naive                         same as --mode naive
  --buggy             BUGGY=1     switch the crash bugs on (checkout-crash)
  --bugs a,b          BUGS        switch named behaviours on: ${SWITCH_NAMES.join(", ")}
  --db PATH           DB_PATH     SQLite file (default db/fest.db)
  --log-level L       LOG_LEVEL   info (default: one line a request), warn, error
  --admin-token T     ADMIN_TOKEN require "Authorization: Bearer T" on /admin
  --cpu-pool-size N   CPU_POOL_SIZE   /cpu worker threads (default: one per core, shared by the workers)
  --cpu-pool-queue N  CPU_POOL_QUEUE  /cpu tasks waiting at most (default 64)
  --monitor-csv PATH  MONITOR_CSV     append one resource line a second to PATH
  --workers N         WORKERS     N supervised worker processes, 1 to 64 (default 0: one process)`;

export interface ConfigSources {
  env: NodeJS.ProcessEnv;
  argv: string[];
  cpuCount: number;
}

export type ConfigResult = { kind: "config"; config: Config } | { kind: "help" };

export function readConfig({ env, argv, cpuCount }: ConfigSources): ConfigResult {
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(argv);
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. Run with --help for the flags.`);
  }
  if (flags.help) return { kind: "help" };

  const pick = (flag: string | undefined, name: string) => flag ?? nonEmpty(env[name]);

  const modeText = flags.naive ? "naive" : (pick(flags.mode, "MODE") ?? "optimized");
  const mode = oneOf("MODE", modeText.toLowerCase(), MODES);

  const workers = integer("WORKERS", pick(flags.workers, "WORKERS") ?? "0", 0, 64);
  // With workers, each has its own /cpu pool: divide the cores so the group uses about one
  // thread per core instead of N per core fighting over them.
  const defaultPoolSize = workers > 0 ? Math.max(1, Math.round(cpuCount / workers)) : cpuCount;

  const config: Config = {
    host: pick(flags.host, "HOST") ?? "127.0.0.1",
    port: integer("PORT", pick(flags.port, "PORT") ?? "8000", 0, 65535),
    mode,
    buggy: flags.buggy === true || truthy("BUGGY", env.BUGGY),
    bugs: bugList(pick(flags.bugs, "BUGS")),
    dbPath: pick(flags.db, "DB_PATH") ?? "db/fest.db",
    logLevel: oneOf(
      "LOG_LEVEL",
      (pick(flags["log-level"], "LOG_LEVEL") ?? "info").toLowerCase(),
      LOG_LEVELS,
    ),
    adminToken: pick(flags["admin-token"], "ADMIN_TOKEN"),
    sessionSecret: nonEmpty(env.SESSION_SECRET),
    cpuPoolSize: integer(
      "CPU_POOL_SIZE",
      pick(flags["cpu-pool-size"], "CPU_POOL_SIZE") ?? String(defaultPoolSize),
      1,
      256,
    ),
    cpuPoolQueue: integer(
      "CPU_POOL_QUEUE",
      pick(flags["cpu-pool-queue"], "CPU_POOL_QUEUE") ?? "64",
      0,
      100_000,
    ),
    monitorCsv: pick(flags["monitor-csv"], "MONITOR_CSV"),
    workers,
  };
  return { kind: "config", config };
}

function parseFlags(argv: string[]) {
  return parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }).values;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`${name}=${value} is not allowed: use one of ${allowed.join(", ")}`);
}

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new ConfigError(
      `${name}=${text} is not allowed: use a whole number from ${min} to ${max}`,
    );
  }
  return value;
}

function truthy(name: string, text: string | undefined): boolean {
  const value = nonEmpty(text)?.toLowerCase();
  if (value === undefined || ["0", "false", "no", "off"].includes(value)) return false;
  if (["1", "true", "yes", "on"].includes(value)) return true;
  throw new ConfigError(`${name}=${text} is not allowed: use 1 or 0 (true/false, yes/no, on/off)`);
}

function bugList(text: string | undefined): string[] {
  if (text === undefined) return [];
  const names = text
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const unknown = names.filter((name) => !(SWITCH_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new ConfigError(
      `BUGS names unknown behaviour ${unknown.map((n) => `"${n}"`).join(", ")}: known names are ${SWITCH_NAMES.join(", ")}`,
    );
  }
  return [...new Set(names)];
}
