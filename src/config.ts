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
  /** ADMIN_HOSTS: host names, besides localhost and 127.x / [::1], that tokenless admin requests may use. */
  adminHosts: string[];
  /** QUERY_USER_WRITES=1: `?user=` may register without a session (load tests only). */
  queryUserWrites: boolean;
  /** Signs the session cookie; a random one per start when unset. */
  sessionSecret: string | undefined;
  cpuPoolSize: number;
  cpuPoolQueue: number;
  monitorCsv: string | undefined;
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
  "admin-hosts": { type: "string" },
  "query-user-writes": { type: "boolean" },
  "cpu-pool-size": { type: "string" },
  "cpu-pool-queue": { type: "string" },
  "monitor-csv": { type: "string" },
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
  --admin-hosts a,b   ADMIN_HOSTS host names besides localhost/127.x/[::1] that /admin answers without a token
  --query-user-writes QUERY_USER_WRITES=1  let ?user= register without logging in (load tests; off by default)
  --cpu-pool-size N   CPU_POOL_SIZE   /cpu worker threads (default: one per core)
  --cpu-pool-queue N  CPU_POOL_QUEUE  /cpu tasks waiting at most (default 64)
  --monitor-csv PATH  MONITOR_CSV     append one resource line a second to PATH`;

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
    adminHosts: hostList(pick(flags["admin-hosts"], "ADMIN_HOSTS")),
    queryUserWrites:
      flags["query-user-writes"] === true || truthy("QUERY_USER_WRITES", env.QUERY_USER_WRITES),
    sessionSecret: nonEmpty(env.SESSION_SECRET),
    cpuPoolSize: integer(
      "CPU_POOL_SIZE",
      pick(flags["cpu-pool-size"], "CPU_POOL_SIZE") ?? String(cpuCount),
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

// A DNS name or IPv4 address (letters, digits, hyphens, dots), or an IPv6 one in brackets.
const HOST_NAME =
  /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)$/;

function hostList(text: string | undefined): string[] {
  if (text === undefined) return [];
  const names = text
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const bad = names.find((name) => !HOST_NAME.test(name.toLowerCase()));
  if (bad !== undefined) {
    throw new ConfigError(
      `ADMIN_HOSTS entry "${bad}" is not a host name: use names such as fest.local or 192.168.1.20, comma-separated, without scheme, port or path`,
    );
  }
  return [...new Set(names.map((name) => name.toLowerCase()))];
}
