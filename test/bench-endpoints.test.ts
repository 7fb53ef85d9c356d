// The bench lab's answers: /io waits what it is asked, /cpu returns a checksum a sieve
// agrees with, either way it runs, and every parameter outside its bound is a 400 naming it.

import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CPU_DEFAULT_N } from "../src/bench/cpu-task.js";
import { VERSION } from "../src/version.js";
import { startTestServer, type TestServer, withSwitch } from "./helpers/server.js";

const json = { Accept: "application/json" };

/** The primes below n by the sieve of Eratosthenes: a different way to the same numbers. */
function sievePrimes(n: number): { primes: number; checksum: number } {
  const composite = new Uint8Array(Math.max(n, 2));
  let primes = 0;
  let checksum = 0;
  for (let k = 2; k < n; k++) {
    if (composite[k] === 1) continue;
    primes++;
    checksum += k;
    for (let multiple = k * k; multiple < n; multiple += k) composite[multiple] = 1;
  }
  return { primes, checksum };
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe("GET /health", () => {
  it("answers the small JSON the Locust scenarios check", async () => {
    const res = await request(server.url).get("/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok", version: VERSION });
  });
});

describe("GET /io", () => {
  it("waits the default 200 ms and says so", async () => {
    const res = await request(server.url).get("/io");
    expect(res.status).toBe(200);
    expect(res.type).toBe("application/json");
    expect(res.body).toMatchObject({ waitedMs: 200, waitedWith: "timer" });
    expect(res.body.elapsedMs).toBeGreaterThanOrEqual(199);
  });

  it("waits the ms it is asked, zero included", async () => {
    for (const ms of [0, 35]) {
      const res = await request(server.url).get(`/io?ms=${ms}`);
      expect(res.status).toBe(200);
      expect(res.body.waitedMs).toBe(ms);
      expect(res.body.elapsedMs).toBeGreaterThanOrEqual(Math.max(0, ms - 1));
      expect(Date.parse(res.body.finishedAt)).toBeGreaterThanOrEqual(
        Date.parse(res.body.startedAt),
      );
    }
  });
});

describe("GET /cpu", () => {
  it("does the default work on the worker pool, and a sieve agrees with its checksum", async () => {
    const res = await request(server.url).get("/cpu");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ n: CPU_DEFAULT_N, ranOn: "worker-pool" });
    expect(res.body).toMatchObject(sievePrimes(CPU_DEFAULT_N));
    expect(res.body.elapsedMs).toBeGreaterThan(0);
  });

  it("scales with ?n=, and the small cases are the textbook ones", async () => {
    const expected: Record<number, { primes: number; checksum: number }> = {
      0: { primes: 0, checksum: 0 },
      2: { primes: 0, checksum: 0 },
      3: { primes: 1, checksum: 2 },
      10: { primes: 4, checksum: 17 },
      1000000: { primes: 78_498, checksum: 37_550_402_023 },
    };
    for (const [n, answer] of Object.entries(expected)) {
      const res = await request(server.url).get(`/cpu?n=${n}`);
      expect(res.status, `n=${n}`).toBe(200);
      expect(res.body).toMatchObject({ n: Number(n), ...answer });
      expect(sievePrimes(Number(n))).toEqual(answer);
    }
  });

  it("gives the same answer on the event loop when cpu-inline is on", async () => {
    const res = await withSwitch(server, "cpu-inline", true, () =>
      request(server.url).get("/cpu?n=50000"),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ n: 50_000, ranOn: "event-loop", ...sievePrimes(50_000) });
  });
});

describe("bad parameters", () => {
  // Each parameter, its route, the range its 400 quotes, and values outside that range.
  const bad = [
    ["/io", "ms", /from 0 to 10000/, ["abc", "-1", "10001", "1.5", "", "1&ms=2", "99999999999999"]],
    ["/cpu", "n", /from 0 to 5000000/, ["abc", "-5", "5000001", "1e5", "1&n=2"]],
  ] as const;
  const cases = bad.flatMap(([route, parameter, allowed, values]) =>
    values.map((value) => [`${route}?${parameter}=${value}`, parameter, allowed] as const),
  );
  it.each(cases)("%s is a 400 naming %s and its range", async (path, parameter, allowed) => {
    const res = await request(server.url).get(path).set(json);
    expect(res.status).toBe(400);
    expect(res.body.parameter).toBe(parameter);
    expect(res.body.allowed).toMatch(allowed);
    expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it("a browser gets the same 400 as an HTML page", async () => {
    const res = await request(server.url).get("/cpu?n=-5").set("Accept", "text/html");
    expect(res.status).toBe(400);
    expect(res.type).toBe("text/html");
    expect(res.text).toContain("n: a whole number from 0 to 5000000");
  });

  it("nothing was handed to the pool for a bad parameter", async () => {
    const before = server.cpuPool.stats().completed;
    await request(server.url).get("/cpu?n=-5");
    expect(server.cpuPool.stats().completed).toBe(before);
  });
});

describe("MODE=naive", () => {
  it("runs /cpu on the event loop", async () => {
    const naive = await startTestServer({ MODE: "naive" });
    try {
      expect(naive.switches.isOn("cpu-inline")).toBe(true);
      const res = await request(naive.url).get("/cpu?n=1000");
      expect(res.body).toMatchObject({ ranOn: "event-loop", ...sievePrimes(1000) });
    } finally {
      await naive.stop();
    }
  });
});
