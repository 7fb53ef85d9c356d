// The ground truth: exact counts per method and route, per run id, reset on demand, behind the
// admin guard.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN } from "./helpers/admin-api.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ LOG_LEVEL: "warn" });
});
afterAll(() => server.stop());

interface Row {
  method: string;
  route: string;
  requests: number;
  statuses: Record<string, number>;
  bytesSent: number;
  latencyMs: { answered: number; p50: number; p95: number; p99: number };
}

const rowOf = (body: { routes: Row[] }, method: string, route: string) =>
  body.routes.find((r) => r.method === method && r.route === route);

describe("GET /admin/truth", () => {
  it("counts requests by method and route pattern, with statuses, bytes and latency", async () => {
    await request(server.url).post("/admin/truth/reset").set(ADMIN).expect(200);
    for (let i = 0; i < 5; i++) await request(server.url).get("/health").expect(200);
    for (const id of [1, 2, 999999]) {
      await request(server.url)
        .post(`/events/${id}/register?user=locust_user`)
        .set("Accept", "application/json");
    }
    await request(server.url).get("/io?ms=30").expect(200);
    const { body } = await request(server.url).get("/admin/truth").set(ADMIN).expect(200);
    expect(rowOf(body, "GET", "/health")).toMatchObject({ requests: 5, statuses: { 200: 5 } });
    const register = rowOf(body, "POST", "/events/:id/register");
    expect(register?.requests).toBe(3);
    const io = rowOf(body, "GET", "/io");
    expect(io?.latencyMs.answered).toBe(1);
    expect(io?.latencyMs.p50).toBeGreaterThanOrEqual(30);
    expect(io?.bytesSent).toBeGreaterThan(100);
    expect(body.connections.opened).toBeGreaterThan(0);
  });

  it("counts a request with X-Run-Id under its run too", async () => {
    await request(server.url).post("/admin/truth/reset").set(ADMIN).expect(200);
    for (let i = 0; i < 3; i++) await request(server.url).get("/health").set("X-Run-Id", "alice-1");
    await request(server.url).get("/health").set("X-Run-Id", "bob");
    await request(server.url).get("/health");
    const all = await request(server.url).get("/admin/truth").set(ADMIN).expect(200);
    expect(rowOf(all.body, "GET", "/health")?.requests).toBe(5);
    expect(all.body.runs).toEqual(["alice-1", "bob"]);
    const alice = await request(server.url).get("/admin/truth?run=alice-1").set(ADMIN).expect(200);
    expect(alice.body.run).toBe("alice-1");
    expect(rowOf(alice.body, "GET", "/health")?.requests).toBe(3);
    await request(server.url).get("/admin/truth?run=nobody").set(ADMIN).expect(404);
  });

  it("counts a client that left before its answer", async () => {
    await request(server.url).post("/admin/truth/reset").set(ADMIN).expect(200);
    const controller = new AbortController();
    const gone = fetch(`${server.url}/io?ms=2000`, { signal: controller.signal }).catch(
      () => "left",
    );
    await pollTruth((body) => body.requestsInFlight >= 2);
    controller.abort();
    expect(await gone).toBe("left");
    const body = await pollTruth((b) => rowOf(b, "GET", "/io") !== undefined);
    expect(rowOf(body, "GET", "/io")).toMatchObject({
      requests: 1,
      clientLeftFirst: 1,
      statuses: {},
    });
  });

  it("POST /admin/truth/reset starts a fresh count", async () => {
    await request(server.url).get("/health");
    await request(server.url).post("/admin/truth/reset").set(ADMIN).expect(200);
    const { body } = await request(server.url).get("/admin/truth").set(ADMIN).expect(200);
    expect(rowOf(body, "GET", "/health")).toBeUndefined();
  });

  it("is guarded like the admin API: no credential, 401; another site, 403 with it", async () => {
    await request(server.url).get("/admin/truth").set("Host", "evil.example").expect(401);
    await request(server.url)
      .post("/admin/truth/reset")
      .set(ADMIN)
      .set("Origin", "http://evil.example")
      .expect(403);
  });
});

/** Polls the truth until `ready` holds, at most 5 s. */
async function pollTruth(ready: (body: { routes: Row[]; requestsInFlight: number }) => boolean) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const { body } = await request(server.url).get("/admin/truth").set(ADMIN).expect(200);
    if (ready(body)) return body;
    if (Date.now() > deadline)
      throw new Error(`the truth never got there: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("a run a challenge starts", () => {
  it("counts from zero even when the server already holds as many runs as it keeps", async () => {
    await request(server.url).post("/admin/truth/reset").set(ADMIN).expect(200);
    for (let i = 0; i < 200; i++) server.truth.startRun(`student-${i}`);
    await request(server.url).get("/health").set("X-Run-Id", "one-too-many").expect(200);
    expect(server.truth.report()?.runIdsRefused).toBe(1);

    server.truth.startRun("challenge-run");
    await request(server.url).get("/health").set("X-Run-Id", "challenge-run").expect(200);
    const run = server.truth.report("challenge-run");
    expect(run?.routes.map((r) => [r.route, r.requests])).toEqual([["/health", 1]]);
    server.truth.startRun("challenge-run");
    expect(server.truth.report("challenge-run")?.routes).toEqual([]);
    await request(server.url).post("/admin/truth/reset").set(ADMIN).expect(200);
  });
});
