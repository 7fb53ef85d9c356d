// What the bench switches do to the event loop, measured where the server runs: startTestServer
// runs it in this process, so perf_hooks' event-loop delay here is the server's own. The
// bounds compare against the work each request reports, never against a fixed time.
import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "./helpers/process.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

/** Milliseconds between the monitor's samples. */
const RESOLUTION_MS = 10;

/** Runs `work` while sampling the event loop; gives back its result and the longest stall. */
async function withLoopDelay<T>(
  work: () => Promise<T>,
): Promise<{ result: T; maxDelayMs: number }> {
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  try {
    // A stall counts from the monitor's previous sample, so let it take one before and one
    // after the work.
    await waitFor(() => histogram.count > 0, 5_000, "a first event-loop sample");
    const result = await work();
    const samples = histogram.count;
    await waitFor(() => histogram.count > samples, 5_000, "a sample after the work");
    return { result, maxDelayMs: histogram.max / 1e6 };
  } finally {
    histogram.disable();
  }
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ CPU_POOL_SIZE: "1" });
});
afterAll(() => server.stop());

function withSwitch(name: "io-blocking" | "cpu-inline", on: boolean) {
  server.switches.set(name, on, "test");
}

describe("/io", () => {
  it("with a timer, the event loop stays free while it waits", async () => {
    withSwitch("io-blocking", false);
    const { result, maxDelayMs } = await withLoopDelay(() => request(server.url).get("/io?ms=400"));
    expect(result.body.waitedWith).toBe("timer");
    expect(maxDelayMs).toBeLessThan(result.body.waitedMs / 2);
  });

  it("with io-blocking, the event loop freezes for the whole wait", async () => {
    withSwitch("io-blocking", true);
    try {
      const { result, maxDelayMs } = await withLoopDelay(() =>
        request(server.url).get("/io?ms=400"),
      );
      expect(result.body).toMatchObject({ waitedMs: 400, waitedWith: "blocking-sleep" });
      expect(maxDelayMs).toBeGreaterThanOrEqual(400 - 2 * RESOLUTION_MS);
    } finally {
      withSwitch("io-blocking", false);
    }
  });

  it("400 concurrent waits all succeed and overlap in time", async () => {
    withSwitch("io-blocking", false);
    const answers = await Promise.all(
      Array.from({ length: 400 }, () => request(server.url).get("/io?ms=2000")),
    );
    expect(answers.map((res) => res.status)).toEqual(Array(400).fill(200));
    const started = answers.map((res) => Date.parse(res.body.startedAt));
    const finished = answers.map((res) => Date.parse(res.body.finishedAt));
    // Every wait had begun before the first one ended: they ran side by side.
    expect(Math.max(...started)).toBeLessThan(Math.min(...finished));
  });

  it("with io-blocking, concurrent waits run one after another", async () => {
    withSwitch("io-blocking", true);
    try {
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => request(server.url).get("/io?ms=100")),
      );
      const spans = answers
        .map((res) => [Date.parse(res.body.startedAt), Date.parse(res.body.finishedAt)] as const)
        .sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < spans.length; i++) {
        expect(spans[i]?.[0]).toBeGreaterThanOrEqual(spans[i - 1]?.[1] ?? Number.NaN);
      }
    } finally {
      withSwitch("io-blocking", false);
    }
  });
});

describe("/cpu", () => {
  it("on the pool, the event loop stays free while a thread works", async () => {
    withSwitch("cpu-inline", false);
    const { result, maxDelayMs } = await withLoopDelay(() =>
      request(server.url).get("/cpu?n=3000000"),
    );
    expect(result.body.ranOn).toBe("worker-pool");
    expect(maxDelayMs).toBeLessThan(result.body.elapsedMs / 2);
  });

  it("with cpu-inline, the event loop is held for the whole work", async () => {
    withSwitch("cpu-inline", true);
    try {
      const { result, maxDelayMs } = await withLoopDelay(() =>
        request(server.url).get("/cpu?n=3000000"),
      );
      expect(result.body.ranOn).toBe("event-loop");
      expect(maxDelayMs).toBeGreaterThanOrEqual(result.body.elapsedMs - 2 * RESOLUTION_MS);
    } finally {
      withSwitch("cpu-inline", false);
    }
  });
});
