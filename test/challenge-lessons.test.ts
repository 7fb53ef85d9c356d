// Each shipped challenge, solved as a student would: start it, send a short load with the run
// id, read the answer from what the load saw (and, where the question asks for it, from the
// server's truth), then `npm run challenge -- verify` exits 0 for the right answers and 1 for
// a wrong one. Loads are a few dozen requests: the machine is small and shared.
import { Agent, request as httpRequest } from "node:http";
import request from "supertest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { adminHeader } from "./helpers/admin-api.js";
import { challengeCli } from "./helpers/challenge-cli.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

interface Answer {
  status: number | undefined;
  /** The connection closed without an answer (a reset). */
  dropped: boolean;
  ms: number;
  body: string;
}

/** One request on its own connection, carrying the run id, as a separate Locust user would. */
function send(
  url: string,
  path: string,
  runId: string,
  body?: { type: string; data: string },
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = httpRequest(
      `${url}${path}`,
      {
        method: body === undefined ? "GET" : "POST",
        agent: new Agent({ keepAlive: false }),
        headers: {
          "x-run-id": runId,
          ...(body === undefined ? {} : { "content-type": body.type }),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode,
            dropped: false,
            ms: performance.now() - started,
            body: text,
          }),
        );
        res.on("error", () =>
          resolve({ status: undefined, dropped: true, ms: performance.now() - started, body: "" }),
        );
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error("no answer within 15 s")));
    req.on("error", () =>
      resolve({ status: undefined, dropped: true, ms: performance.now() - started, body: "" }),
    );
    req.end(body?.data);
  });
}

let server: TestServer;
beforeAll(async () => {
  // No ADMIN_TOKEN: the server makes one, and the CLI reads it as a student's would.
  server = await startTestServer({ LOG_LEVEL: "warn", ADMIN_TOKEN: "" });
});
afterAll(() => server.stop());
afterEach(async () => {
  await request(server.url).post("/admin/reset").set(adminHeader(server.adminToken)).expect(200);
});

/** Starts a challenge through the CLI; its run id, read from what the CLI printed. */
async function start(name: string, seed: number): Promise<string> {
  const { code, output } = await challengeCli(server.url, ["start", name, "--seed", String(seed)], {
    DB_PATH: server.dbPath,
  });
  expect(code, output).toBe(0);
  const runId = new RegExp(`run id (${name}-${seed}-[0-9a-f]{4})`).exec(output)?.[1];
  if (runId === undefined) throw new Error(`no run id in: ${output}`);
  return runId;
}

async function verify(answers: Record<string, string | number>) {
  return challengeCli(
    server.url,
    ["verify", ...Object.entries(answers).map(([id, answer]) => `${id}=${answer}`)],
    { DB_PATH: server.dbPath },
  );
}

/** The server's own figure for the run, where a question asks what the server measured. */
async function truthOf(runId: string, method: string, route: string) {
  const { body } = await request(server.url)
    .get(`/admin/truth?run=${runId}`)
    .set(adminHeader(server.adminToken))
    .expect(200);
  return body.routes.find(
    (r: { method: string; route: string }) => r.method === method && r.route === route,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}

const PAGES = ["/events", "/my-events", "/checkout"] as const;
const SLOW_TWIN = {
  "/events": "events-slow-loop",
  "/my-events": "my-events-slow-loop",
  "/checkout": "checkout-slow-loop",
} as const;

describe("each shipped challenge: the right answer verifies (exit 0), a wrong one does not (exit 1)", () => {
  it("slow-listing: which page, which twin, how many requests", async () => {
    const runId = await start("slow-listing", 2);
    let sent = 0;
    const times: Record<string, number[]> = { "/events": [], "/my-events": [], "/checkout": [] };
    for (let round = 0; round < 6; round++) {
      for (const page of PAGES) {
        const answer = await send(server.url, `${page}?user=locust_user`, runId);
        expect(answer.status).toBe(200);
        times[page]?.push(answer.ms);
        sent++;
      }
    }
    // The small test data cannot promise a gap in time between the pages, so the answer is
    // the page whose twin the server turned on (what a student finds with the default data).
    const [on] = server.switches.enabled();
    const page = PAGES.find((p) => SLOW_TWIN[p] === on) ?? "/events";
    expect(PAGES.every((p) => median(times[p] ?? []) > 0)).toBe(true);
    // A figure off first: the choices are not graded until every figure holds (grade.ts).
    const tooFew = await verify({ page, switch: SLOW_TWIN[page], requests: sent * 2 });
    expect(tooFew.output).toMatch(/^FAIL {2}requests/m);
    expect(tooFew.output).toMatch(/^-{4} {2}page/m);
    expect(tooFew.code).toBe(1);
    const right = await verify({ page, switch: SLOW_TWIN[page], requests: sent });
    expect(right.output).toMatch(/passed, 3 of 3/);
    expect(right.code).toBe(0);
    expect(right.result()).toMatchObject({ challenge: "slow-listing", pass: true, passed: 3 });
  });

  it("blocked-event-loop: the switch, the server's /health p99, and where the time went", async () => {
    const runId = await start("blocked-event-loop", 1);
    // The bench mix, a little of it: /cpu and /io beside /health, in parallel.
    const answers: Answer[] = [];
    for (let round = 0; round < 4; round++) {
      answers.push(
        ...(await Promise.all([
          send(server.url, "/cpu?n=200000", runId),
          send(server.url, "/io?ms=50", runId),
          send(server.url, "/health", runId),
          send(server.url, "/health", runId),
        ])),
      );
    }
    expect(answers.every((a) => a.status === 200)).toBe(true);
    // The answers no longer say how they ran while the challenge runs: the timings do. A timer
    // lets four waits of 50 ms overlap; a synchronous sleep runs them one after another.
    const waits = await Promise.all(
      Array.from({ length: 4 }, () => send(server.url, "/io?ms=50", runId)),
    );
    const blocking = Math.max(...waits.map((a) => a.ms)) >= 150;
    const health = await truthOf(runId, "GET", "/health");
    const wrong = await verify({
      switch: blocking ? "cpu-inline" : "io-blocking",
      "health-p99": health.latencyMs.p99 * 10 + 100,
      waited: "handler",
    });
    expect(wrong.code).toBe(1);
    expect(wrong.output).toMatch(/^FAIL {2}health-p99/m);
    expect(wrong.output).toMatch(/^-{4} {2}switch/m);
    const right = await verify({
      switch: blocking ? "io-blocking" : "cpu-inline",
      "health-p99": (await truthOf(runId, "GET", "/health")).latencyMs.p99,
      waited: "event-loop",
    });
    expect(right.code, right.output).toBe(0);
  });

  it("crashing-checkout: the route, its status, and the run's failures on it", async () => {
    const runId = await start("crashing-checkout", 1);
    const failed: Record<string, number> = {};
    let status = 0;
    for (let round = 0; round < 5; round++) {
      for (const page of PAGES) {
        const answer = await send(server.url, `${page}?user=locust_user`, runId);
        if (answer.status !== 200) {
          failed[page] = (failed[page] ?? 0) + 1;
          status = answer.status ?? 0;
        }
      }
    }
    const [route, failures] = Object.entries(failed)[0] ?? ["", 0];
    expect(Object.keys(failed)).toHaveLength(1);
    const wrong = await verify({ route, status, failures: failures + 5 });
    expect(wrong.code).toBe(1);
    const right = await verify({ route, status, failures });
    expect(right.code, right.output).toBe(0);
  });

  it("slow-predictions: the switch, the predictions sent, the server's median", async () => {
    const runId = await start("slow-predictions", 1);
    const answers: Answer[] = [];
    for (let digit = 0; digit < 6; digit++) {
      const pixels = Array.from({ length: 784 }, (_, i) => ((i * 7 + digit * 31) % 256) / 255);
      answers.push(
        await send(server.url, "/predict", runId, {
          type: "application/json",
          data: JSON.stringify({ pixels }),
        }),
      );
    }
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const predict = await truthOf(runId, "POST", "/predict");
    const wrong = await verify({
      switch: "predict-no-cache",
      predictions: answers.length + 10,
      p50: predict.latencyMs.p50,
    });
    expect(wrong.code).toBe(1);
    const right = await verify({
      switch: "model-per-request",
      predictions: answers.length,
      p50: predict.latencyMs.p50,
    });
    expect(right.code, right.output).toBe(0);
  });

  it("was-it-the-network: the share dropped, and that the server dropped it", async () => {
    const runId = await start("was-it-the-network", 5);
    let dropped = 0;
    const sent = 120;
    for (let n = 0; n < sent; n++) {
      const answer = await send(server.url, "/events?user=locust_user", runId);
      if (answer.dropped) dropped++;
      else expect(answer.status).toBe(200);
    }
    // The fault draws follow FAULT_SEED and the request numbers: this run always drops some.
    expect(dropped).toBeGreaterThan(0);
    const share = ((100 * dropped) / sent).toFixed(2);
    const wrongShare = await verify({ share: Number(share) + 20, who: "network" });
    expect(wrongShare.code).toBe(1);
    const right = await verify({ share, who: "server" });
    expect(right.code, right.output).toBe(0);
  });

  it("the-knee: the capacity limit found from a burst, and the 503s counted", async () => {
    const runId = await start("the-knee", 7);
    // A step of 20 at once on their own connections: the limit runs, no line waits, the rest
    // are refused at once. The count of 200s is the limit (Little's law, one step of it).
    const burst = await Promise.all(
      Array.from({ length: 20 }, () => send(server.url, "/io?ms=1500", runId)),
    );
    const ok = burst.filter((a) => a.status === 200).length;
    const refused = burst.filter((a) => a.status === 503).length;
    expect(ok + refused).toBe(20);
    expect(refused).toBeGreaterThan(0);
    const wrong = await verify({ limit: ok * 3, refused });
    expect(wrong.code).toBe(1);
    expect(wrong.output).toMatch(/^FAIL {2}limit +given \d+: not within 25 % or 1 of the value/m);
    const right = await verify({ limit: ok, refused });
    expect(right.code, right.output).toBe(0);
  });
});
