// Runs a locustfile headless as its own process and reads the stats Locust wrote with --csv.
// Tests judge a run by the CSV, not by Locust's exit code: Locust exits 1 as soon as any
// request failed, which is exactly what a test of a buggy server expects.
import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { projectRoot } from "../../src/paths.js";

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
}

export async function runLocust(options: LocustOptions): Promise<LocustRun> {
  const args = [
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
  ];
  const child = spawn(options.locust, args, {
    cwd: options.cwd,
    // No __pycache__ folders left in the scenario folder by test runs.
    env: { ...process.env, ...options.env, PYTHONDONTWRITEBYTECODE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  // -t bounds the run; this bounds a Locust that hangs on start-up or shut-down.
  const limitMs = (options.seconds + 30) * 1000;
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`locust ran over ${limitMs} ms and was killed; output:\n${tail(output)}`));
    }, limitMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });

  const statsFile = `${options.csvPrefix}_stats.csv`;
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
  const failuresFile = `${options.csvPrefix}_failures.csv`;
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

/** RFC 4180 CSV as Python's csv module writes it: quoted fields may hold commas and "". */
export function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ",") {
      record.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      records.push(record);
      field = "";
      record = [];
    } else {
      field += char;
    }
  }
  if (field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const [header, ...rows] = records;
  if (header === undefined) return [];
  return rows.map((row) =>
    Object.fromEntries(header.map((column, index) => [column, row[index] ?? ""])),
  );
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
