// `npm run verify` maps every shipped scenario's request names to the server's routes: each
// locustfile in locust-scenarios/ runs briefly with real Locust against a real server, and
// every row of its stats CSV finds the route the server counted it under.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { locustRows } from "../src/truth/locust-csv.js";
import type { TruthReport } from "../src/truth/truth.js";
import { compare } from "../src/truth/verify.js";
import { ADMIN } from "./helpers/admin-api.js";
import {
  describeRun,
  findLocust,
  type LocustRun,
  runLocust,
  SCENARIO_DIR,
} from "./helpers/locust-runner.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

const LOCUST = findLocust();

/** A locustfile defines a User class or imports one (a *_plan.py); the helpers do neither. */
const LOCUSTFILES = readdirSync(SCENARIO_DIR)
  .filter((file) => file.endsWith(".py"))
  .filter((file) =>
    /^(class \w+\(\w*User\)|from \w+ import \w+User\b)/m.test(
      readFileSync(join(SCENARIO_DIR, file), "utf8"),
    ),
  )
  .sort();

/** Every plan's stages shortened to a second or so: names, not load, are the point here. */
const SHORT_PLANS = { LAB_STAGE_SECONDS: "1", CATALOGUE_PLAN_SECONDS: "3" };

/** How many of the locustfiles' runs go at once. */
const LANES = 6;

describe.skipIf(LOCUST === undefined)("npm run verify's names for every shipped scenario", () => {
  let server: TestServer;
  let dir = "";
  const runs = new Map<string, Promise<{ run: LocustRun; runId: string; csvPrefix: string }>>();
  beforeAll(async () => {
    server = await startTestServer({ LOG_LEVEL: "warn" });
    dir = mkdtempSync(join(tmpdir(), "fest-lab-names-"));
    // The locustfiles' short runs, started here, six at a time (half of them at once): each has
    // its own run id and is read only by its own test below, and a run is mostly Locust
    // starting and waiting. Vitest itself would start five tests at a time.
    const lanes: Promise<unknown>[] = Array.from({ length: LANES }, () => Promise.resolve());
    LOCUSTFILES.forEach((file, i) => {
      const runId = `names-${file.replace(/\.py$/, "").replaceAll("_", "-")}`;
      const csvPrefix = join(dir, runId);
      const plan = file.endsWith("_plan.py");
      const lane = i % LANES;
      const run = (lanes[lane] ?? Promise.resolve()).then(() =>
        runLocust({
          locust: LOCUST ?? "locust",
          scenario: file,
          host: server.url,
          load: plan ? "shape" : { users: 3, spawnRate: 3 },
          seconds: plan ? 4 : 3,
          env: SHORT_PLANS,
          csvPrefix,
          cwd: dir,
          // Names, not times, are the point: a request still out at the end is let finish
          // (and named) rather than dropped; on a quiet machine none is out for long.
          extraArgs: ["--run-id", runId, "--stop-timeout", "10"],
        }).then((result) => ({ run: result, runId, csvPrefix })),
      );
      // The lane goes on after a failed run; the failure is its test's, not unhandled.
      lanes[lane] = run.catch(() => {});
      runs.set(file, run);
    });
  });
  afterAll(async () => {
    // Every run ends (bounded) before its server stops, whichever test failed first.
    await Promise.allSettled(runs.values());
    await server?.stop();
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it("finds the locustfiles: every scenario and every plan", () => {
    expect(LOCUSTFILES).toEqual(
      expect.arrayContaining(["bench_mix.py", "journey_plan.py", "predict.py", "catalogue.py"]),
    );
    expect(LOCUSTFILES).not.toContain("lab_common.py");
    expect(LOCUSTFILES).not.toContain("lab_shape.py");
  });

  it.concurrent.each(LOCUSTFILES)(
    "%s: every request name maps to a route the server counted",
    async (file) => {
      const running = runs.get(file);
      if (running === undefined) throw new Error(`no run was started for ${file}`);
      const { run, runId, csvPrefix } = await running;
      const rows = locustRows(readFileSync(`${csvPrefix}_stats.csv`, "utf8"));
      expect(rows.length, run.output).toBeGreaterThan(0);
      const res = await fetch(`${server.url}/admin/truth?run=${runId}`, { headers: ADMIN });
      expect(res.status).toBe(200);
      const truth = (await res.json()) as TruthReport;
      const unmapped = compare(rows, truth.routes)
        .filter((c) => c.server === undefined)
        .map((c) => `${c.locust.method} ${c.locust.name}`);
      expect(
        unmapped,
        `server routes: ${truth.routes.map((r) => `${r.method} ${r.route}`).join(", ")}`,
      ).toEqual([]);
    },
    90_000,
  );
});

describe.skipIf(LOCUST === undefined)("bench_mix.py under a capacity limit (the-knee)", () => {
  let server: TestServer;
  let dir = "";
  beforeAll(async () => {
    // One request at a time and no waiting line: /io's 200 ms waits fill it at once.
    server = await startTestServer({ LOG_LEVEL: "warn", MAX_IN_FLIGHT: "1", MAX_WAITING: "0" });
    dir = mkdtempSync(join(tmpdir(), "fest-lab-knee-"));
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("names /io's 503s as the server at capacity, not as a wrong status", async () => {
    const run = await runLocust({
      locust: LOCUST ?? "locust",
      scenario: "bench_mix.py",
      host: server.url,
      load: { users: 6, spawnRate: 6 },
      seconds: 3,
      csvPrefix: join(dir, "knee"),
      cwd: dir,
    });
    const io = run.failures.filter((f) => f.name === "/io");
    expect(io.length, describeRun(run)).toBeGreaterThan(0);
    for (const failure of io) {
      expect(failure.error).toMatch(/server at capacity \(MAX_IN_FLIGHT\)/);
      expect(failure.error).not.toMatch(/expected 200/);
    }
  }, 60_000);
});
