// Every response's latency, kept whole rather than in autocannon's histogram, which rounds to
// whole milliseconds and reports p97.5 but not p95. With every sample the percentiles are
// exact (nearest rank) and a fast route's 0.4 ms does not show as 0 or 1.
import { nearestRank } from "./percentile.js";

export interface LatencySummary {
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p99_9: number;
  max: number;
}

/** The points of the "latency by percentile" chart. */
export const CURVE_PERCENTILES = [0, 10, 25, 50, 75, 90, 95, 97.5, 99, 99.5, 99.9, 100];

export class LatencySamples {
  private values = new Float64Array(4096);
  private seconds = new Uint32Array(4096);
  count = 0;

  /** One response: its latency in ms, and the second of the run it finished in (0-based). */
  add(ms: number, second: number): void {
    if (this.count === this.values.length) {
      const values = new Float64Array(this.count * 2);
      values.set(this.values);
      this.values = values;
      const seconds = new Uint32Array(this.count * 2);
      seconds.set(this.seconds);
      this.seconds = seconds;
    }
    this.values[this.count] = ms;
    this.seconds[this.count] = second;
    this.count++;
  }

  summary(): LatencySummary {
    return summarize(this.values.slice(0, this.count));
  }

  curve(): { percentile: number; ms: number }[] {
    const sorted = this.values.slice(0, this.count).sort();
    return CURVE_PERCENTILES.map((percentile) => ({
      percentile,
      ms: nearestRank(sorted, percentile),
    }));
  }

  /** Each second's response count and p50 / p99, for the charts over time. */
  bySecond(secondCount: number): { requests: number; p50: number; p99: number }[] {
    const buckets: number[][] = Array.from({ length: secondCount }, () => []);
    for (let i = 0; i < this.count; i++) {
      buckets[Math.min(this.seconds[i] ?? 0, secondCount - 1)]?.push(this.values[i] ?? 0);
    }
    return buckets.map((bucket) => {
      const sorted = Float64Array.from(bucket).sort();
      return {
        requests: bucket.length,
        p50: nearestRank(sorted, 50),
        p99: nearestRank(sorted, 99),
      };
    });
  }
}

export function summarize(values: Float64Array): LatencySummary {
  const sorted = values.slice().sort();
  let total = 0;
  for (const value of sorted) total += value;
  return {
    min: nearestRank(sorted, 0),
    mean: sorted.length > 0 ? total / sorted.length : Number.NaN,
    p50: nearestRank(sorted, 50),
    p90: nearestRank(sorted, 90),
    p95: nearestRank(sorted, 95),
    p99: nearestRank(sorted, 99),
    p99_9: nearestRank(sorted, 99.9),
    max: nearestRank(sorted, 100),
  };
}
