// Each challenge's progress (not tried, tried, passed; seed, dates, runs, graded attempts) is
// kept in the database: across restarts, POST /admin/reset and `npm run seed`, cleared only when asked, shown
// by `npm run challenge -- progress` (and --csv) and the admin page. In every shape, written
// once an event by the process that answered it: test/challenge-shapes.test.ts.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "../src/truth/locust-csv.js";
import { ADMIN, TEST_ADMIN_TOKEN } from "./helpers/admin-api.js";
import { challengeCall } from "./helpers/challenge-cli.js";
import { startTestServer, type TestServer } from "./helpers/server.js";
import { loadTheKnee } from "./helpers/the-knee.js";

interface Row {
  challenge: string;
  state: string;
  seed?: number;
  runs: number;
  attempts: number;
  passedSeed?: number;
}

async function progressOf(url: string, headers: Record<string, string>): Promise<Row[]> {
  const res = await request(url).get("/admin/challenge/progress").set(headers).expect(200);
  return res.body.challenges as Row[];
}
const rowOf = (rows: Row[], name: string) => rows.find((row) => row.challenge === name) as Row;

describe("a server's challenge progress, in its database", () => {
  let dir = "";
  let server: TestServer;
  const start = async () => {
    server = await startTestServer({ LOG_LEVEL: "warn", DB_PATH: join(dir, "fest.db") });
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "fest-lab-progress-"));
    await start();
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  // The command in this process: the same calls and output as the built program.
  const cli = (args: string[]) =>
    challengeCall(server.url, [...args, "--admin-token", TEST_ADMIN_TOKEN]);

  it("lists every challenge, not tried, before any start", async () => {
    const rows = await progressOf(server.url, ADMIN);
    expect(rows.map((row) => row.challenge)).toEqual(
      expect.arrayContaining(["the-knee", "slow-listing", "was-it-the-network"]),
    );
    for (const row of rows) expect(row).toMatchObject({ state: "not tried", runs: 0, attempts: 0 });
  });

  it("a start is tried; a wrong verify one graded attempt; a right one passed, with its seed", async () => {
    const run = await loadTheKnee(server.url, ADMIN, 7);
    expect(rowOf(await progressOf(server.url, ADMIN), "the-knee")).toMatchObject({
      state: "tried",
      seed: 7,
      runs: 1,
      attempts: 0,
    });
    const wrong = await cli(["verify", "limit=1000", "refused=0"]);
    expect(wrong.code, wrong.output).toBe(1);
    expect(rowOf(await progressOf(server.url, ADMIN), "the-knee")).toMatchObject({
      state: "tried",
      attempts: 1,
    });
    const right = await cli(["verify", ...run.answers]);
    expect(right.code, right.output).toBe(0);
    expect(rowOf(await progressOf(server.url, ADMIN), "the-knee")).toMatchObject({
      state: "passed",
      passedSeed: 7,
      attempts: 2,
    });
    await request(server.url).post("/admin/challenge/stop").set(ADMIN).expect(200);
  });

  it("a verify after stop (every answer shown) is no graded attempt and no pass", async () => {
    await loadTheKnee(server.url, ADMIN, 11);
    await request(server.url).post("/admin/challenge/stop").set(ADMIN).expect(200);
    const before = rowOf(await progressOf(server.url, ADMIN), "the-knee");
    await cli(["verify", "limit=4", "refused=0"]);
    const after = rowOf(await progressOf(server.url, ADMIN), "the-knee");
    expect(after).toMatchObject({ runs: 2, attempts: before.attempts, passedSeed: 7 });
  });

  it("shows on the admin page and in the CLI, with a gradebook file", async () => {
    const page = await request(server.url).get("/admin").set(ADMIN).expect(200);
    expect(page.text).toMatch(
      /id="progress-the-knee"><td><code>the-knee<\/code><\/td><td><strong>passed/,
    );
    expect(page.text).toMatch(
      /id="progress-slow-listing"><td><code>slow-listing<\/code><\/td><td><strong>not tried/,
    );

    const csv = join(dir, "gradebook.csv");
    const shown = await cli(["progress", "--csv", csv, "--student", "ada"]);
    expect(shown.code, shown.output).toBe(0);
    expect(shown.output).toMatch(
      /^the-knee +passed, seed 11, last .*2 runs, 2 graded attempts, passed .* \(seed 7\)/m,
    );
    expect(shown.output).toMatch(/^slow-listing +not tried$/m);
    const rows = parseCsv(readFileSync(csv, "utf8"));
    expect(rows.find((row) => row.challenge === "the-knee")).toMatchObject({
      student: "ada",
      state: "passed",
      passed_seed: "7",
      graded_attempts: "2",
      runs: "2",
    });
    expect(rows.find((row) => row.challenge === "slow-listing")?.state).toBe("not tried");
  });

  it("is kept across POST /admin/reset, a restart and npm run seed, and cleared only by progress --clear", async () => {
    await request(server.url).post("/admin/reset").set(ADMIN).expect(200);
    expect(rowOf(await progressOf(server.url, ADMIN), "the-knee").state).toBe("passed");
    await server.close();
    // The data rebuilt from the seed (small, to be quick); the class's work stays.
    const size = ["--events", "12", "--users", "30", "--registrations", "150", "--movies", "400"];
    const seeded = execFileSync(
      process.execPath,
      ["dist/cmd/seed.js", "--db", join(dir, "fest.db"), ...size],
      { encoding: "utf8" },
    );
    expect(seeded).toContain("kept the challenge progress: 1 challenge");
    await start();
    expect(rowOf(await progressOf(server.url, ADMIN), "the-knee")).toMatchObject({
      state: "passed",
      passedSeed: 7,
    });

    const cleared = await cli(["progress", "--clear"]);
    expect(cleared.code, cleared.output).toBe(0);
    expect(cleared.output).toContain("progress cleared: 1 challenge forgotten");
    expect(rowOf(await progressOf(server.url, ADMIN), "the-knee").state).toBe("not tried");
  });

  it("refuses the progress API without the admin credential", async () => {
    await request(server.url).get("/admin/challenge/progress").expect(401);
    await request(server.url).delete("/admin/challenge/progress").expect(401);
    await request(server.url).post("/admin/challenge/progress/clear").type("form").expect(401);
  });

  it("the admin page's button clears it and goes back to the table", async () => {
    await loadTheKnee(server.url, ADMIN, 5);
    await request(server.url).post("/admin/challenge/stop").set(ADMIN).expect(200);
    expect(rowOf(await progressOf(server.url, ADMIN), "the-knee").state).toBe("tried");
    const cleared = await request(server.url)
      .post("/admin/challenge/progress/clear")
      .set(ADMIN)
      .type("form")
      .send({})
      .expect(303);
    expect(cleared.headers.location).toBe("/admin#progress");
    expect(rowOf(await progressOf(server.url, ADMIN), "the-knee").state).toBe("not tried");
  });
});
