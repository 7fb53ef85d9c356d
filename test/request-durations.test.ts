// The request histogram is Fest Lab's own (cheaper per request than prom-client's Histogram):
// what /metrics shows must still be what prom-client's Histogram would show, one worker or many.
import { AggregatorRegistry, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { DURATION_BUCKETS } from "../src/observe/metrics.js";
import { RequestDurations } from "../src/observe/request-durations.js";

const OBSERVED: [string, string, string | number, number][] = [
  ["GET", "/health", 200, 0.0001],
  ["GET", "/health", 200, 0.0005], // on a bound: counted in that bucket (le is "at most")
  ["GET", "/health", 200, 0.0007],
  ["POST", "/checkout", "aborted", 3],
  ["GET", "/health", 200, 20], // above every bound: only in +Inf
  ["GET", "/events/:id", 404, 0.01],
];

function both() {
  const theirs = new Registry();
  const ours = new Registry();
  const histogram = new Histogram({
    name: "d",
    help: "h",
    labelNames: ["method", "route", "status"],
    buckets: DURATION_BUCKETS,
    registers: [theirs],
  });
  const durations = new RequestDurations("d", "h", DURATION_BUCKETS, ours);
  for (const [method, route, status, seconds] of OBSERVED) {
    histogram.observe({ method, route, status }, seconds);
    durations.observe(method, route, status, seconds);
  }
  return { theirs, ours };
}

/** Series lines sorted: Prometheus reads them in any order. */
const lines = (text: string) => text.split("\n").sort();

describe("the request histogram", () => {
  it("reads as prom-client's Histogram given the same observations", async () => {
    const { theirs, ours } = both();
    const text = await ours.metrics();
    expect(lines(text)).toEqual(lines(await theirs.metrics()));
    expect(text).toContain('d_bucket{le="0.0005",method="GET",route="/health",status="200"} 2');
  });

  it("adds up across workers as prom-client's does", async () => {
    const { theirs, ours } = both();
    const group = async (r: Registry) =>
      AggregatorRegistry.aggregate([
        await r.getMetricsAsJSON(),
        await r.getMetricsAsJSON(),
      ]).metrics();
    const text = await group(ours);
    expect(lines(text)).toEqual(lines(await group(theirs)));
    expect(text).toContain('d_count{method="GET",route="/health",status="200"} 8');
  });

  it("starts from nothing after a reset", async () => {
    const { ours } = both();
    ours.resetMetrics();
    expect(await ours.metrics()).not.toContain("d_count");
  });
});
