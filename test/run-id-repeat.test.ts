// A second load with a run id that already had one is refused before it sends anything: its
// counts would add to the first one's. The server answers GET /runs/<id>; the Locust
// scenarios ask it at start (locust-scenarios/lab_common.py) and stop with a line saying why.
// One server for the file: each test has run ids of its own. (GET /runs/<id> for a whole
// group, in every shape: test/challenge-shapes.test.ts.)
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TruthReport } from "../src/truth/truth.js";
import { ADMIN } from "./helpers/admin-api.js";
import { findLocust, runLocust, SCENARIO_DIR } from "./helpers/locust-runner.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

const LOCUST = findLocust();

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ LOG_LEVEL: "warn" });
});
afterAll(() => server.stop());

describe("GET /runs/<id>", () => {
  it("says whether a run id has had requests, without the credential", async () => {
    const fresh = await request(server.url).get("/runs/fresh-1").expect(200);
    expect(fresh.body).toEqual({ run: "fresh-1", loaded: false });
    await request(server.url).get("/health").set("X-Run-Id", "used-1").expect(200);
    const used = await request(server.url).get("/runs/used-1").expect(200);
    expect(used.body).toEqual({ run: "used-1", loaded: true });
  });

  it("refuses what is not a run id, naming the parameter", async () => {
    const bad = await request(server.url)
      .get("/runs/a%20b")
      .set("accept", "application/json")
      .expect(400);
    expect(bad.body.error).toMatch(/^id: a run id/);
  });

  it("a challenge's run id is fresh until its load comes", async () => {
    const started = await request(server.url)
      .post("/admin/challenge/start")
      .set(ADMIN)
      .send({ name: "slow-listing", seed: 1 })
      .expect(200);
    try {
      const answer = await request(server.url).get(`/runs/${started.body.runId}`).expect(200);
      expect(answer.body.loaded).toBe(false);
    } finally {
      await request(server.url).post("/admin/challenge/stop").set(ADMIN).expect(200);
    }
  });
});

describe.skipIf(LOCUST === undefined)("Locust with a run id that already had a load", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "fest-lab-rerun-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const requestsOf = async (runId: string) => {
    const res = await request(server.url).get(`/admin/truth?run=${runId}`).set(ADMIN).expect(200);
    return (res.body as TruthReport).routes.reduce((n, route) => n + route.requests, 0);
  };

  it("refuses to start, says why, and adds nothing to the first load's counts", async () => {
    const first = await runLocust({
      locust: LOCUST ?? "locust",
      scenario: "events.py",
      host: server.url,
      load: { users: 2, spawnRate: 2 },
      seconds: 2,
      csvPrefix: join(dir, "first"),
      cwd: dir,
      extraArgs: ["--run-id", "twice-1"],
    });
    expect(first.rows.length, first.output).toBeGreaterThan(0);
    const counted = await requestsOf("twice-1");
    expect(counted).toBeGreaterThan(0);

    // The same command again (the server runs in this process: wait for it without blocking).
    const second = await promisify(execFile)(
      LOCUST ?? "locust",
      [
        ...["-f", join(SCENARIO_DIR, "events.py"), "--headless", "-u", "2", "-r", "2", "-t", "2s"],
        ...["--host", server.url, "--run-id", "twice-1", "--csv", join(dir, "second")],
      ],
      { cwd: dir, timeout: 30_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } },
    ).then(
      ({ stdout, stderr }) => ({ status: 0, output: stdout + stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        status: error.code,
        output: error.stdout + error.stderr,
      }),
    );
    const { output } = second;
    expect(second.status, output).toBe(2);
    expect(output).toMatch(/run id twice-1 already had a load/);
    expect(output).toMatch(/npm run challenge -- stop, then start NAME/);
    expect(await requestsOf("twice-1")).toBe(counted);
  }, 90_000);
});
