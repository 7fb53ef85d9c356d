// MAX_IN_FLIGHT and MAX_WAITING: past the limit and the line, 503 with Retry-After at once;
// /health, /admin and /metrics keep answering; the truth counts the refusals by route.
import { Agent, get } from "node:http";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN } from "./helpers/admin-api.js";
import { seededDatabaseForTests, waitFor } from "./helpers/process.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

// Every server here reads the data only: one seeded database for all of them.
const dbPath = seededDatabaseForTests("fest-lab-capacity-");
let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

interface Answer {
  status: number;
  retryAfter: string | undefined;
}

/** One request on its own connection, as 50 separate Locust users would send it. */
function getAlone(url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: new Agent({ keepAlive: false }) }, (res) => {
      res.resume();
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"] }),
      );
    });
    req.setTimeout(10_000, () => req.destroy(new Error("no answer within 10 s")));
    req.on("error", reject);
  });
}

describe("the capacity limit", () => {
  it("MAX_IN_FLIGHT=8 under 50 connections of /io?ms=200: the excess gets 503 with Retry-After, /health answers", async () => {
    server = await startTestServer({ DB_PATH: dbPath, LOG_LEVEL: "warn", MAX_IN_FLIGHT: "8" });
    const url = server.url;
    const answers = Promise.all(Array.from({ length: 50 }, () => getAlone(`${url}/io?ms=200`)));
    // While the /io requests are in flight, the health probe still gets through.
    const health = await getAlone(`${url}/health`);
    expect(health.status).toBe(200);
    await request(url).get("/admin/truth").set(ADMIN).expect(200);
    const all = await answers;
    const ok = all.filter((a) => a.status === 200);
    const refused = all.filter((a) => a.status === 503);
    expect(ok.length + refused.length).toBe(50);
    expect(ok.length).toBeGreaterThanOrEqual(8);
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused) expect(answer.retryAfter).toBe("1");

    const truth = await request(url).get("/admin/truth").set(ADMIN).expect(200);
    const io = truth.body.routes.find((r: { route: string }) => r.route === "/io");
    expect(io.requests).toBe(50);
    expect(io.statuses).toEqual({ 200: ok.length, 503: refused.length });
  }, 30_000);

  it("a waiting line holds requests instead of refusing them", async () => {
    server = await startTestServer({
      DB_PATH: dbPath,
      LOG_LEVEL: "warn",
      MAX_IN_FLIGHT: "2",
      MAX_WAITING: "10",
    });
    const url = server.url;
    const all = await Promise.all(Array.from({ length: 10 }, () => getAlone(`${url}/io?ms=50`)));
    expect(all.map((a) => a.status)).toEqual(Array(10).fill(200));
  }, 30_000);

  it("can be set while the server runs, and switched off again, letting the line in at once", async () => {
    server = await startTestServer({ DB_PATH: dbPath, LOG_LEVEL: "warn" });
    const url = server.url;
    server.capacity.set({ maxInFlight: 3, maxWaiting: 0 });
    const limited = await Promise.all(
      Array.from({ length: 12 }, () => getAlone(`${url}/io?ms=1500`)),
    );
    expect(limited.filter((a) => a.status === 200)).toHaveLength(3);
    expect(limited.filter((a) => a.status === 503)).toHaveLength(9);

    server.capacity.set({ maxInFlight: 1, maxWaiting: 10 });
    const endedAt: number[] = [];
    const wait = 2_000;
    const waiting = Promise.all(
      Array.from({ length: 4 }, () =>
        getAlone(`${url}/io?ms=${wait}`).then((answer) => {
          endedAt.push(performance.now());
          return answer;
        }),
      ),
    );
    // The three behind the first wait in line; switching the limit off lets them in at once.
    await waitFor(async () => server?.metrics.inFlight === 4, 5_000, "four /io requests in");
    server.capacity.set({ maxInFlight: 0, maxWaiting: 0 });
    expect((await waiting).map((a) => a.status)).toEqual([200, 200, 200, 200]);
    // In line they would end one /io wait apart each; let in together, they end together.
    const [, second = 0, , last = 0] = endedAt;
    expect(last - second).toBeLessThan(wait);
  }, 30_000);

  it("is off by default", async () => {
    server = await startTestServer({ DB_PATH: dbPath, LOG_LEVEL: "warn" });
    const url = server.url;
    const all = await Promise.all(Array.from({ length: 30 }, () => getAlone(`${url}/io?ms=100`)));
    expect(all.every((a) => a.status === 200)).toBe(true);
  }, 30_000);
});
