// What the bench switches do to the event loop, measured where the server runs: startTestServer
// runs it in this process, so perf_hooks' event-loop delay here is the server's own. The
// bounds compare against the work each request reports, never against a fixed time.
import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "./helpers/process.js";
import { startTestServer, type TestServer, withSwitch } from "./helpers/server.js";

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

/** GETs `path` with switch `name` set to `on`, sampling the event loop meanwhile. */
function loopDelayOf(path: string, name: "io-blocking" | "cpu-inline", on: boolean) {
  return withSwitch(server, name, on, () => withLoopDelay(() => request(server.url).get(path)));
}

describe("/io", () => {
  it("with a timer, the event loop stays free while it waits", async () => {
    const { result, maxDelayMs } = await loopDelayOf("/io?ms=400", "io-blocking", false);
    expect(result.body.waitedWith).toBe("timer");
    expect(maxDelayMs).toBeLessThan(result.body.waitedMs / 2);
  });

  it("with io-blocking, the event loop freezes for the whole wait", async () => {
    const { result, maxDelayMs } = await loopDelayOf("/io?ms=400", "io-blocking", true);
    expect(result.body).toMatchObject({ waitedMs: 400, waitedWith: "blocking-sleep" });
    expect(maxDelayMs).toBeGreaterThanOrEqual(400 - 2 * RESOLUTION_MS);
  });

  it("400 concurrent waits all succeed and overlap in time", async () => {
    const answers = await withSwitch(server, "io-blocking", false, () =>
      Promise.all(Array.from({ length: 400 }, () => request(server.url).get("/io?ms=2000"))),
    );
    expect(answers.map((res) => res.status)).toEqual(Array(400).fill(200));
    const started = answers.map((res) => Date.parse(res.body.startedAt));
    const finished = answers.map((res) => Date.parse(res.body.finishedAt));
    // Every wait had begun before the first one ended: they ran side by side.
    expect(Math.max(...started)).toBeLessThan(Math.min(...finished));
  });

  it("with io-blocking, concurrent waits run one after another", async () => {
    const answers = await withSwitch(server, "io-blocking", true, () =>
      Promise.all(Array.from({ length: 5 }, () => request(server.url).get("/io?ms=100"))),
    );
    const spans = answers
      .map((res) => [Date.parse(res.body.startedAt), Date.parse(res.body.finishedAt)] as const)
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) {
      expect(spans[i]?.[0]).toBeGreaterThanOrEqual(spans[i - 1]?.[1] ?? Number.NaN);
    }
  });
});

describe("/cpu", () => {
  it("on the pool, the event loop stays free while a thread works", async () => {
    const { result, maxDelayMs } = await loopDelayOf("/cpu?n=3000000", "cpu-inline", false);
    expect(result.body.ranOn).toBe("worker-pool");
    expect(maxDelayMs).toBeLessThan(result.body.elapsedMs / 2);
  });

  it("with cpu-inline, the event loop is held for the whole work", async () => {
    const { result, maxDelayMs } = await loopDelayOf("/cpu?n=3000000", "cpu-inline", true);
    expect(result.body.ranOn).toBe("event-loop");
    expect(maxDelayMs).toBeGreaterThanOrEqual(result.body.elapsedMs - 2 * RESOLUTION_MS);
  });
});
