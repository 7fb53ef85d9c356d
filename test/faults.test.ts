// Faults by rate: seeded so two runs fail the same requests, checked at start and by the admin
// API, never acting on /admin, and never touching stored data. Two servers serve the file: one
// started with faults (what only a start shows), and one whose faults each test sets through the
// admin API after POST /admin/reset, so no test sees what another left.
import BetterSqlite3 from "better-sqlite3";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CleanupStack } from "../src/cleanup-stack.js";
import { readConfig } from "../src/config.js";
import { makeCounters } from "../src/counters.js";
import { Faults } from "../src/faults/faults.js";
import { parseFaults } from "../src/faults/spec.js";
import { faultableRoutes } from "../src/faults/targets.js";
import { IDLE_POOL } from "../src/observe/cpu-pool-stats.js";
import {
  accountsApp,
  checkoutApp,
  eventsApp,
  type FestServiceParts,
} from "../src/services/fest-apps.js";
import { ServiceClient } from "../src/services/internal.js";
import { ADMIN } from "./helpers/admin-api.js";
import { seededDatabaseForTests } from "./helpers/process.js";
import { openRaw } from "./helpers/raw-http.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

const json = { Accept: "application/json" };

// Each server opens a database seeded before them rather than seeding its own.
const faultedData = seededDatabaseForTests("fest-lab-faults-started-");
const sharedData = seededDatabaseForTests("fest-lab-faults-shared-");
/** Started with faults, a seed and FAULT_HEADERS=1: what the settings at start do. */
let startedWithFaults: TestServer;
/** Started with none; each test sets its own through the admin API (see `sharedServer`). */
let shared: TestServer;
beforeAll(async () => {
  [startedWithFaults, shared] = await Promise.all([
    startTestServer({
      DB_PATH: faultedData,
      LOG_LEVEL: "warn",
      FAULTS: "error:503@10%:/events",
      FAULT_SEED: "7",
      FAULT_HEADERS: "1",
    }),
    startTestServer({
      DB_PATH: sharedData,
      LOG_LEVEL: "warn",
      FAULT_SEED: "7",
      QUERY_USER_WRITES: "1",
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([startedWithFaults?.stop(), shared?.stop()]);
});

/** The shared server as it started (no faults, data as seeded, truth from zero), with `faults` set. */
async function sharedServer(faults = ""): Promise<TestServer> {
  await request(shared.url).post("/admin/reset").set(ADMIN).expect(200);
  if (faults !== "") {
    await request(shared.url).put("/admin/faults").set(ADMIN).send({ faults }).expect(200);
  }
  return shared;
}

/** The numbers (1-based) of the requests that were answered 503, out of `count` in a row. */
async function failedNumbers(url: string, count: number): Promise<number[]> {
  const failed: number[] = [];
  for (let n = 1; n <= count; n++) {
    const res = await fetch(`${url}/events?user=locust_user`, { headers: json });
    await res.arrayBuffer();
    if (res.status === 503) failed.push(n);
    else expect(res.status).toBe(200);
  }
  return failed;
}

/** The numbers (1-based) of the requests a fresh Faults object fails, deciding `count` in a row. */
function decidedNumbers(faults: string, seed: number, count: number): number[] {
  const decider = new Faults(parseFaults(faults), seed, false, { countStall: () => {} });
  const failed: number[] = [];
  for (let n = 1; n <= count; n++) {
    if (decider.decide("GET", "/events").end !== undefined) failed.push(n);
  }
  return failed;
}

describe("faults by rate", () => {
  // The draw is a pure function of the seed, the route, the request's number and the rule, so
  // its statistics are checked by calling it; one HTTP test shows the server uses that draw.
  it("with FAULT_SEED=7, 10 % of 2,000 decisions fail, and a second run fails the same ones", () => {
    const first = decidedNumbers("error:503@10%:/events", 7, 2000);
    // Binomial(2000, 0.1): mean 200, standard deviation 13.4; four of them either side.
    expect(first.length).toBeGreaterThanOrEqual(146);
    expect(first.length).toBeLessThanOrEqual(254);
    expect(decidedNumbers("error:503@10%:/events", 7, 2000)).toEqual(first);
  });

  it("another seed fails other requests", () => {
    expect(decidedNumbers("error:503@10%:/events", 8, 200)).not.toEqual(
      decidedNumbers("error:503@10%:/events", 7, 200),
    );
  });

  it("a server started with FAULTS and FAULT_SEED=7 fails exactly the requests the draw names", async () => {
    // The first /events requests this server gets: no other test sends it one.
    const served = await failedNumbers(startedWithFaults.url, 60);
    expect(served.length).toBeGreaterThan(0);
    expect(served).toEqual(decidedNumbers("error:503@10%:/events", 7, 60));
  });

  it("an injected error says it was injected, and the truth counts it", async () => {
    const server = await sharedServer("error:502@100%:GET /checkout");
    const res = await request(server.url).get("/checkout").set(json).expect(502);
    expect(res.body).toMatchObject({ injected: true, status: 502 });
    expect(res.body.error).toContain("error:502@100%:GET /checkout");
    const truth = await request(server.url).get("/admin/truth").set(ADMIN).expect(200);
    const row = truth.body.routes.find((r: { route: string }) => r.route === "/checkout");
    expect(row).toMatchObject({ requests: 1, statuses: { 502: 1 }, faults: { error: 1 } });
  });

  it("an injected error before a registration writes nothing", async () => {
    const server = await sharedServer("error:500@100%:POST /events/:id/register");
    const count = () => {
      const db = new BetterSqlite3(sharedData, { readonly: true });
      try {
        return (db.prepare("SELECT COUNT(*) AS n FROM registrations").get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    const before = count();
    for (const id of [1, 2, 3]) {
      await request(server.url)
        .post(`/events/${id}/register?user=locust_user`)
        .set(json)
        .expect(500);
    }
    expect(count()).toBe(before);
  });

  it("a delay adds its time to the answer", async () => {
    const server = await sharedServer("delay:300ms@100%:/io");
    const started = performance.now();
    await request(server.url).get("/io?ms=1").expect(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
  });

  it("a reset closes the connection with no answer, and the truth counts it", async () => {
    const server = await sharedServer("reset@100%:/io");
    const raw = await openRaw(server.url);
    raw.socket.write("GET /io?ms=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    expect(await raw.closed(5_000)).toBe("");
    const truth = await request(server.url).get("/admin/truth").set(ADMIN).expect(200);
    expect(truth.body.connections.resetByFault).toBe(1);
    const row = truth.body.routes.find((r: { route: string }) => r.route === "/io");
    expect(row).toMatchObject({
      requests: 1,
      statuses: {},
      faults: { reset: 1 },
      clientLeftFirst: 0,
    });
  });

  it("never faults /admin or /metrics, whatever the rule", async () => {
    const server = await sharedServer("error:503@100%:*");
    await request(server.url).get("/events").expect(503);
    await request(server.url).get("/health").expect(503);
    await request(server.url).get("/admin/faults").set(ADMIN).expect(200);
    await request(server.url).get("/admin/truth").set(ADMIN).expect(200);
    await request(server.url).get("/metrics").expect(200);
  });
});

describe("bad fault rules", () => {
  const startError = (faults: string) => {
    try {
      readConfig({ env: { FAULTS: faults }, argv: [], cpuCount: 1 });
    } catch (error) {
      return (error as Error).message;
    }
    return "accepted";
  };

  it("stop the start with one line naming the field", () => {
    expect(startError("boom@10%:*")).toMatch(
      /^FAULTS=boom@10%:\* is not allowed: .*kind: "boom" is unknown/,
    );
    expect(startError("error:503@150%:/events")).toMatch(
      /rate: "150%" is not a share from 0 to 100 %/,
    );
    expect(startError("delay:31s@10%:*")).toMatch(
      /delay: "31s" is not a duration from 0 to 30000 ms/,
    );
    expect(startError("error:200@10%:*")).toMatch(/status: "200" is not an error status/);
    for (const message of [startError("boom@10%:*"), startError("delay:31s@1%:*")]) {
      expect(message).not.toContain("\n");
    }
  });

  it("a route pattern that matches no route stops the start", async () => {
    await expect(startTestServer({ FAULTS: "error:503@10%:/nowhere" })).rejects.toThrow(
      /^FAULTS=error:503@10%:\/nowhere is not allowed: .*target: the route pattern \/nowhere matches no route; the routes are \/health, \/io/,
    );
  });

  it("get 400 from the admin API, naming the field, and change nothing", async () => {
    const server = await sharedServer("reset@1%:/io");
    const cases = [
      ["boom@10%:*", "kind"],
      ["error:503@101%:*", "rate"],
      ["delay:p50=10ms,p99=40s@1%:*", "delay"],
      ["reset@1%:/nowhere", "target"],
      ["reset@1%:/admin/truth", "target"],
    ];
    for (const [faults, field] of cases) {
      const res = await request(server.url)
        .put("/admin/faults")
        .set(ADMIN)
        .send({ faults })
        .expect(400);
      expect(res.body).toMatchObject({ parameter: "faults", field });
    }
    const now = await request(server.url).get("/admin/faults").set(ADMIN).expect(200);
    expect(now.body.faults).toBe("reset@1%:/io");
  });

  it("the syntax reads the way the README writes it", () => {
    const plan = parseFaults(
      "error:503@10%:/events; delay:p50=50ms,p99=400ms@20%:GET /checkout; reset@0.5%:*; hang:30s@1%:POST; stall:300ms/10s",
    );
    expect(plan.requests.map((r) => [r.kind, r.rate, r.method, r.route])).toEqual([
      ["error", 0.1, undefined, "/events"],
      ["delay", 0.2, "GET", "/checkout"],
      ["reset", 0.005, undefined, undefined],
      ["hang", 0.01, "POST", undefined],
    ]);
    expect(plan.stall).toMatchObject({ freezeMs: 300, everyMs: 10_000 });
  });
});

describe("faults set live", () => {
  it("PUT /admin/faults sets them, logs who did, and starts the request numbers again", async () => {
    const server = await sharedServer();
    await request(server.url).get("/events").expect(200);
    const set = await request(server.url)
      .put("/admin/faults")
      .set(ADMIN)
      .send({ faults: "error:503@30%:/events" })
      .expect(200);
    expect(set.body).toMatchObject({ faults: "error:503@30%:/events", seed: 7 });
    expect(server.logs.join("\n")).toContain(
      'faults set to "error:503@30%:/events" by admin api from 127.0.0.1',
    );
    const first = await failedNumbers(server.url, 40);
    await request(server.url)
      .put("/admin/faults")
      .set(ADMIN)
      .send({ faults: "error:503@30%:/events" });
    expect(await failedNumbers(server.url, 40)).toEqual(first);
    await request(server.url).put("/admin/faults").set(ADMIN).send({ faults: "" }).expect(200);
    expect(await failedNumbers(server.url, 20)).toEqual([]);
  });

  it("the admin page shows them and its form sets them", async () => {
    const server = await sharedServer("reset@0.5%:*");
    const page = await request(server.url)
      .get("/admin")
      .set(ADMIN)
      .set("Accept", "text/html")
      .expect(200);
    expect(page.text).toContain("reset@0.5%:*");
    await request(server.url)
      .post("/admin/faults")
      .set(ADMIN)
      .type("form")
      .send({ faults: "error:429@5%:/io" })
      .expect(303);
    const now = await request(server.url).get("/admin/faults").set(ADMIN).expect(200);
    expect(now.body.faults).toBe("error:429@5%:/io");
  });
});

describe("fault headers", () => {
  it("are ignored and counted as ignored without FAULT_HEADERS=1", async () => {
    const server = await sharedServer();
    await request(server.url).get("/io?ms=1").set("X-Fault-Error", "503").expect(200);
    await request(server.url).get("/health").set("X-Fault-Delay", "200ms").expect(200);
    const truth = await request(server.url).get("/admin/truth").set(ADMIN).expect(200);
    expect(truth.body.faultHeadersIgnored).toBe(2);
  });

  it("with FAULT_HEADERS=1 a request gets the error it asks for, and a bad header gets 400", async () => {
    const server = startedWithFaults;
    const res = await request(server.url).get("/io?ms=1").set("X-Fault-Error", "503").expect(503);
    expect(res.body.injected).toBe(true);
    await request(server.url).get("/io?ms=1").set("X-Fault-Error", "503@0%").expect(200);
    const bad = await request(server.url)
      .get("/io?ms=1")
      .set(json)
      .set("X-Fault-Error", "200")
      .expect(400);
    expect(bad.body.parameter).toBe("X-Fault-Error");
    const started = performance.now();
    await request(server.url).get("/health").set("X-Fault-Delay", "250ms").expect(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });
});

describe("under --services a rule is checked for every service at once", () => {
  it("the labs service, which checks every rule, has each route a fest service may be faulted on", async () => {
    // The labs service is the monolith's app; the fest services mount the same routers. Should
    // a fest service gain a route the monolith lacks, a rule naming it would be refused.
    const server = shared;
    const cleanup = new CleanupStack();
    try {
      const result = readConfig({ env: {}, argv: [], cpuCount: 1 });
      if (result.kind !== "config") throw new Error("no config");
      const counters = makeCounters(result.config, {
        switches: server.switches,
        log: server.log,
        cleanup,
        cpuPoolStats: () => IDLE_POOL,
        logFaultChanges: false,
      });
      const parts: FestServiceParts = {
        config: result.config,
        db: server.db,
        switches: server.switches,
        log: server.log,
        sessionSecret: "test-secret",
        internalSecret: "internal",
        metrics: counters.metrics,
        faultInjector: counters.faultInjector,
      };
      const client = (name: string) => new ServiceClient(name, "http://127.0.0.1:9", "internal");
      const labs = server.faults.knownRoutes();
      const fest = [
        accountsApp(parts),
        eventsApp(parts, client("accounts")),
        checkoutApp(parts, client("events")),
      ]
        .flatMap((app) => faultableRoutes(app))
        .filter((route) => route.pattern !== "/health");
      expect(fest.map((route) => route.pattern)).toEqual(
        expect.arrayContaining(["/signup", "/events", "/events/:id/register", "/checkout"]),
      );
      for (const route of fest) {
        for (const method of route.methods) {
          const inLabs = labs.some(
            (r) => r.pattern === route.pattern && r.methods.includes(method),
          );
          expect(inLabs, `${method} ${route.pattern}`).toBe(true);
        }
      }
    } finally {
      await cleanup.run();
    }
  });
});
