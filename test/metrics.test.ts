// GET /metrics: Prometheus text with request durations by route pattern, requests in flight,
// Node's default metrics, event-loop utilization, the /cpu pool's figures and every switch.
import { connect } from "node:net";
import request from "supertest";
import { describe, expect, it } from "vitest";
import type { CpuPoolStats } from "../src/observe/cpu-pool-stats.js";
import { SWITCH_NAMES } from "../src/switches.js";
import { seededDatabaseForTests, waitFor } from "./helpers/process.js";
import { serverForTests, startTestServer, type TestServer, withSwitch } from "./helpers/server.js";

async function scrape(server: TestServer): Promise<string> {
  const res = await request(server.url).get("/metrics");
  expect(res.status).toBe(200);
  return res.text;
}

/** The value of one sample, e.g. sample(text, "x_count", {route: "/health"}); undefined when absent. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const wanted = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (wanted) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

const count = (text: string, labels: Record<string, string>) =>
  sample(text, "festlab_http_request_duration_seconds_count", labels) ?? 0;

describe("GET /metrics", () => {
  const server = serverForTests({ LOG_LEVEL: "warn" });

  it("answers Prometheus text with the lab's metrics and Node's defaults", async () => {
    const res = await request(server().url).get("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [
      "festlab_http_request_duration_seconds histogram",
      "festlab_http_requests_in_flight gauge",
      "festlab_event_loop_utilization gauge",
      "festlab_cpu_pool_threads gauge",
      "festlab_cpu_pool_threads_busy gauge",
      "festlab_cpu_pool_queue_length gauge",
      "festlab_cpu_pool_tasks_rejected_total counter",
      "festlab_switch_on gauge",
      "nodejs_eventloop_lag_p99_seconds gauge",
      "nodejs_gc_duration_seconds histogram",
      "nodejs_heap_size_used_bytes gauge",
      "process_cpu_seconds_total counter",
    ]) {
      expect(res.text, name).toContain(`# TYPE ${name}`);
    }
  });

  it("counts /health, though Express never sees it", async () => {
    const before = count(await scrape(server()), {
      method: "GET",
      route: "/health",
      status: "200",
    });
    for (let i = 0; i < 5; i++) await request(server().url).get("/health").expect(200);
    const after = count(await scrape(server()), { method: "GET", route: "/health", status: "200" });
    expect(after - before).toBe(5);
  });

  it("labels HEAD as HEAD, on /health and on Express routes alike", async () => {
    const labels = (route: string) => ({ method: "HEAD", route, status: "200" });
    const before = await scrape(server());
    await request(server().url).head("/health").expect(200);
    await request(server().url).head("/io?ms=0").expect(200);
    const after = await scrape(server());
    expect(count(after, labels("/health")) - count(before, labels("/health"))).toBe(1);
    expect(count(after, labels("/io")) - count(before, labels("/io"))).toBe(1);
  });

  it("labels a request by its route pattern, never its raw URL", async () => {
    const demo = request.agent(server().url);
    await demo
      .post("/login")
      .set("Accept", "application/json")
      .send({ username: "locust_user", password: "locust-pass" })
      .expect(200);
    const registered = await demo.post("/events/3/register").set("Accept", "application/json");
    expect([200, 201]).toContain(registered.status); // 200 when the user already held a place
    await request(server().url).get("/events?user=user0001").expect(200);
    const text = await scrape(server());
    const status = String(registered.status);
    expect(count(text, { method: "POST", route: "/events/:id/register", status })).toBe(1);
    expect(count(text, { method: "GET", route: "/events", status: "200" })).toBe(1);
    expect(text).not.toContain("/events/3");
    expect(text).not.toContain("user0001");
  });

  it("labels the status a thrown error gave, with the pattern of the route that threw", async () => {
    await request(server().url).post("/events/abc/register?user=locust_user").expect(400);
    const text = await scrape(server());
    expect(count(text, { method: "POST", route: "/events/:id/register", status: "400" })).toBe(1);
  });

  it("puts every URL no route matched under one 'unmatched' label", async () => {
    await request(server().url).get("/no/such/page/1").expect(404);
    await request(server().url).get("/no/such/page/2").expect(404);
    const text = await scrape(server());
    expect(count(text, { method: "GET", route: "unmatched", status: "404" })).toBe(2);
    expect(text).not.toContain("/no/such");
  });

  it("counts a request in flight until its client goes away", async () => {
    const inFlight = async () => sample(await scrape(server()), "festlab_http_requests_in_flight");
    expect(await inFlight()).toBe(1); // the scrape itself
    // Headers sent, body promised but never sent: the server holds the request open.
    const { port } = new URL(server().url);
    const socket = connect(Number(port), "127.0.0.1");
    socket.write(
      "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n",
    );
    await waitFor(async () => (await inFlight()) === 2, 5_000, "the held request in flight");
    socket.destroy();
    await waitFor(async () => (await inFlight()) === 1, 5_000, "the held request gone");
    const text = await scrape(server());
    expect(count(text, { method: "POST", route: "unmatched", status: "aborted" })).toBe(1);
  });

  it("shows each switch's state, and follows a change made while running", async () => {
    let text = await scrape(server());
    for (const name of SWITCH_NAMES)
      expect(sample(text, "festlab_switch_on", { name }), name).toBe(0);
    text = await withSwitch(server(), "events-slow-loop", true, () => scrape(server()));
    expect(sample(text, "festlab_switch_on", { name: "events-slow-loop" })).toBe(1);
  });

  it("reports event-loop utilization as a share from 0 to 1", async () => {
    const value = sample(await scrape(server()), "festlab_event_loop_utilization");
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThanOrEqual(1);
  });

  it("reports the real /cpu pool: its threads, and each task it finishes", async () => {
    let text = await scrape(server());
    expect(sample(text, "festlab_cpu_pool_threads")).toBe(server().cpuPool.size);
    const before = sample(text, "festlab_cpu_pool_tasks_completed_total") ?? 0;
    await request(server().url).get("/cpu?n=1000").expect(200);
    text = await scrape(server());
    expect(sample(text, "festlab_cpu_pool_tasks_completed_total")).toBe(before + 1);
    expect(sample(text, "festlab_cpu_pool_queue_length")).toBe(0);
  });
});

describe("the /cpu pool's figures", () => {
  const stats: CpuPoolStats = { threads: 2, busy: 1, queued: 4, rejected: 3, completed: 10 };
  const server = serverForTests({ LOG_LEVEL: "warn" }, undefined, { cpuPoolStats: () => stats });

  it("come from the pool's stats at each scrape", async () => {
    let text = await scrape(server());
    expect(sample(text, "festlab_cpu_pool_threads")).toBe(2);
    expect(sample(text, "festlab_cpu_pool_threads_busy")).toBe(1);
    expect(sample(text, "festlab_cpu_pool_queue_length")).toBe(4);
    expect(sample(text, "festlab_cpu_pool_tasks_rejected_total")).toBe(3);
    expect(sample(text, "festlab_cpu_pool_tasks_completed_total")).toBe(10);
    Object.assign(stats, { busy: 2, queued: 0, rejected: 5, completed: 12 });
    text = await scrape(server());
    expect(sample(text, "festlab_cpu_pool_threads_busy")).toBe(2);
    expect(sample(text, "festlab_cpu_pool_queue_length")).toBe(0);
    expect(sample(text, "festlab_cpu_pool_tasks_rejected_total")).toBe(5);
    expect(sample(text, "festlab_cpu_pool_tasks_completed_total")).toBe(12);
  });
});

describe("two servers in one process", () => {
  // Both read the data only: one seeded database for the two.
  const dbPath = seededDatabaseForTests("fest-lab-two-servers-");

  it("keep their own figures", async () => {
    const [a, b] = await Promise.all([
      startTestServer({ DB_PATH: dbPath, LOG_LEVEL: "warn" }),
      startTestServer({ DB_PATH: dbPath, LOG_LEVEL: "warn" }),
    ]);
    try {
      for (let i = 0; i < 3; i++) await request(a.url).get("/health").expect(200);
      const health = { method: "GET", route: "/health", status: "200" };
      expect(count(await scrape(a), health)).toBe(3);
      expect(count(await scrape(b), health)).toBe(0);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});

describe("faults injected and requests refused at the limit", () => {
  const server = serverForTests({
    LOG_LEVEL: "warn",
    FAULTS: "error:503@100%:GET /checkout;delay:100ms@100%:/health",
    MAX_IN_FLIGHT: "1",
  });

  it("count each injected fault by kind and route pattern", async () => {
    await request(server().url).get("/checkout").expect(503);
    await request(server().url).get("/checkout").expect(503);
    await request(server().url).get("/health").expect(200);
    const text = await scrape(server());
    const faults = (labels: Record<string, string>) =>
      sample(text, "festlab_faults_injected_total", labels);
    expect(faults({ kind: "error", route: "/checkout" })).toBe(2);
    expect(faults({ kind: "delay", route: "/health" })).toBe(1);
  });

  it("count the requests the capacity limit refused, from 0", async () => {
    expect(sample(await scrape(server()), "festlab_capacity_refused_total")).toBe(0);
    // One /io runs; with no waiting line, the others are refused at once.
    const statuses = await Promise.all(
      Array.from({ length: 5 }, async () => (await request(server().url).get("/io?ms=300")).status),
    );
    const refused = statuses.filter((status) => status === 503).length;
    expect(refused).toBeGreaterThan(0);
    expect(sample(await scrape(server()), "festlab_capacity_refused_total")).toBe(refused);
  });
});
