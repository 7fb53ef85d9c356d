// npm test only, not test:quick: it plays two lessons end to end, one of them in a --services group.
// The two newer lessons, each solved as a student would from its brief alone: start it, send a
// short bounded load to 127.0.0.1, derive the answer from /metrics and the timings, and verify:
// the right answers pass, a wrong one fails. At most two graded attempts per run. Loads are a
// few dozen requests: the machine is small and shared.
import { Registry } from "prom-client";
import request from "supertest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LEAK_BYTES, RetainedMemory } from "../src/catalogue/leaks.js";
import { pickVariant } from "../src/challenge/challenges.js";
import { loadChallenges } from "../src/challenge/definition.js";
import { EVENTS_SLOW_MS } from "../src/fest/routes.js";
import { projectRoot } from "../src/paths.js";
import { ADMIN } from "./helpers/admin-api.js";
import { seededFolderForTests, waitFor } from "./helpers/process.js";
import { startTestServer, type TestServer } from "./helpers/server.js";
import { type RunningShape, SHAPE_ADMIN, startShape } from "./helpers/shapes.js";

const LIBRARY = loadChallenges(`${projectRoot}/challenges`);

/** Seeds of `name` whose variants differ, one for each of the first `count` variants met. */
function seedsOfDifferentVariants(name: string, count: number): number[] {
  const challenge = LIBRARY.find((c) => c.name === name);
  if (challenge === undefined) throw new Error(`no challenge ${name}`);
  const seen = new Set<unknown>();
  const seeds: number[] = [];
  for (let seed = 1; seeds.length < count && seed < 1_000; seed++) {
    const variant = pickVariant(challenge, seed);
    if (seen.has(variant)) continue;
    seen.add(variant);
    seeds.push(seed);
  }
  return seeds;
}

/** One figure of the Prometheus text: the sum of the samples of `name` whose labels hold `labels`. */
function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split("\n")) {
    const match = /^([a-z_:]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const given = match[2] ?? "";
    if (Object.entries(labels).every(([k, v]) => given.includes(`${k}="${v}"`))) {
      total += Number(match[3]);
    }
  }
  return total;
}

/** The catalogue's three routes, by the pattern the challenge's options name. */
const CATALOGUE_ROUTES = {
  "/status": "/status",
  "/api/id/:id": "/api/id/tt0068646",
  "/api/title/:title/:year": "/api/title/The%20godfather/1972",
} as const;

// One server in this process for the tests that need no shape: each ends with a reset.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ LOG_LEVEL: "warn" });
});
afterAll(() => server.stop());

// The services shape takes seconds to start (a gateway and four services): it starts first,
// in the background, while the tests above run on the server in this process, and the services
// tests wait for it. Its failure to start fails those tests, not the ones before.
const servicesFolder = seededFolderForTests("fest-lab-slow-service-");
let servicesStarting: Promise<RunningShape | Error> | undefined;
beforeAll(() => {
  servicesStarting = startShape("services", servicesFolder(), { LOG_LEVEL: "warn" }).catch(
    (error: Error) => error,
  );
});
afterAll(async () => {
  const started = await servicesStarting;
  if (started !== undefined && !(started instanceof Error)) await started.stop();
});

describe("memory-leak: the route that leaks, and its growth per 1,000 requests", () => {
  afterEach(async () => {
    await request(server.url).post("/admin/reset").set(ADMIN).expect(200);
  });

  const ROUTES = CATALOGUE_ROUTES;
  // A leak keeps the same bytes for each request: ten show it as well as more would.
  const PER_ROUTE = 10;

  const retained = async () =>
    metric((await request(server.url).get("/metrics").expect(200)).text, "festlab_retained_bytes");

  it.each(seedsOfDifferentVariants("memory-leak", 3))(
    "seed %i: measured, verified",
    async (seed) => {
      const started = await request(server.url)
        .post("/admin/challenge/start")
        .set(ADMIN)
        .send({ name: "memory-leak", seed })
        .expect(200);
      const runId = started.body.runId as string;
      // One route at a time, the gauge read before and after each: the leaking one moves it.
      const growth: Record<string, number> = {};
      for (const [route, path] of Object.entries(ROUTES)) {
        const before = await retained();
        await Promise.all(
          Array.from({ length: PER_ROUTE }, () =>
            request(server.url).get(path).set("x-run-id", runId).expect(200),
          ),
        );
        growth[route] = ((await retained()) - before) / PER_ROUTE;
      }
      const leaking = Object.entries(growth).filter(([, bytes]) => bytes > 0);
      expect(leaking).toHaveLength(1);
      const [route, bytesPerRequest] = leaking[0] as [string, number];
      // The bytes of 1,000 requests (bytes per request x 1,000), in KB of 1,000 bytes.
      const bytesPer1000 = bytesPerRequest * 1_000;
      const kb = bytesPer1000 / 1_000;

      // A figure off first: the run is not decided, the choice not graded (three attempts a
      // run, and the first with every figure right decides it); then the right answers.
      const otherRoute = Object.keys(ROUTES).find((r) => r !== route);
      const wrong = await request(server.url)
        .post("/admin/challenge/verify")
        .set(ADMIN)
        .send({ answers: { route: otherRoute, growth: kb * 2 } })
        .expect(200);
      expect(wrong.body.pass).toBe(false);
      const right = await request(server.url)
        .post("/admin/challenge/verify")
        .set(ADMIN)
        .send({ answers: { route, growth: kb } })
        .expect(200);
      expect(right.body, JSON.stringify(right.body)).toMatchObject({ pass: true, passed: 2 });
    },
  );

  it("nothing names the leak while the challenge runs, and a reset frees what leaked", async () => {
    const [seed] = seedsOfDifferentVariants("memory-leak", 1);
    await request(server.url)
      .post("/admin/challenge/start")
      .set(ADMIN)
      .send({ name: "memory-leak", seed })
      .expect(200);
    for (const path of Object.values(ROUTES)) {
      for (let n = 0; n < 5; n++) await request(server.url).get(path).expect(200);
    }
    const leaked = await retained();
    expect(leaked).toBeGreaterThan(0);
    const page = await request(server.url).get("/metrics").expect(200);
    for (const name of Object.keys(LEAK_BYTES)) expect(page.text).not.toContain(name);

    const reset = await request(server.url).post("/admin/reset").set(ADMIN).expect(200);
    expect(reset.body.catalogue).toEqual({ freedBytes: leaked });
    expect(reset.body.switches.on).toEqual([]);
    expect(await retained()).toBe(0);
    // Off after the reset: the routes keep nothing more.
    for (const path of Object.values(ROUTES)) await request(server.url).get(path).expect(200);
    expect(await retained()).toBe(0);
  });
});

describe("slow-service outside the services shape", () => {
  it("is refused with a 409 that says to start the services shape; accounts-slow still slows the accounts pages", async () => {
    try {
      const refused = await request(server.url)
        .post("/admin/challenge/start")
        .set(ADMIN)
        .send({ name: "slow-service", seed: 1 })
        .expect(409);
      expect(refused.body.error).toContain("npm start -- --services");
      // Nothing was started or changed.
      expect(server.challenges.running).toBeUndefined();
      expect(server.switches.enabled()).toEqual([]);
      // accounts-slow acts in one process too: the accounts pages wait, the others do not.
      server.switches.set("accounts-slow", true);
      const timedGet = async (path: string) => {
        const started = performance.now();
        await request(server.url).get(path).expect(200);
        return performance.now() - started;
      };
      const [login, events] = await Promise.all([
        timedGet("/login"),
        timedGet("/events?user=locust_user"),
      ]);
      expect(login).toBeGreaterThan(EVENTS_SLOW_MS / 2);
      expect(events).toBeLessThan(login);
    } finally {
      await request(server.url).post("/admin/reset").set(ADMIN).expect(200);
    }
  });
});

describe("slow-service in the services shape: which service, and the calls one /checkout makes", () => {
  let shape: RunningShape;
  beforeAll(async () => {
    const started = await servicesStarting;
    if (started === undefined || started instanceof Error) throw started;
    shape = started;
  }, 90_000);
  // Each test starts from no challenge, even after one that failed half-way.
  afterEach(async () => {
    expect((await admin("/admin/reset")).status).toBe(200);
  });

  const admin = (path: string, body?: object) =>
    fetch(`${shape.url}${path}`, {
      method: "POST",
      headers: { ...SHAPE_ADMIN, "content-type": "application/json" },
      body: JSON.stringify(body ?? {}),
    });

  /** One page through the gateway with the run id; its status and how long it took. */
  async function timed(path: string, runId: string) {
    const started = performance.now();
    const res = await fetch(`${shape.url}${path}`, {
      headers: { "x-run-id": runId },
      signal: AbortSignal.timeout(30_000),
    });
    const body = await res.text();
    return { status: res.status, ms: performance.now() - started, body };
  }

  /**
   * The gateway's /metrics once it holds every service's figures: a service too busy to answer
   * the gateway's scrape within its bound is left out of one answer, so ask again (bounded).
   */
  async function metricsText(): Promise<string> {
    let text = "";
    await waitFor(
      async () => {
        text = await (await fetch(`${shape.url}/metrics`)).text();
        return ["accounts", "events", "checkout", "labs"].every((name) =>
          text.includes(`festlab_http_requests_in_flight{service="${name}"}`),
        );
      },
      30_000,
      "every service's figures in the gateway's /metrics",
    );
    return text;
  }

  it.each(seedsOfDifferentVariants("slow-service", 3))(
    "seed %i: measured from timings and /metrics, verified",
    async (seed) => {
      const started = await admin("/admin/challenge/start", { name: "slow-service", seed });
      expect(started.status).toBe(200);
      const runId = ((await started.json()) as { runId: string }).runId;
      const before = await metricsText();
      // A short walk, in parallel as a few users would: each service's own page, and checkouts.
      const pages = await Promise.all([
        ...Array.from({ length: 3 }, () => timed("/events?user=locust_user", runId)),
        ...Array.from({ length: 3 }, () => timed("/login", runId)),
        ...Array.from({ length: 4 }, () => timed("/checkout?user=locust_user", runId)),
      ]);
      const after = await metricsText();
      // While it runs, no answer counts the calls for the student: that is /metrics' to tell.
      for (const page of pages) expect(page.body).not.toMatch(/attempts|\d+ calls/);
      for (const name of ["events-slow", "accounts-slow", "retry-storm", "no-timeout"]) {
        expect(after).not.toContain(name);
      }
      const slowest = (from: number) => Math.min(...pages.slice(from, from + 3).map((p) => p.ms));
      // The slow service is the one whose own pages are slow: events' list or accounts' log-in.
      const service = slowest(0) > slowest(3) ? "events" : "accounts";
      expect(Math.max(slowest(0), slowest(3))).toBeGreaterThan(EVENTS_SLOW_MS / 2);
      const grew = (name: string, labels: Record<string, string>) =>
        metric(after, name, labels) - metric(before, name, labels);
      const checkouts = grew("festlab_gateway_requests_total", { upstream: "checkout" });
      expect(checkouts).toBe(4);
      const calls = grew("festlab_upstream_calls_total", { service: "checkout" }) / checkouts;

      // A figure off first (it decides nothing), then the right answers.
      const wrong = await admin("/admin/challenge/verify", {
        answers: { service: service === "events" ? "accounts" : "events", calls: calls + 5 },
      });
      expect(((await wrong.json()) as { pass: boolean }).pass).toBe(false);
      const right = await admin("/admin/challenge/verify", { answers: { service, calls } });
      const rightBody = (await right.json()) as { pass: boolean };
      expect(rightBody, JSON.stringify(rightBody)).toMatchObject({ pass: true });
    },
    90_000,
  );

  it("memory-leak plays the same through the gateway: the leak is the labs service's, the reset frees it", async () => {
    const [seed] = seedsOfDifferentVariants("memory-leak", 1);
    const started = await admin("/admin/challenge/start", { name: "memory-leak", seed });
    expect(started.status).toBe(200);
    const runId = ((await started.json()) as { runId: string }).runId;
    const retained = async () => metric(await metricsText(), "festlab_retained_bytes");
    const growth: Record<string, number> = {};
    for (const [route, path] of Object.entries(CATALOGUE_ROUTES)) {
      const before = await retained();
      for (let n = 0; n < 10; n++) expect((await timed(path, runId)).status).toBe(200);
      growth[route] = ((await retained()) - before) / 10;
    }
    const leaking = Object.entries(growth).filter(([, bytes]) => bytes > 0);
    expect(leaking).toHaveLength(1);
    // Bytes a request x 1,000 requests, in KB of 1,000 bytes: the bytes a request.
    const [route, kb] = leaking[0] as [string, number];
    const right = await admin("/admin/challenge/verify", { answers: { route, growth: kb } });
    expect(((await right.json()) as { pass: boolean }).pass).toBe(true);
    expect((await admin("/admin/reset")).status).toBe(200);
    expect(await retained()).toBe(0);
  }, 60_000);
});

describe("the leaks' cap", () => {
  it("past the cap a leak keeps nothing more, says so once, and free() lets go of it all", () => {
    const registry = new Registry();
    const warnings: string[] = [];
    const size = LEAK_BYTES["lookup-trace-leak"];
    const memory = new RetainedMemory(registry, size * 3 + 10, (line) => warnings.push(line));
    for (let n = 0; n < 10; n++) memory.keep("lookup-trace-leak");
    expect(memory.bytes).toBe(size * 3);
    for (let n = 0; n < 10; n++) memory.keep("title-listener-leak");
    expect(memory.bytes).toBe(size * 3);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("cap");
    expect(memory.free()).toBe(size * 3);
    expect(memory.bytes).toBe(0);
    memory.keep("title-listener-leak");
    expect(memory.bytes).toBe(LEAK_BYTES["title-listener-leak"]);
  });

  it("the gauge reads what is held", async () => {
    const registry = new Registry();
    const memory = new RetainedMemory(registry);
    memory.keep("status-history-leak");
    memory.keep("title-listener-leak");
    const text = await registry.metrics();
    expect(metric(text, "festlab_retained_bytes")).toBe(
      LEAK_BYTES["status-history-leak"] + LEAK_BYTES["title-listener-leak"],
    );
  });
});
