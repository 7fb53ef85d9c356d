// docs/first-lesson.md, run as written: its shell commands, in order, against a real server
// with the lesson's data, real Locust and `npm run verify`; what each prints must have the shape
// of what the page shows after it. Only the address, the run time (30 s there, shorter here),
// the results folder and the token's file are put in the test's place.
// Locust is Python: without it on PATH this skips, unless REQUIRE_LOCUST=1 (CI).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/database.js";
import { DEFAULT_FEST_SIZE } from "../src/fest/seed.js";
import { projectRoot } from "../src/paths.js";
import { findLocust, INSTALL_HINT, parseCsv } from "./helpers/locust-runner.js";
import { freePort, type ServerProcess, spawnServer, waitFor } from "./helpers/process.js";

const LOCUST = findLocust();
if (LOCUST === undefined && process.env.REQUIRE_LOCUST === "1") {
  throw new Error(`REQUIRE_LOCUST=1 but no \`locust\` on PATH: ${INSTALL_HINT}`);
}
if (LOCUST === undefined) console.warn(`first-lesson.test.ts: skipped; ${INSTALL_HINT}`);

const TOKEN = "test-admin-token";
// Five seconds of load a run (the page says 30): about 20 /events requests a run, each side of
// the switch, enough for a median that shows the slow path many times slower.
const RUN_SECONDS = 5;

interface Step {
  command: string;
  /** The block of output the page shows after the command's block, if any. */
  shown: string | undefined;
}

/** The page's shell commands in order, the last of each block with the output shown after it. */
function lessonSteps(page: string): Step[] {
  const blocks = [...page.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)];
  const steps: Step[] = [];
  blocks.forEach((block, i) => {
    if (block[1] !== "sh") return;
    // The very next block, when it has no language, is what the block's last command printed
    // (the prose between them explains it).
    const next = blocks[i + 1];
    const follows = next !== undefined && next[1] === "";
    const commands = (block[2] ?? "").split("\n").filter((line) => line.trim() !== "");
    commands.forEach((command, j) => {
      const last = j === commands.length - 1;
      steps.push({ command, shown: last && follows ? next[2] : undefined });
    });
  });
  return steps;
}

/** The median column of a Locust summary line for `name`: "GET /events 177 0(0.00%) | 13 3 169 8 | ...". */
function summaryMedian(text: string, name: string): number {
  const line = text
    .split("\n")
    .find((l) => new RegExp(`^GET\\s+${name}\\s+\\d+\\s+\\d+\\(`).test(l));
  const times = line?.split("|")[1]?.trim().split(/\s+/).map(Number);
  if (times?.length !== 4) throw new Error(`no Locust summary line for ${name} in:\n${text}`);
  return times[3] as number;
}

describe.skipIf(LOCUST === undefined)("docs/first-lesson.md, run as written", () => {
  let dir = "";
  let server: ServerProcess;
  let url = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "fest-lab-first-lesson-"));
    // The lesson's fest data (80 events, 60,000 registrations: the slow path's cost grows
    // with both); the catalogue, which the lesson does not touch, small.
    const dbPath = join(dir, "fest.db");
    openDatabase(dbPath, { ...DEFAULT_FEST_SIZE, movies: 400 }).db.close();
    writeFileSync(join(dir, "admin-token"), `${TOKEN}\n`);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = spawnServer({ PORT: String(port), DB_PATH: dbPath, ADMIN_TOKEN: TOKEN });
    await waitFor(() => server.output().includes("stop:"), 60_000, "the server's banner");
  }, 120_000);

  afterAll(async () => {
    if (server !== undefined && server.child.exitCode === null) server.child.kill("SIGTERM");
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts, loads, switches, loads again, switches off and verifies as the page shows", () => {
    const page = readFileSync(join(projectRoot, "docs", "first-lesson.md"), "utf8");
    const steps = lessonSteps(page);
    const asHere = (command: string) =>
      command
        .replaceAll("http://127.0.0.1:8000", url)
        .replaceAll("-t 30s", `-t ${RUN_SECONDS}s`)
        .replaceAll("db/admin-token", join(dir, "admin-token"))
        .replace(/(?<![\w/.-])results(?=\/|\s|$)/g, join(dir, "results"));

    // What the page asks the reader to run, in its order (the server is started above, from
    // the same build `npm start` runs).
    expect(steps[0]?.command).toBe("npm install && npm start");
    const kinds = steps.slice(1).map(({ command }) => command.split(" ")[0]);
    expect(kinds).toEqual([
      "curl",
      "mkdir",
      "locust",
      "TOKEN=$(cat",
      "curl",
      "locust",
      "curl",
      "npm",
    ]);

    // Lines that only set a shell variable hold for the commands after them, as in a terminal.
    const preamble: string[] = [];
    // What each command wrote to stdout, and to both (Locust writes its summary to stderr, curl
    // its progress meter when its output is not a terminal).
    const printed: string[] = [];
    const both: string[] = [];
    for (const { command } of steps.slice(1)) {
      if (/^[A-Z_]+=(\$\([^)]*\)|\S+)$/.test(command)) {
        preamble.push(asHere(command));
        printed.push("");
        both.push("");
        continue;
      }
      const run = spawnSync("bash", ["-c", [...preamble, asHere(command)].join("\n")], {
        cwd: projectRoot,
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
        encoding: "utf8",
        timeout: (RUN_SECONDS + 60) * 1000,
      });
      const output = `${run.stdout}${run.stderr}`;
      expect(run.status, `${command}\n${output}`).toBe(0);
      printed.push(run.stdout);
      both.push(output);
    }
    const at = (i: number) => ({
      shown: steps[i + 1]?.shown ?? "",
      printed: printed[i] ?? "",
      both: both[i] ?? "",
    });

    // 2. The events page, timed.
    const timed = /^200 \d+\.\d+s \d+ bytes$/;
    expect(at(0).shown.trim()).toMatch(timed);
    expect(at(0).printed.trim()).toMatch(timed);

    // 3 and 5. Two Locust runs: no failures, and with the switch on /events many times slower.
    const stats = (name: string) =>
      parseCsv(readFileSync(join(dir, "results", `${name}_stats.csv`), "utf8"));
    const median = (name: string, route: string) =>
      Number(stats(name).find((row) => row.Name === route)?.["Median Response Time"]);
    for (const [i, name] of [
      [2, "fast"],
      [5, "slow"],
    ] as const) {
      for (const row of stats(name)) expect(row["Failure Count"], `${name}: ${row.Name}`).toBe("0");
      for (const route of ["/events", "/my-events"]) {
        expect(summaryMedian(at(i).both, route)).toBeGreaterThan(0);
        expect(summaryMedian(at(i).shown, route)).toBeGreaterThan(0);
      }
    }
    expect(summaryMedian(at(5).shown, "/events")).toBeGreaterThanOrEqual(
      3 * summaryMedian(at(2).shown, "/events"),
    );
    expect(median("slow", "/events")).toBeGreaterThanOrEqual(3 * median("fast", "/events"));

    // 4 and 7. The switch, on and off, answered as the page shows.
    for (const [i, on] of [
      [4, true],
      [6, false],
    ] as const) {
      const shown = JSON.parse(at(i).shown);
      const printedAnswer = JSON.parse(at(i).printed);
      expect(printedAnswer).toEqual(shown);
      expect(printedAnswer).toMatchObject({ name: "events-slow-loop", on });
    }

    // 8. verify: the table's head, a row per route with both sides' counts, and the server line.
    for (const text of [at(7).shown, at(7).printed]) {
      expect(text).toMatch(/^request\s+requests\s+failures\s+p50 ms\s+p95 ms\s+p99 ms\s+verdict$/m);
      for (const route of ["/events", "/my-events"]) {
        const row = new RegExp(`^GET ${route}\\s+(\\d+) / (\\d+)\\s+0 / 0\\s`, "m").exec(text);
        expect(row, `${route} in\n${text}`).not.toBeNull();
        const [locust, truth] = [Number(row?.[1]), Number(row?.[2])];
        expect(locust).toBeGreaterThan(0);
        // A lone Locust may leave out a request or two of users stopped at the very end.
        expect(Math.abs(locust - truth)).toBeLessThanOrEqual(2);
      }
      expect(text).toMatch(/^server: \d+ connections opened, \d+ closed/m);
    }
  }, 180_000);
});
