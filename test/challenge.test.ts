// Challenges: the list, start and its hidden changes, hints, the CLI's errors and exit codes,
// stop and reset putting everything back, the admin page's forms, and a bad challenge file
// refused at start naming the file and the field. Each shipped challenge is solved in
// test/challenge-lessons.test.ts.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GRADED_ATTEMPTS, pickVariant } from "../src/challenge/challenges.js";
import { type Challenge, loadChallenges } from "../src/challenge/definition.js";
import { projectRoot } from "../src/paths.js";
import { adminHeader } from "./helpers/admin-api.js";
import { challengeCall, challengeCli } from "./helpers/challenge-cli.js";
import { freePort } from "./helpers/process.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

const CHALLENGES = join(projectRoot, "challenges");
const TOKEN = "challenge-admin-token-for-tests";

describe("a server with the token it generated, and the CLI on the same machine reading it", () => {
  let server: TestServer;
  beforeAll(async () => {
    // One switch on at start: stop and reset must put it back, not just turn all off.
    server = await startTestServer({ LOG_LEVEL: "warn", BUGS: "io-blocking", ADMIN_TOKEN: "" });
  });
  afterAll(() => server.stop());
  // Nobody types a token: the CLI reads the file beside the server's DB_PATH, as
  // `npm run challenge` does beside db/fest.db. The command runs in this process; `program`
  // spawns the built one, for one test of each exit code (0 list, 1 verify, 2 no server).
  const cli = (args: string[]) => challengeCall(server.url, args, { DB_PATH: server.dbPath });
  const program = (args: string[]) => challengeCli(server.url, args, { DB_PATH: server.dbPath });
  const admin = () => adminHeader(server.adminToken);

  it("lists at least six challenges, one line each, exit 0 (the built program)", async () => {
    const { code, output } = await program(["list"]);
    expect(code).toBe(0);
    const lines = output.trim().split("\n");
    for (const name of [
      "slow-listing",
      "blocked-event-loop",
      "crashing-checkout",
      "slow-predictions",
      "was-it-the-network",
      "the-knee",
    ]) {
      expect(lines.some((line) => line.startsWith(`${name} `))).toBe(true);
    }
    expect(lines.length - 1).toBeGreaterThanOrEqual(6);
    expect(lines.at(-1)).toMatch(/^\d+ challenges; start one with/);
  });

  it("start breaks the variant, hides it from the API, the page and /metrics, and stop puts it back", async () => {
    const started = await cli(["start", "slow-listing", "--seed", "3"]);
    expect(started.code).toBe(0);
    const runId = /run id (slow-listing-3-[0-9a-f]{4})/.exec(started.output)?.[1];
    expect(runId).toBeDefined();
    expect(started.output).toContain("--run-id");
    const variant = pickVariant(challengeNamed("slow-listing"), 3);
    expect(server.switches.enabled()).toEqual(variant.switches);

    const switches = await request(server.url).get("/admin/switches").set(admin()).expect(200);
    expect(switches.body.hidden).toContain("hidden while challenge slow-listing runs");
    for (const s of switches.body.switches) expect(s).not.toHaveProperty("on");
    const faults = await request(server.url).get("/admin/faults").set(admin()).expect(200);
    expect(faults.body.hidden).toContain("hidden while challenge slow-listing runs");
    expect(faults.body).not.toHaveProperty("rules");
    const page = await request(server.url)
      .get("/admin")
      .set(admin())
      .set("Accept", "text/html")
      .expect(200);
    expect(page.text).toContain("hidden while challenge slow-listing runs");
    for (const name of variant.switches)
      expect(page.text).not.toMatch(new RegExp(`on:[^<]*${name}`));
    expect(page.text).toContain(runId);
    const events = await request(server.url).get("/events?user=locust_user").expect(200);
    expect(events.text).toContain("switches on: <strong>hidden while challenge");
    const predict = await request(server.url).get("/predict").expect(200);
    expect(predict.text).toMatch(/class="state">hidden while challenge slow-listing runs</);
    const metrics = await request(server.url).get("/metrics").expect(200);
    expect(metrics.text).not.toContain("festlab_switch_on{");
    expect(server.logs.join("\n")).not.toContain(`switch ${variant.switches[0]} turned on`);

    const again = await cli(["start", "the-knee"]);
    expect(again.code).toBe(2);
    expect(again.output).toContain("challenge slow-listing is running: stop it first");

    const stopped = await cli(["stop"]);
    expect(stopped.code).toBe(0);
    expect(stopped.output).toContain(`it turned on ${variant.switches[0]}`);
    expect(server.switches.enabled()).toEqual(["io-blocking"]);
    const shown = await request(server.url).get("/admin/switches").set(admin()).expect(200);
    expect(shown.body.hidden).toBeUndefined();
    expect(shown.body.switches.find((s: { name: string }) => s.name === "io-blocking").on).toBe(
      true,
    );
  });

  it("the same seed gives the same variant, and seeds spread over the variants", async () => {
    const knee = challengeNamed("the-knee");
    expect(pickVariant(knee, 11)).toBe(pickVariant(knee, 11));
    const limits = new Set(Array.from({ length: 20 }, (_, seed) => pickVariant(knee, seed)));
    expect(limits.size).toBeGreaterThan(1);
    for (const seed of [11, 11]) {
      await request(server.url)
        .post("/admin/challenge/start")
        .set(admin())
        .send({ name: "the-knee", seed });
      expect(server.capacity.maxInFlight).toBe(pickVariant(knee, 11).capacity?.maxInFlight);
      await request(server.url).post("/admin/challenge/stop").set(admin()).expect(200);
    }
    expect(server.capacity.maxInFlight).toBe(0);
  });

  it("hints come one at a time, then say none remain", async () => {
    await cli(["start", "crashing-checkout"]);
    const hints = readChallenge("crashing-checkout").hints as string[];
    for (let n = 1; n <= hints.length; n++) {
      const { code, output } = await cli(["hint"]);
      expect(code).toBe(0);
      expect(output).toMatch(new RegExp(`^hint ${n} of ${hints.length}: `));
    }
    const none = await cli(["hint"]);
    expect(none.code).toBe(0);
    expect(none.output.trim()).toBe(`no hints remain: all ${hints.length} given`);
    const status = await cli(["status"]);
    expect(status.output).toContain(`hint ${hints.length}: `);
    await cli(["stop"]);
  });

  it("says in one line what is wrong, exit 2: unknown challenge, no challenge running, bad answers, no server", async () => {
    const unknown = await cli(["start", "no-such-thing"]);
    expect(unknown.code).toBe(2);
    expect(unknown.output.trim()).toMatch(
      /^challenge: no challenge named "no-such-thing": the challenges are .*the-knee/,
    );

    // Verify also grades the last stopped challenge, until a reset forgets it.
    await request(server.url).post("/admin/reset").set(admin()).expect(200);
    const none = await cli(["verify", "page=/events"]);
    expect(none.code).toBe(2);
    expect(none.output.trim()).toMatch(/^challenge: no challenge is running/);
    expect((await cli(["hint"])).output).toContain("no challenge is running");

    await cli(["start", "slow-listing"]);
    const noEquals = await cli(["verify", "events-slow-loop"]);
    expect(noEquals.code).toBe(2);
    expect(noEquals.output.trim()).toBe(
      'challenge: answers are ID=ANSWER, like page=/events or share=3.2, got "events-slow-loop"',
    );
    const notANumber = await cli(["verify", "requests=many"]);
    expect(notANumber.code).toBe(2);
    expect(notANumber.output.trim()).toBe("challenge: answers.requests: a number, like 42 or 3.5");
    const notAnOption = await cli(["verify", "switch=io-blocking"]);
    expect(notAnOption.code).toBe(2);
    expect(notAnOption.output).toContain("answers.switch: one of events-slow-loop");
    const noQuestion = await cli(["verify", "colour=blue"]);
    expect(noQuestion.code).toBe(2);
    expect(noQuestion.output).toContain('there is no question "colour"');
    const noCommand = await cli(["frobnicate"]);
    expect(noCommand.code).toBe(2);
    expect(noCommand.output).toContain('unknown command "frobnicate"');
    await cli(["stop"]);

    // The built program, as a student runs it: nothing answers, exit 2.
    const nowhere = await challengeCli(`http://127.0.0.1:${await freePort()}`, ["list"]);
    expect(nowhere.code).toBe(2);
    expect(nowhere.output.trim()).toMatch(
      /^challenge: nothing answers at http:\/\/127\.0\.0\.1:\d+/,
    );
  });

  it("verify while running never shows a wrong answer's expected value; after stop it shows them all", async () => {
    const { body } = await request(server.url)
      .post("/admin/challenge/start")
      .set(admin())
      .send({ name: "crashing-checkout", seed: 1 })
      .expect(200);
    const early = await cli(["verify", "route=/events", "failures=3"]);
    expect(early.code).toBe(2);
    expect(early.output).toContain(
      `the server has counted no request with X-Run-Id: ${body.runId} yet: send the load with that run id first`,
    );
    for (let n = 0; n < 4; n++) {
      await request(server.url).get("/checkout?user=locust_user").set("X-Run-Id", body.runId);
    }
    const running = await cli(["verify", "route=/events", "failures=30"]);
    expect(running.code).toBe(1);
    expect(running.output).toMatch(/^FAIL {2}failures +given 30: not within/m);
    // The figure is off, so the choices are not graded: neither right nor wrong.
    expect(running.output).toMatch(
      /^-{4} {2}route +given \/events: withheld: a choice is graded only once every figure holds \(off: failures\)$/m,
    );
    expect(running.output).toMatch(/^-{4} {2}status +no answer: withheld/m);
    expect(running.output).toContain("failures is off, so the choices were not graded");
    expect(running.output).not.toContain("expected");
    expect(running.result()).toMatchObject({ challenge: "crashing-checkout", pass: false, of: 3 });

    await request(server.url).post("/admin/challenge/stop").set(admin()).expect(200);
    // The built program: a wrong answer exits 1.
    const ended = await program(["verify", "route=/events"]);
    expect(ended.code).toBe(1);
    expect(ended.output).toMatch(
      /^FAIL {2}route +given \/events, expected \/checkout: not this one$/m,
    );
    expect(ended.output).toMatch(/^FAIL {2}status +no answer, expected 500: no answer$/m);
    expect(ended.output).toContain("this did not count");
  });

  it("a run takes three graded attempts, then a 409 says to start again; the review after stop does not count", async () => {
    const { body } = await request(server.url)
      .post("/admin/challenge/start")
      .set(admin())
      .send({ name: "slow-listing", seed: 1 })
      .expect(200);
    expect(body.attempts).toEqual({ used: 0, left: GRADED_ATTEMPTS, of: GRADED_ATTEMPTS });
    await request(server.url).get("/events?user=locust_user").set("X-Run-Id", body.runId);
    const wrongCount = { answers: { requests: "999", page: "/events" } };
    for (let attempt = 1; attempt <= GRADED_ATTEMPTS; attempt++) {
      const verdict = await request(server.url)
        .post("/admin/challenge/verify")
        .set(admin())
        .send(wrongCount)
        .expect(200);
      expect(verdict.body).toMatchObject({
        attempt,
        attemptsLeft: GRADED_ATTEMPTS - attempt,
        pass: false,
      });
    }
    const refused = await request(server.url)
      .post("/admin/challenge/verify")
      .set(admin())
      .send(wrongCount)
      .expect(409);
    expect(refused.body.error).toBe(
      `run ${body.runId} has used its ${GRADED_ATTEMPTS} graded attempts; stop the challenge (npm run challenge -- stop) to see every expected answer, then start it again (npm run challenge -- start slow-listing) for a fresh run id and measure that run`,
    );
    const state = await request(server.url).get("/admin/challenge").set(admin()).expect(200);
    expect(state.body.attempts).toEqual({ used: GRADED_ATTEMPTS, left: 0, of: GRADED_ATTEMPTS });
    const status = await cli(["status"]);
    expect(status.output).toContain(`graded attempts: ${GRADED_ATTEMPTS} used, 0 left`);

    await request(server.url).post("/admin/challenge/stop").set(admin()).expect(200);
    for (let review = 0; review < GRADED_ATTEMPTS + 1; review++) {
      const shown = await request(server.url)
        .post("/admin/challenge/verify")
        .set(admin())
        .send(wrongCount)
        .expect(200);
      expect(shown.body.ended).toBe(true);
      expect(shown.body.attempt).toBeUndefined();
      expect(
        shown.body.questions.every((q: { expected?: string }) => q.expected !== undefined),
      ).toBe(true);
    }
  });

  it("the choices are graded only in an attempt whose figures all hold, and that attempt decides the run", async () => {
    const variant = pickVariant(challengeNamed("slow-listing"), 2);
    const right = variant.answers.page as string;
    const wrong = ["/events", "/my-events", "/checkout"].find((page) => page !== right);
    const start = async () => {
      const { body } = await request(server.url)
        .post("/admin/challenge/start")
        .set(admin())
        .send({ name: "slow-listing", seed: 2 })
        .expect(200);
      for (let n = 0; n < 3; n++) {
        await request(server.url).get("/my-events?user=locust_user").set("X-Run-Id", body.runId);
      }
      return body.runId as string;
    };
    const verify = (answers: Record<string, string>) =>
      request(server.url).post("/admin/challenge/verify").set(admin()).send({ answers });

    const runId = await start();
    const wrongChoice = await verify({
      requests: "3",
      page: wrong ?? "",
      switch: "events-slow-loop",
    }).expect(200);
    expect(wrongChoice.body.questions.find((q: { id: string }) => q.id === "requests").pass).toBe(
      true,
    );
    expect(wrongChoice.body.questions.find((q: { id: string }) => q.id === "page")).toMatchObject({
      pass: false,
      why: "not this one",
    });
    expect(wrongChoice.body.message).toContain("this run takes no more attempts");
    const decided = await verify({
      requests: "3",
      page: right,
      switch: variant.answers.switch as string,
    }).expect(409);
    expect(decided.body.error).toMatch(
      new RegExp(
        `^run ${runId} is graded: every figure held in attempt 1, so its choices were graded once and it did not pass; stop the challenge`,
      ),
    );
    await request(server.url).post("/admin/challenge/stop").set(admin()).expect(200);

    await start();
    const passed = await verify({
      requests: "3",
      page: right,
      switch: variant.answers.switch as string,
    }).expect(200);
    expect(passed.body).toMatchObject({ pass: true, attempt: 1, attemptsLeft: 0 });
    expect(passed.body.message).toMatch(/^passed, attempt 1 of 3 for run /);
    await verify({ requests: "3", page: right }).expect(409);
    await request(server.url).post("/admin/challenge/stop").set(admin()).expect(200);
  });

  it("shows what it broke only in the instructor's view, asked for by name with the credential", async () => {
    const { body } = await request(server.url)
      .post("/admin/challenge/start")
      .set(admin())
      .send({ name: "the-knee", seed: 7 })
      .expect(200);
    const variant = pickVariant(challengeNamed("the-knee"), 7);
    const limit = String(variant.capacity?.maxInFlight);
    expect(body.instructor).toBeUndefined();
    const student = await request(server.url).get("/admin/challenge").set(admin()).expect(200);
    expect(student.body.instructor).toBeUndefined();
    expect(JSON.stringify(student.body)).not.toContain("maxInFlight");
    const instructor = await request(server.url)
      .get("/admin/challenge?view=instructor")
      .set(admin())
      .expect(200);
    expect(instructor.body.instructor).toMatchObject({
      capacity: variant.capacity,
      answers: variant.answers,
    });
    expect(instructor.body.instructor.broke).toContain(`limited requests to ${limit} in flight`);
    await request(server.url).get("/admin/challenge?view=instructor").expect(401);
    const bad = await request(server.url).get("/admin/truth?view=teacher").set(admin()).expect(400);
    expect(bad.body).toMatchObject({ parameter: "view" });
    const switches = await request(server.url)
      .get("/admin/switches?view=instructor")
      .set(admin())
      .expect(200);
    expect(switches.body.hidden).toBeUndefined();
    expect(switches.body.switches.every((s: { on?: boolean }) => typeof s.on === "boolean")).toBe(
      true,
    );

    const status = await cli(["status"]);
    expect(status.output).not.toContain("instructor's view");
    expect(status.output).not.toContain(`limited requests to ${limit}`);
    const asked = await cli(["status", "--instructor"]);
    expect(asked.code).toBe(0);
    expect(asked.output).toContain(`instructor's view: it limited requests to ${limit} in flight`);
    await request(server.url).post("/admin/challenge/stop").set(admin()).expect(200);
  });

  it("the admin page starts, hints, verifies and stops with its forms", async () => {
    const page = request.agent(server.url);
    // Logged in as a browser is, by the banner's link.
    await page.get(`/admin?token=${server.adminToken}`).expect(303);
    await page
      .post("/admin/challenge/start")
      .type("form")
      .send({ name: "was-it-the-network", seed: "3" })
      .expect(303)
      .expect("Location", "/admin#challenge");
    let html = (await page.get("/admin").set("Accept", "text/html").expect(200)).text;
    expect(html).toContain("Was it the network?");
    expect(html).toContain('name="answer-share"');
    expect(html).toContain("hidden while challenge was-it-the-network runs");
    expect(html).not.toMatch(/reset@\d%:\*/);

    await page.post("/admin/challenge/hint").type("form").send({ from: "page" }).expect(303);
    const { runId } = (await page.get("/admin/challenge").expect(200)).body;
    for (let n = 0; n < 3; n++) {
      await request(server.url)
        .get("/health")
        .set("X-Run-Id", runId)
        .catch(() => undefined);
    }
    await page
      .post("/admin/challenge/verify")
      .type("form")
      .send({ "answer-share": "", "answer-who": "network" })
      .expect(303);
    html = (await page.get("/admin").set("Accept", "text/html").expect(200)).text;
    expect(html).toContain("Hint 1:");
    expect(html).toMatch(/<td><code>share<\/code><\/td><td><strong>FAIL<\/strong>/);
    expect(html).toMatch(/<td><code>who<\/code><\/td><td><strong>withheld<\/strong>/);
    expect(html).toContain("Graded attempts for this run: 1 used,");

    await page.post("/admin/challenge/stop").type("form").send({ from: "page" }).expect(303);
    html = (await page.get("/admin").set("Accept", "text/html").expect(200)).text;
    expect(html).toMatch(/has stopped .*\n?.*it set faults reset@\d%:\*/);
    expect(server.faults.text).toBe("");
  });

  it("POST /admin/reset clears a running challenge: switches, faults and the limit back, no challenge left", async () => {
    await request(server.url)
      .post("/admin/challenge/start")
      .set(admin())
      .send({ name: "the-knee" })
      .expect(200);
    expect(server.capacity.maxInFlight).toBeGreaterThan(0);
    const { body } = await request(server.url).post("/admin/reset").set(admin()).expect(200);
    expect(body.challenge).toEqual({ was: "the-knee" });
    expect(server.capacity.maxInFlight).toBe(0);
    expect(server.switches.enabled()).toEqual(["io-blocking"]);
    const state = await request(server.url).get("/admin/challenge").set(admin()).expect(200);
    expect(state.body).toEqual({ running: false });
    const hidden = await request(server.url).get("/admin/switches").set(admin()).expect(200);
    expect(hidden.body.hidden).toBeUndefined();
    const verify = await cli(["verify", "limit=4"]);
    expect(verify.code).toBe(2);
    expect(verify.output).toContain("no challenge is running");
  });
});

describe("a server with ADMIN_TOKEN", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ LOG_LEVEL: "warn", ADMIN_TOKEN: TOKEN });
  });
  afterAll(() => server.stop());

  it("keeps the challenge's changes hidden from the admin too while it runs, and refuses a client without the token", async () => {
    const started = await challengeCall(
      server.url,
      ["start", "was-it-the-network", "--seed", "3"],
      {
        ADMIN_TOKEN: TOKEN,
      },
    );
    expect(started.code).toBe(0);
    const withToken = { Authorization: `Bearer ${TOKEN}` };
    const faults = await request(server.url).get("/admin/faults").set(withToken).expect(200);
    expect(faults.body.hidden).toContain("hidden while challenge was-it-the-network runs");
    expect(faults.body).not.toHaveProperty("faults");
    await request(server.url).get("/admin/faults").expect(401);
    await request(server.url).get("/admin/challenge").expect(401);
    // Run from another folder with no token file and no token: the server's 401, explained.
    const noToken = await challengeCall(server.url, ["hint"]);
    expect(noToken.code).toBe(2);
    expect(noToken.output).toContain("give ADMIN_TOKEN=... or --admin-token");
    const stopped = await challengeCall(server.url, ["stop", "--admin-token", TOKEN]);
    expect(stopped.output).toMatch(/it set faults reset@\d%:\*/);
  });
});

describe("the home page while a challenge runs", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ LOG_LEVEL: "warn", ADMIN_TOKEN: TOKEN });
  });
  afterAll(() => server.stop());

  it("lists the switches without their states, as JSON and as a page, and shows them again after stop", async () => {
    const withToken = { Authorization: `Bearer ${TOKEN}` };
    await request(server.url)
      .post("/admin/challenge/start")
      .set(withToken)
      .send({ name: "slow-listing" })
      .expect(200);
    const json = await request(server.url).get("/").set("Accept", "application/json").expect(200);
    expect(json.body.enabled).toBeUndefined();
    expect(json.body.switches.length).toBeGreaterThan(0);
    expect(json.body.switches.some((s: { on?: boolean }) => "on" in s)).toBe(false);
    expect(json.body.hidden).toContain("challenge");
    const page = await request(server.url).get("/").set("Accept", "text/html").expect(200);
    // Each lab's card marks a switch that is on; while the challenge runs none is marked.
    expect(page.text).toContain("events-slow-loop");
    expect(page.text).not.toContain('<strong class="on">on</strong>');
    await request(server.url).post("/admin/challenge/stop").set(withToken).expect(200);
    const after = await request(server.url).get("/").set("Accept", "application/json").expect(200);
    expect(after.body.enabled).toEqual([]);
    expect(after.body.switches.every((s: { on: boolean }) => s.on === false)).toBe(true);
  });
});

describe("a bad challenge file", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "fest-lab-challenges-"));
    copyFileSync(join(CHALLENGES, "the-knee.json"), join(dir, "the-knee.json"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("stops the start with one line naming the file and the field", async () => {
    const bad = readChallenge("slow-listing");
    (bad.questions as { tolerance?: object }[])[2] = {
      ...(bad.questions as object[])[2],
      tolerance: {},
    };
    writeFileSync(join(dir, "broken.json"), JSON.stringify(bad));
    await expect(startTestServer({ CHALLENGES_DIR: dir })).rejects.toThrow(
      /^challenge file .*broken\.json: questions\.2\.tolerance: give relative/,
    );
  });

  it("names a variant's answer that is not among the options, and a fault that names no route", () => {
    const bad = readChallenge("slow-listing");
    const [, second] = bad.variants as { answers: Record<string, string> }[];
    if (second !== undefined) second.answers.page = "/nowhere";
    writeFileSync(join(dir, "broken.json"), JSON.stringify(bad));
    expect(() => loadChallenges(dir)).toThrow(
      /broken\.json: variants\.1\.answers\.page: one of the options/,
    );
  });

  it("names a fault that targets no route of the app", async () => {
    const bad = readChallenge("was-it-the-network");
    const [first] = bad.variants as { faults: string }[];
    if (first !== undefined) first.faults = "reset@3%:/nowhere";
    writeFileSync(join(dir, "broken.json"), JSON.stringify(bad));
    await expect(startTestServer({ CHALLENGES_DIR: dir })).rejects.toThrow(
      /broken\.json: variants\.0\.faults: rule 1 "reset@3%:\/nowhere": target/,
    );
  });
});

function challengeNamed(name: string): Challenge {
  const found = loadChallenges(CHALLENGES).find((c) => c.name === name);
  if (found === undefined) throw new Error(`no challenges/${name}.json`);
  return found;
}

function readChallenge(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(CHALLENGES, `${name}.json`), "utf8"));
}
