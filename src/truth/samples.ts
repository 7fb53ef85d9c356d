// Exact percentiles: every answered request's server-side time is kept (8 bytes each, so a
// million requests hold 8 MB until the next reset), and a percentile is read by nearest rank
// from the sorted samples. No histogram buckets: what the server reports is what it measured.
export class LatencySamples {
  private values = new Float64Array(64);
  private size = 0;

  get count(): number {
    return this.size;
  }

  add(ms: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = ms;
  }

  /** The samples added after the first `count`, in the order they came: one interval's, for a reader that keeps the count it saw (src/live/). */
  after(count: number): Float64Array {
    return this.values.slice(Math.min(count, this.size), this.size);
  }

  /** Every sample, for a group that adds its members' up (src/truth/add.ts). */
  all(): number[] {
    return Array.from(this.values.subarray(0, this.size));
  }

  /** Nearest rank: the smallest sample that at least p % of the samples are at or below. */
  percentiles(ps: readonly number[]): number[] {
    if (this.size === 0) return ps.map(() => 0);
    const sorted = this.values.slice(0, this.size).sort();
    return ps.map((p) => sorted[Math.max(0, Math.ceil((p / 100) * this.size) - 1)] as number);
  }
}
