// npm test only, not test:quick: it starts a WORKERS=2 group and a --services group.
// A challenge in each shape of the server (one process, WORKERS=2, --services): what it
// withholds, its progress, GET /runs/<id> for the whole group, and was-it-the-network's lossy
// network in front of it. A shape takes seconds to start (a group of node processes), so each
// is started once here for all of them, the three at once before the first test (each block
// waits for its own, while the blocks before it run); each test ends with a reset, and none
// needs a fresh database (only the progress test starts the-knee).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { send } from "./helpers/fresh-connection.js";
import {
  NETWORK_SEED,
  SERVER_SEED,
  serverCounts,
  startNetworkChallenge,
  statusThrough,
} from "./helpers/lossy-network.js";
import { seededFolderForTests } from "./helpers/process.js";
import {
  adminOf,
  type RunningShape,
  SHAPE_ADMIN,
  SHAPES,
  type Shape,
  startShape,
} from "./helpers/shapes.js";
import { loadTheKnee } from "./helpers/the-knee.js";

const PIXELS = JSON.stringify({
  pixels: Array.from({ length: 784 }, (_, i) => ((i * 13) % 256) / 255),
});

/** Each shape's start, begun before the first test; a start that failed fails its block. */
const starting = new Map<Shape, Promise<RunningShape | Error>>();
for (const shape of SHAPES) {
  const folder = seededFolderForTests(`fest-lab-challenge-${shape.replace(" ", "-")}-`);
  beforeAll(() => {
    const started = startShape(shape, folder(), { LOG_LEVEL: "warn" });
    starting.set(
      shape,
      started.catch((error: Error) => error),
    );
  });
}
afterAll(async () => {
  for (const started of starting.values()) {
    const running = await started;
    if (!(running instanceof Error)) await running.stop();
  }
});

describe.each(SHAPES)("the %s shape", (shape) => {
  let running: RunningShape;
  beforeAll(async () => {
    const started = await starting.get(shape);
    if (started === undefined || started instanceof Error) throw started;
    running = started;
  }, 90_000);
  // Whatever a test left running (a failed one included) is stopped before the next.
  afterEach(async () => {
    expect((await admin("POST", "/admin/reset")).status).toBe(200);
  });

  const { admin, adminJson } = adminOf(() => running.url);

  // In a group the answers come from members that follow the group's hidden state: the labs'
  // answers, the truth and /metrics withhold alike in one process, in WORKERS and behind the
  // services gateway. Each request on its own connection, so a group's members all answer some.
  it("withholds which twin ran and the faults by kind from the answers, the truth and /metrics; the instructor's view shows them", async () => {
    const started = await adminJson("POST", "/admin/challenge/start", {
      name: "blocked-event-loop",
      seed: 1,
    });
    const headers = { "X-Run-Id": started.runId };
    // Every switch of the challenge's options on, and a fault rule, as an instructor's
    // setting would: whatever the variant, each field would have something to say.
    for (const name of ["cpu-inline", "io-blocking", "model-per-request", "predict-no-cache"]) {
      expect((await admin("PUT", `/admin/switches/${name}`, { on: true })).status).toBe(200);
    }
    expect((await admin("PUT", "/admin/faults", { faults: "delay:1ms@100%:/health" })).status).toBe(
      200,
    );
    const answers = [];
    for (let round = 0; round < 2; round++) {
      answers.push(
        await send(`${running.url}/cpu?n=20000`, { headers }),
        await send(`${running.url}/io?ms=20`, { headers }),
        await send(`${running.url}/predict`, {
          method: "POST",
          headers: { ...headers, "Content-Type": "application/json" },
          body: PIXELS,
        }),
        await send(`${running.url}/health`, { headers }),
      );
    }
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      for (const tell of ['"ranOn"', '"waitedWith"', '"modelLoadMs"', '"cached"']) {
        expect(answer.body).not.toContain(tell);
      }
    }
    const truth = await adminJson("GET", `/admin/truth?run=${started.runId}`);
    expect(JSON.stringify(truth)).not.toMatch(/"delay":\d|resetByFault/);
    expect(truth.routes.length).toBeGreaterThan(0);
    const metrics = (await send(`${running.url}/metrics`)).body;
    for (const family of [
      "festlab_faults_injected_total",
      "festlab_digit_predictions_total",
      "festlab_cpu_pool_tasks_completed_total",
    ]) {
      expect(metrics).not.toMatch(new RegExp(`^(# (HELP|TYPE) )?${family}`, "m"));
    }
    expect(metrics).not.toMatch(/^festlab_switch_on\{/m);
    expect(metrics).toMatch(/^festlab_http_request_duration_seconds_count\{/m);

    const instructorTruth = await adminJson(
      "GET",
      `/admin/truth?run=${started.runId}&view=instructor`,
    );
    const health = instructorTruth.routes.find((r: { route: string }) => r.route === "/health");
    expect(health.faults.delay).toBe(2);
    const instructor = await adminJson("GET", "/admin/challenge?view=instructor");
    expect(instructor.instructor.switches.length).toBeGreaterThan(0);
  });

  it("progress: one start is one run and each graded verify one attempt; one process writes each", async () => {
    const run = await loadTheKnee(running.url, SHAPE_ADMIN, 3);
    const verify = (answers: string[]) =>
      adminJson("POST", "/admin/challenge/verify", {
        answers: Object.fromEntries(answers.map((a) => a.split("="))),
      });
    await verify(["limit=1000", "refused=0"]);
    const passed = await verify(run.answers);
    expect(passed.pass, JSON.stringify(passed)).toBe(true);
    const { challenges } = await adminJson("GET", "/admin/challenge/progress");
    expect(
      challenges.find((row: { challenge: string }) => row.challenge === "the-knee"),
    ).toMatchObject({
      state: "passed",
      seed: 3,
      runs: 1,
      attempts: 2,
    });
  });

  it("GET /runs/<id> answers for the whole group: a run's requests on any member make it loaded", async () => {
    expect(JSON.parse((await send(`${running.url}/runs/group-1`)).body).loaded).toBe(false);
    // Several requests on their own connections, so a group spreads them over its members.
    for (let i = 0; i < 4; i++) {
      expect(
        (await send(`${running.url}/health`, { headers: { "X-Run-Id": "group-1" } })).status,
      ).toBe(200);
    }
    for (let i = 0; i < 4; i++) {
      const answer = await send(`${running.url}/runs/group-1`);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ run: "group-1", loaded: true });
    }
  });

  // was-it-the-network: start puts a proxy on its own loopback port in front of the server and
  // prints its address in the load command; what the network loses never reaches the server,
  // whose counts fall short by exactly that, while the server's own resets are in its counts;
  // verify grades the share against what really happened; stop and reset close the network.
  const verify = (answers: Record<string, string>) =>
    adminJson("POST", "/admin/challenge/verify", { answers });

  it.each([
    [SERVER_SEED, "server"],
    [NETWORK_SEED, "network"],
  ])(
    "the lossy network, seed %i: the requests through the network's address, the server's counts, and who: %s",
    async (seed, who) => {
      const { runId, host } = await startNetworkChallenge(adminJson, running.url, seed);
      const sent = 120;
      let dropped = 0;
      // Ten users at a time: the draws follow the request numbers, not the order they come in.
      for (let n = 0; n < sent; n += 10) {
        const statuses = await Promise.all(
          Array.from({ length: 10 }, () => statusThrough(host, runId)),
        );
        for (const status of statuses) {
          // Under --services the gateway answers a service's reset with 502: the server's doing.
          if (status === undefined || (shape === "services" && status === 502)) dropped++;
          else expect(status).toBe(200);
        }
      }
      expect(dropped).toBeGreaterThan(0);
      const server = serverCounts(await adminJson("GET", `/admin/truth?run=${runId}`));
      if (who === "server") expect(server).toEqual({ requests: sent, unanswered: dropped });
      else expect(server).toEqual({ requests: sent - dropped, unanswered: 0 });
      const share = ((100 * dropped) / sent).toFixed(2);
      // A share off first (it decides nothing: the first attempt whose figures hold does),
      // then the right answers.
      const off = await verify({ share: String(Number(share) + 20), who });
      expect(off.pass).toBe(false);
      const right = await verify({ share, who });
      expect(right.pass, JSON.stringify(right.questions)).toBe(true);

      // Stopped: the network is gone, what it lost still grades the share, and the review
      // grades the other answer wrong.
      await adminJson("POST", "/admin/challenge/stop");
      expect(await statusThrough(host, runId)).toBeUndefined();
      expect((await verify({ share, who })).pass).toBe(true);
      const other = await verify({ share, who: who === "server" ? "network" : "server" });
      expect(other.pass).toBe(false);
    },
  );

  it("the lossy network: POST /admin/reset closes a running network", async () => {
    const { host, runId } = await startNetworkChallenge(adminJson, running.url, NETWORK_SEED);
    const statuses = await Promise.all([1, 2, 3, 4].map(() => statusThrough(host, runId)));
    expect(statuses).toContain(200);
    await adminJson("POST", "/admin/reset");
    expect(await statusThrough(host, runId)).toBeUndefined();
    expect((await adminJson("GET", "/admin/challenge")).running).toBe(false);
  });
});
