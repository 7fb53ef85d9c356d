// The one place that reads process.env and the command line. Every setting is one row of
// SETTINGS below: its flag, its environment twin, its default, its parser and its help, and
// from that row come the reader, --help and the settings table of docs/settings.md (a test
// holds the page to it). Everything else receives the typed Config this returns. A bad value stops the start
// with one line that says what is wrong, the value, and what is allowed.
import { dirname, join } from "node:path";
import { HEADERS_TIMEOUT_MS } from "./connection/http-shell.js";
import { type FaultPlan, parseFaults } from "./faults/spec.js";
import { LOG_LEVELS } from "./observe/log.js";
import { type Option, OptionError, type OptionValues, readOptions, usageLines } from "./options.js";
import { NotAllowed, namedOrigins, oneOf, onOff, switchList, wholeNumber } from "./parsers.js";
import { projectRoot } from "./paths.js";
import { StartupError } from "./startup-error.js";
import { SWITCH_NAMES } from "./switches.js";
import { parseTrustProxy } from "./trust-proxy.js";

export type Mode = "optimized" | "naive";

const MODES: readonly Mode[] = ["optimized", "naive"];

const text = (value: string) => value;

// Flags mirror the environment so Windows users need no env syntax: `npm start -- --buggy`.
export const SETTINGS = {
  port: {
    flag: "port",
    env: "PORT",
    arg: "N",
    default: "8000",
    shown: "8000",
    help: "port to listen on",
    parse: (value: string) => wholeNumber(value, 0, 65535),
  },
  host: {
    flag: "host",
    env: "HOST",
    arg: "H",
    default: "127.0.0.1",
    shown: "127.0.0.1",
    help: "address to listen on; 0.0.0.0 lets other machines in",
    parse: text,
  },
  mode: {
    flag: "mode",
    env: "MODE",
    arg: "M",
    shortcuts: { naive: "naive" },
    default: "optimized",
    shown: "optimized",
    help: "optimized or naive (every slow twin on)",
    parse: (value: string) => oneOf(value.toLowerCase(), MODES),
  },
  buggy: {
    flag: "buggy",
    env: "BUGGY",
    default: "0",
    shown: "off",
    help: "switch the crash bugs on (checkout-crash)",
    parse: onOff,
  },
  bugs: {
    flag: "bugs",
    env: "BUGS",
    arg: "a,b",
    default: "",
    shown: "none",
    help: `switch named behaviours on: ${SWITCH_NAMES.join(", ")}`,
    parse: switchList,
  },
  dbPath: {
    flag: "db",
    env: "DB_PATH",
    arg: "PATH",
    default: "db/fest.db",
    shown: "db/fest.db",
    help: "SQLite file, created and filled on the first start",
    parse: text,
  },
  modelPath: {
    flag: "model",
    env: "MODEL_PATH",
    arg: "PATH",
    // Beside the database, so a DB_PATH in a temp folder takes its model along.
    default: ({ earlier }) => join(dirname(String(earlier.dbPath)), "digits-model.json"),
    shown: "digits-model.json beside DB_PATH",
    help: "the digits model, trained and written on the first start when missing",
    parse: text,
  },
  logLevel: {
    flag: "log-level",
    env: "LOG_LEVEL",
    arg: "L",
    default: "info",
    shown: "info",
    help: "info (one line a request), warn (quiet, for load runs) or error",
    parse: (value: string) => oneOf(value.toLowerCase(), LOG_LEVELS),
  },
  sessionSecret: {
    env: "SESSION_SECRET",
    shown: "random per start",
    help: "signs the session cookie; set it to keep sessions across restarts",
    parse: text,
  },
  workers: {
    flag: "workers",
    env: "WORKERS",
    arg: "N",
    default: "0",
    shown: "0 (one process)",
    help: "N supervised worker processes that restart after a crash; 0 is one process",
    parse: (value: string) => wholeNumber(value, 0, 64),
  },
  services: {
    flag: "services",
    env: "SERVICES",
    default: "0",
    shown: "off",
    help: "serve the fest through a gateway in front of separate, supervised services (see docs/shapes.md)",
    parse: onOff,
  },
  service: {
    flag: "service",
    env: "SERVICE",
    arg: "NAME",
    shown: "none",
    help: "run one service of the services topology alone on HOST:PORT: accounts, events, checkout or labs (see docs/shapes.md)",
    parse: (value: string) => value.trim().toLowerCase(),
  },
  upstreams: {
    flag: "upstream",
    env: "UPSTREAMS",
    arg: "name=url,...",
    default: "",
    shown: "none",
    help: "services that run elsewhere, e.g. events=http://10.0.0.6:8001: the gateway and the services that call them go there",
    parse: namedOrigins,
  },
  cpuPoolSize: {
    flag: "cpu-pool-size",
    env: "CPU_POOL_SIZE",
    arg: "N",
    // With workers, each has its own /cpu pool: the cores are divided so the group uses about
    // one thread per core instead of N per core fighting over them.
    default: ({ cpuCount, earlier }) => {
      const workers = earlier.workers as number;
      return String(workers > 0 ? Math.max(1, Math.round(cpuCount / workers)) : cpuCount);
    },
    shown: "one per core",
    help: "/cpu and /predict worker threads each (with WORKERS, the cores divided among the workers)",
    parse: (value: string) => wholeNumber(value, 1, 256),
  },
  cpuPoolQueue: {
    flag: "cpu-pool-queue",
    env: "CPU_POOL_QUEUE",
    arg: "N",
    default: "64",
    shown: "64",
    help: "tasks that may wait for a thread, in each pool; past it, 503",
    parse: (value: string) => wholeNumber(value, 0, 100_000),
  },
  adminToken: {
    flag: "admin-token",
    env: "ADMIN_TOKEN",
    arg: "T",
    shown: "generated, kept in admin-token beside DB_PATH",
    help: 'the admin credential: "Authorization: Bearer T" on /admin; unset, one is made at the first start and kept in admin-token beside DB_PATH',
    parse: text,
  },
  trustProxy: {
    flag: "trust-proxy",
    env: "TRUST_PROXY",
    arg: "P",
    shown: "none",
    help: "the reverse proxies whose X-Forwarded-For and -Proto to believe: loopback, a number of hops, addresses or CIDRs (Express's trust proxy)",
    parse: parseTrustProxy,
  },
  queryUserWrites: {
    flag: "query-user-writes",
    env: "QUERY_USER_WRITES",
    default: "0",
    shown: "off",
    help: "let ?user= register without logging in (load tests only)",
    parse: onOff,
  },
  monitorCsv: {
    flag: "monitor-csv",
    env: "MONITOR_CSV",
    arg: "PATH",
    shown: "none",
    help: "append one CPU, memory and event-loop line a second to PATH",
    parse: text,
  },
  shutdownGraceMs: {
    flag: "shutdown-grace-ms",
    env: "SHUTDOWN_GRACE_MS",
    arg: "N",
    // Longer than the longest /io (10 s), so a drain never cuts a request the lab allows.
    default: "15000",
    shown: "15000",
    help: "on SIGTERM or Ctrl+C, ms that requests in flight may take to finish before they are cut",
    parse: (value: string) => wholeNumber(value, 0, 3_600_000),
  },
  headerTimeoutMs: {
    flag: "header-timeout-ms",
    env: "HEADER_TIMEOUT_MS",
    arg: "N",
    default: String(HEADERS_TIMEOUT_MS),
    shown: String(HEADERS_TIMEOUT_MS),
    help: "ms a client may take to send a request's headers; past it the connection is dropped, so slow-header clients cannot hold connections",
    // Under 100 ms a real client on a slow link could be cut mid-headers.
    parse: (value: string) => wholeNumber(value, 100, 600_000),
  },
  faults: {
    flag: "faults",
    env: "FAULTS",
    arg: "SPEC",
    default: "",
    shown: "none",
    help: 'inject faults by rate, e.g. "error:503@10%:/events; reset@0.5%:*" (see docs/faults-and-truth.md)',
    parse: (value: string): FaultPlan => parseFaults(value),
  },
  faultSeed: {
    flag: "fault-seed",
    env: "FAULT_SEED",
    arg: "N",
    default: "1",
    shown: "1",
    help: "seeds the fault draws: the same seed faults the same requests",
    parse: (value: string) => wholeNumber(value, 0, 4_294_967_295),
  },
  faultHeaders: {
    flag: "fault-headers",
    env: "FAULT_HEADERS",
    default: "0",
    shown: "off",
    help: "obey X-Fault-Error and X-Fault-Delay request headers",
    parse: onOff,
  },
  maxInFlight: {
    flag: "max-in-flight",
    env: "MAX_IN_FLIGHT",
    arg: "N",
    default: "0",
    shown: "off",
    help: "requests that may run at once; past it (and the waiting line), 503 with Retry-After; 0 is off",
    parse: (value: string) => wholeNumber(value, 0, 100_000),
  },
  maxWaiting: {
    flag: "max-waiting",
    env: "MAX_WAITING",
    arg: "M",
    default: "0",
    shown: "0",
    help: "with MAX_IN_FLIGHT, requests that may wait for a free place before the 503s start",
    parse: (value: string) => wholeNumber(value, 0, 100_000),
  },
  challengesDir: {
    flag: "challenges-dir",
    env: "CHALLENGES_DIR",
    arg: "DIR",
    // The project's own folder wherever the server is started from; instructors add files there.
    default: join(projectRoot, "challenges"),
    shown: "challenges/ of the project",
    help: "the folder of challenge files (one JSON file a challenge), read at start",
    parse: text,
  },
  classKey: {
    flag: "class-key",
    env: "CLASS_KEY",
    arg: "KEY",
    shown: "unset: no completion codes",
    help: "the instructor's secret: a passing verify --student NAME prints a completion code made with it, which challenge check verifies offline",
    parse: (value: string) => {
      // Short keys are guessable, and a guessed key makes every code.
      if (value.length < 12)
        throw new NotAllowed("at least 12 characters, kept secret by the instructor");
      return value;
    },
  },
} satisfies Record<string, Option<unknown>>;

export type Config = OptionValues<typeof SETTINGS>;

export const USAGE = [
  "Usage: npm start -- [flags]   (each flag has an environment twin)",
  ...usageLines(SETTINGS),
].join("\n");

export class ConfigError extends StartupError {
  override name = "ConfigError";
}

export interface ConfigSources {
  env: NodeJS.ProcessEnv;
  argv: string[];
  cpuCount: number;
}

export type ConfigResult = { kind: "config"; config: Config } | { kind: "help" };

export function readConfig({ env, argv, cpuCount }: ConfigSources): ConfigResult {
  try {
    const result = readOptions(SETTINGS, { env, argv, cpuCount });
    return result.kind === "help" ? result : { kind: "config", config: result.values };
  } catch (error) {
    if (error instanceof OptionError) throw new ConfigError(error.message);
    throw error;
  }
}
