// The ground truth: exact counts per method and route, per run id, reset on demand, behind the
// admin guard.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addTruths } from "../src/truth/add.js";
import type { RouteReport, TruthReport } from "../src/truth/truth.js";
import { ADMIN } from "./helpers/admin-api.js";
import { waitFor } from "./helpers/process.js";
import { openRaw } from "./helpers/raw-http.js";
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

  it("counts pipelined /health requests once each, each answered", async () => {
    await request(server.url).post("/admin/truth/reset").set(ADMIN).expect(200);
    // Three requests in one write: the second and third wait for the first's answer, so the
    // request watch cannot count them as the first, answered before its handler returned.
    const raw = await openRaw(server.url);
    const get = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    raw.socket.write(
      `${get}${get}GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
    );
    const text = await raw.closed(5_000);
    expect(text.match(/HTTP\/1\.1 200 /g)).toHaveLength(3);
    const { body } = await request(server.url).get("/admin/truth").set(ADMIN).expect(200);
    expect(rowOf(body, "GET", "/health")).toMatchObject({
      requests: 3,
      statuses: { 200: 3 },
      latencyMs: { answered: 3 },
    });
  });

  it("counts exactly the bytes a client received, answer by answer on one connection and pipelined", async () => {
    await request(server.url).post("/admin/truth/reset").set(ADMIN).expect(200);
    const raw = await openRaw(server.url);
    const get = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    // One at a time on a kept-alive connection (each request finds its socket's buffer empty),
    // then two pipelined (the second waits in the response while the first is written).
    for (let answers = 1; answers <= 3; answers++) {
      raw.socket.write(get);
      await waitFor(
        () => (raw.received().match(/HTTP\/1\.1 200 /g) ?? []).length === answers,
        5_000,
        `answer ${answers}`,
      );
    }
    raw.socket.write(`${get}GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    const text = await raw.closed(5_000);
    expect(text.match(/HTTP\/1\.1 200 /g)).toHaveLength(5);
    const { body } = await request(server.url).get("/admin/truth").set(ADMIN).expect(200);
    expect(rowOf(body, "GET", "/health")).toMatchObject({
      requests: 5,
      bytesSent: Buffer.byteLength(text),
    });
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

describe("a group's truth, added up (addTruths)", () => {
  const route = (over: Partial<RouteReport>): RouteReport => ({
    method: "GET",
    route: "/events",
    requests: 0,
    statuses: {},
    errorAnswers: 0,
    clientLeftFirst: 0,
    faults: { error: 0, delay: 0, reset: 0, hang: 0 },
    bytesSent: 0,
    latencyMs: { answered: 0, p50: 0, p95: 0, p99: 0 },
    ...over,
  });
  const member = (over: Partial<TruthReport>): TruthReport => ({
    since: "2026-01-01T00:00:00.000Z",
    seconds: 10,
    latency: "exact",
    connections: { opened: 0, closed: 0, resetByFault: 0 },
    requestsInFlight: 0,
    stalls: 0,
    faultHeadersIgnored: 0,
    runIdsRefused: 0,
    routes: [],
    runs: [],
    ...over,
  });

  it("sums every count route by route and status by status, and keeps the worst percentiles", () => {
    const one = member({
      since: "2026-01-01T00:00:02.000Z",
      connections: { opened: 3, closed: 2, resetByFault: 1 },
      stalls: 1,
      routes: [
        route({
          requests: 5,
          statuses: { "200": 4, "503": 1 },
          errorAnswers: 1,
          faults: { error: 1, delay: 0, reset: 0, hang: 0 },
          bytesSent: 500,
          latencyMs: { answered: 5, p50: 3, p95: 9, p99: 9 },
        }),
      ],
      runs: ["b"],
    });
    const two = member({
      seconds: 12,
      connections: { opened: 4, closed: 4, resetByFault: 0 },
      routes: [
        route({
          requests: 3,
          statuses: { "200": 2, "404": 1 },
          errorAnswers: 1,
          clientLeftFirst: 1,
          bytesSent: 300,
          latencyMs: { answered: 3, p50: 5, p95: 6, p99: 7 },
        }),
        route({ route: "/health", requests: 2, statuses: { "200": 2 } }),
      ],
      runs: ["a", "b"],
    });
    const group = addTruths([one, undefined, two]);
    expect(group).toMatchObject({
      since: "2026-01-01T00:00:00.000Z",
      seconds: 12,
      connections: { opened: 7, closed: 6, resetByFault: 1 },
      stalls: 1,
      runs: ["a", "b"],
    });
    expect(group?.latency).toMatch(/upper bound/);
    expect(group?.routes).toEqual([
      route({
        requests: 8,
        statuses: { "200": 6, "404": 1, "503": 1 },
        errorAnswers: 2,
        clientLeftFirst: 1,
        faults: { error: 1, delay: 0, reset: 0, hang: 0 },
        bytesSent: 800,
        latencyMs: { answered: 8, p50: 5, p95: 9, p99: 9 },
      }),
      route({ route: "/health", requests: 2, statuses: { "200": 2 } }),
    ]);
  });

  it("reads the percentiles again from every member's samples when it has them: exact", () => {
    const one = member({
      routes: [route({ requests: 3, latencyMs: { answered: 3, p50: 2, p95: 3, p99: 3 } })],
    });
    const two = member({
      routes: [route({ requests: 2, latencyMs: { answered: 2, p50: 10, p95: 20, p99: 20 } })],
    });
    const group = addTruths(
      [one, two],
      [{ "GET /events": [1, 2, 3] }, { "GET /events": [10, 20] }],
    );
    expect(group?.latency).toBe("exact");
    // Nearest rank over 1, 2, 3, 10, 20: p50 the 3rd, p95 and p99 the 5th.
    expect(group?.routes[0]?.latencyMs).toEqual({ answered: 5, p50: 3, p95: 20, p99: 20 });
  });

  it("is one member's document as it is, and nothing when no member saw the run", () => {
    const only = member({ routes: [route({ requests: 1 })] });
    expect(addTruths([undefined, only])).toBe(only);
    expect(addTruths([undefined, undefined])).toBeUndefined();
  });
});
