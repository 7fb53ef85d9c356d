// Runs a locustfile headless as its own process (or as a master and its workers) and reads
// the stats Locust wrote with --csv.
// Tests judge a run by the CSV, not by Locust's exit code: Locust exits 1 as soon as any
// request failed, which is exactly what a test of a buggy server expects.
import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { projectRoot } from "../../src/paths.js";
import { parseCsv } from "../../src/truth/locust-csv.js";

export { parseCsv };

export const SCENARIO_DIR = join(projectRoot, "locust-scenarios");

export const INSTALL_HINT =
  "install Locust (Debian/Ubuntu: `apt-get install -y python3-locust`, anywhere: `pip install locust`) so `locust` is on PATH";

/** The `locust` executable on PATH, or undefined; looked up without starting Python. */
export function findLocust(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, "locust");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

export interface RequestStats {
  type: string;
  name: string;
  requests: number;
  failures: number;
  medianMs: number;
}

export interface FailureLine {
  method: string;
  name: string;
  error: string;
  occurrences: number;
}

export interface LocustRun {
  exitCode: number | null;
  output: string;
  /** One row per request name, without the "Aggregated" row. */
  rows: RequestStats[];
  aggregated: RequestStats;
  failures: FailureLine[];
}

export interface LocustOptions {
  locust: string;
  /** A file name in locust-scenarios/, e.g. "checkout.py". */
  scenario: string;
  host: string;
  /**
   * Users, spawn rate and run time for -u, -r and -t; "shape" for a *_plan.py file whose load
   * shape sets them (Locust 2.12 refuses -t beside a shape), with `seconds` its expected length.
   */
  load: { users: number; spawnRate: number } | "shape";
  seconds: number;
  /** Extra environment for Locust, such as a plan's settings. */
  env?: Record<string, string>;
  /** Path prefix for the CSV files; Locust appends _stats.csv and friends. */
  csvPrefix: string;
  /** Working directory; deliberately not the scenario folder, as a student's may not be. */
  cwd: string;
  /** More Locust arguments, such as ["--run-id", "r1"]. */
  extraArgs?: string[];
}

export async function runLocust(options: LocustOptions): Promise<LocustRun> {
  const run = startLocust(options.locust, headlessArgs(options), options.cwd, options.env);
  // -t bounds the run; this bounds a Locust that hangs on start-up or shut-down.
  const exitCode = await exitWithin(run, (options.seconds + 60) * 1000, []);
  return readRun(options.csvPrefix, exitCode, run.output());
}

export interface DistributedOptions extends LocustOptions {
  /** How many `--worker` processes to start; the master waits for all of them. */
  workers: number;
  /** A free port on 127.0.0.1 for the master to listen on for its workers. */
  masterPort: number;
}

export interface DistributedRun extends LocustRun {
  /** What each worker printed, in start order. */
  workerOutputs: string[];
}

/**
 * One master and `workers` workers, all on 127.0.0.1, as a class runs Locust across
 * machines: the master owns -u, -r, -t, --host and the CSV, and merges what every worker
 * reports; a worker needs only the locustfile and where the master is.
 */
export async function runLocustDistributed(options: DistributedOptions): Promise<DistributedRun> {
  const file = join(SCENARIO_DIR, options.scenario);
  const master = startLocust(
    options.locust,
    [
      ...headlessArgs(options),
      "--master",
      "--master-bind-host",
      "127.0.0.1",
      "--master-bind-port",
      String(options.masterPort),
      "--expect-workers",
      String(options.workers),
      // A worker that never connects ends the run with an error instead of a wait.
      "--expect-workers-max-wait",
      "30",
    ],
    options.cwd,
    options.env,
  );
  const workers = Array.from({ length: options.workers }, () =>
    startLocust(
      options.locust,
      [
        "-f",
        file,
        "--worker",
        "--master-host",
        "127.0.0.1",
        "--master-port",
        String(options.masterPort),
      ],
      options.cwd,
      options.env,
    ),
  );
  const outputs = () =>
    [master.output(), ...workers.map((worker, i) => `worker ${i + 1}:\n${worker.output()}`)].join(
      "\n",
    );
  try {
    // Waiting for the workers, the run, the workers' last reports: bounded as a whole.
    const exitCode = await exitWithin(master, (options.seconds + 60) * 1000, workers);
    // The master tells its workers to quit when the run ends; give them a moment to go.
    await Promise.all(workers.map((worker) => exitWithin(worker, 10_000, []).catch(() => null)));
    return {
      ...readRun(options.csvPrefix, exitCode, outputs()),
      workerOutputs: workers.map((worker) => worker.output()),
    };
  } finally {
    for (const each of [master, ...workers]) each.kill();
  }
}

interface LocustProcess {
  output(): string;
  exited: Promise<number | null>;
  /** SIGKILL, when it is still running. */
  kill(): void;
}

function headlessArgs(options: LocustOptions): string[] {
  return [
    "-f",
    join(SCENARIO_DIR, options.scenario),
    "--headless",
    ...(options.load === "shape"
      ? []
      : [
          "-u",
          String(options.load.users),
          "-r",
          String(options.load.spawnRate),
          "-t",
          `${options.seconds}s`,
        ]),
    "--host",
    options.host,
    "--csv",
    options.csvPrefix,
    "--only-summary",
    "--stop-timeout",
    "2",
    ...(options.extraArgs ?? []),
  ];
}

function startLocust(
  locust: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): LocustProcess {
  const child = spawn(locust, args, {
    cwd,
    // No __pycache__ folders left in the scenario folder by test runs.
    env: { ...process.env, ...env, PYTHONDONTWRITEBYTECODE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => resolve(code));
  });
  exited.catch(() => {}); // a failed spawn is reported by exitWithin
  return {
    output: () => output,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}

/** The exit code, or SIGKILL for it and `alsoKill` after `limitMs`, with what it printed. */
async function exitWithin(
  run: LocustProcess,
  limitMs: number,
  alsoKill: LocustProcess[],
): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      for (const each of [run, ...alsoKill]) each.kill();
      reject(
        new Error(`locust ran over ${limitMs} ms and was killed; output:\n${tail(run.output())}`),
      );
    }, limitMs);
  });
  try {
    return await Promise.race([run.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function readRun(csvPrefix: string, exitCode: number | null, output: string): LocustRun {
  const statsFile = `${csvPrefix}_stats.csv`;
  if (!existsSync(statsFile)) {
    throw new Error(
      `locust wrote no ${statsFile} (exit code ${exitCode}); output:\n${tail(output)}`,
    );
  }
  const stats = parseCsv(readFileSync(statsFile, "utf8")).map(toRequestStats);
  const aggregated = stats.find((row) => row.name === "Aggregated" && row.type === "");
  if (aggregated === undefined) {
    throw new Error(`${statsFile} has no Aggregated row; output:\n${tail(output)}`);
  }
  const failuresFile = `${csvPrefix}_failures.csv`;
  const failures = existsSync(failuresFile)
    ? parseCsv(readFileSync(failuresFile, "utf8")).map(toFailureLine)
    : [];
  return {
    exitCode,
    output,
    rows: stats.filter((row) => row !== aggregated),
    aggregated,
    failures,
  };
}

/** A one-line-per-problem summary to put in assertion messages. */
export function describeRun(run: LocustRun): string {
  const rows = run.rows.map(
    (row) =>
      `${row.type} ${row.name}: ${row.requests} requests, ${row.failures} failed, median ${row.medianMs} ms`,
  );
  const failures = run.failures.map(
    (line) => `${line.occurrences}x ${line.method} ${line.name}: ${line.error}`,
  );
  return [...rows, ...(failures.length > 0 ? ["failures:", ...failures] : [])].join("\n");
}

export function rowNamed(run: LocustRun, name: string): RequestStats | undefined {
  return run.rows.find((row) => row.name === name);
}

function toRequestStats(record: Record<string, string>): RequestStats {
  return {
    type: record.Type ?? "",
    name: record.Name ?? "",
    requests: numberField(record, "Request Count"),
    failures: numberField(record, "Failure Count"),
    // Locust 2.12 writes the median unrounded below 100 ms (e.g. 1.258), later versions round it.
    medianMs: numberField(record, "Median Response Time"),
  };
}

function toFailureLine(record: Record<string, string>): FailureLine {
  return {
    method: record.Method ?? "",
    name: record.Name ?? "",
    error: record.Error ?? "",
    occurrences: numberField(record, "Occurrences"),
  };
}

function numberField(record: Record<string, string>, column: string): number {
  const value = Number(record[column]);
  if (record[column] === undefined || Number.isNaN(value)) {
    throw new Error(
      `Locust CSV column "${column}" is missing or not a number: ${JSON.stringify(record)}`,
    );
  }
  return value;
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
