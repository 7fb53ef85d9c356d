// One definition of a percentile for every figure the project prints (bench and lab).

/** The smallest sample that at least `percentile` % of the samples are at or below. */
export function nearestRank(sorted: ArrayLike<number>, percentile: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((percentile / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}
