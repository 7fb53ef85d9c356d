// The /cpu worker pool under pressure: a full queue is an immediate 503 with Retry-After, a
// client that leaves cancels its task, a task that throws costs one 500 and nothing more, and
// the threads stop with the server.
import { request as httpRequest } from "node:http";
import express from "express";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { CpuPool } from "../src/bench/cpu-pool.js";
import { benchRouter } from "../src/bench/routes.js";
import { errorHandler } from "../src/error-handler.js";
import { createLogger } from "../src/observe/log.js";
import { Switches } from "../src/switches.js";
import { seededDatabaseForTests, waitFor } from "./helpers/process.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

const json = { Accept: "application/json" };
/** Long enough (hundreds of ms) to hold the only thread while the test looks at the pool. */
const SLOW = "/cpu?n=3000000";

// Every server here reads the data only: one seeded database for all of them.
const dbPath = seededDatabaseForTests("fest-lab-pool-");
let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** Starts a request and lets the test drop the connection; resolves with its status or "closed". */
function openRequest(url: string) {
  let done = false;
  const req = httpRequest(url);
  const finished = new Promise<number | "closed">((resolve) => {
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve("closed"));
  }).finally(() => {
    done = true;
  });
  req.end();
  return { finished, isDone: () => done, drop: () => req.destroy() };
}

/** A server with one /cpu thread and `queue` places, the thread busy with a GET of `path`. */
async function oneThreadBusy(queue: "0" | "1", path = SLOW) {
  server = await startTestServer({ DB_PATH: dbPath, CPU_POOL_SIZE: "1", CPU_POOL_QUEUE: queue });
  const { url, cpuPool } = server;
  const running = openRequest(url + path);
  await waitFor(() => cpuPool.stats().busy === 1, 10_000, `${path} to run`);
  return { url, cpuPool, running };
}

describe("a full pool", () => {
  it("answers 503 with Retry-After at once, and the running task still finishes", async () => {
    const { url, cpuPool, running: slow } = await oneThreadBusy("0");

    const refused = await request(url).get("/cpu?n=10").set(json);
    expect(refused.status).toBe(503);
    expect(refused.headers["retry-after"]).toBe("1");
    expect(refused.body.error).toMatch(
      /at capacity: every \/cpu worker thread \(1\) is busy and the queue \(0 places\) is full/,
    );
    expect(refused.body.retryAfterSeconds).toBe(1);

    const page = await request(url).get("/cpu?n=10").set("Accept", "text/html");
    expect(page.status).toBe(503);
    expect(page.headers["retry-after"]).toBe("1");
    expect(page.text).toContain("retry after 1 s");

    expect(slow.isDone()).toBe(false);
    expect(await slow.finished).toBe(200);
    expect(cpuPool.stats()).toMatchObject({ threads: 1, busy: 0, queued: 0, rejected: 2 });
    expect((await request(url).get("/cpu?n=10")).status).toBe(200);
  });

  it("queues up to CPU_POOL_QUEUE tasks, and refuses the one after", async () => {
    const { url, cpuPool, running } = await oneThreadBusy("1");
    const waiting = openRequest(`${url}/cpu?n=10`);
    await waitFor(() => cpuPool.stats().queued === 1, 10_000, "the second task to queue");

    expect((await request(url).get("/cpu?n=10")).status).toBe(503);
    expect(await running.finished).toBe(200);
    expect(await waiting.finished).toBe(200);
    expect(cpuPool.stats()).toMatchObject({ rejected: 1, completed: 2, busy: 0, queued: 0 });
  });
});

describe("a client that disconnects", () => {
  it("takes its queued task out of the queue", async () => {
    const { url, cpuPool, running } = await oneThreadBusy("1");
    const leaving = openRequest(url + SLOW);
    await waitFor(() => cpuPool.stats().queued === 1, 10_000, "the second task to queue");

    leaving.drop();
    await waitFor(() => cpuPool.stats().queued === 0, 10_000, "the queue to empty");
    // The queue emptied while the first task still held the only thread: cancelled, not run.
    expect(running.isDone()).toBe(false);
    expect(await leaving.finished).toBe("closed");
    expect(await running.finished).toBe(200);
    expect(cpuPool.stats()).toMatchObject({ completed: 1, busy: 0, queued: 0 });
  });

  it("stops its running task, and the replaced thread serves the next request", async () => {
    const { url, cpuPool, running: leaving } = await oneThreadBusy("0", "/cpu?n=5000000");
    leaving.drop();
    await waitFor(() => cpuPool.stats().busy === 0, 10_000, "the task to be stopped");
    expect(cpuPool.stats().completed).toBe(0);

    const next = await request(url).get("/cpu?n=10");
    expect(next.status).toBe(200);
    expect(next.body).toMatchObject({ primes: 4, checksum: 17 });
    expect(cpuPool.stats()).toMatchObject({ threads: 1, completed: 1 });
  });
});

describe("a task that throws", () => {
  it("rejects with the worker's error and leaves the pool working", async () => {
    server = await startTestServer({ DB_PATH: dbPath, CPU_POOL_SIZE: "1" });
    // The route never sends this; the worker still refuses it rather than answer wrongly.
    await expect(server.cpuPool.run({ n: -1 })).rejects.toThrow(/n must be a whole number/);
    const next = await request(server.url).get("/cpu?n=10");
    expect(next.status).toBe(200);
    expect(next.body.checksum).toBe(17);
    expect(server.cpuPool.stats()).toMatchObject({ threads: 1, completed: 2 });
  });

  it("gives that request a 500 without a stack, and the next request its answer", async () => {
    server = await startTestServer({ DB_PATH: dbPath, CPU_POOL_SIZE: "1" });
    const pool = server.cpuPool;
    const logs: string[] = [];
    // The real pool and the real route, with one task made invalid on its way to the worker.
    let breakNext = true;
    const app = express();
    app.use(
      benchRouter(new Switches(), {
        run: (input, signal) => {
          const task = breakNext ? { n: Number.NaN } : input;
          breakNext = false;
          return pool.run(task, signal);
        },
      }),
    );
    app.use(errorHandler(createLogger("info", (line) => logs.push(line))));

    const failed = await request(app).get("/cpu?n=10").set(json);
    expect(failed.status).toBe(500);
    expect(failed.body.error).toMatch(/internal error/);
    expect(failed.text).not.toContain("countPrimes");
    expect(logs.join("")).toMatch(/GET \/cpu\?n=10 failed:[\s\S]*n must be a whole number/);

    const next = await request(app).get("/cpu?n=10").set(json);
    expect(next.status).toBe(200);
    expect(next.body).toMatchObject({ primes: 4, checksum: 17, ranOn: "worker-pool" });
    expect(pool.stats().threads).toBe(1);
  });
});

describe("shutting down", () => {
  it("answers the task in flight, then stops every thread", async () => {
    server = await startTestServer({ DB_PATH: dbPath, CPU_POOL_SIZE: "2" });
    const { url, cpuPool } = server;
    expect(cpuPool.stats().threads).toBe(2);
    const inFlight = openRequest(url + SLOW);
    await waitFor(() => cpuPool.stats().busy === 1, 10_000, "the task to run");

    await server.stop();
    server = undefined;
    expect(await inFlight.finished).toBe(200);
    expect(cpuPool.stats().threads).toBe(0);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it("a pool on its own destroys cleanly and refuses work afterwards", async () => {
    const pool = new CpuPool(1, 0);
    expect((await pool.run({ n: 10 })).checksum).toBe(17);
    await pool.destroy();
    expect(pool.stats().threads).toBe(0);
    await expect(pool.run({ n: 10 })).rejects.toThrow(/shut down/);
  });
});
