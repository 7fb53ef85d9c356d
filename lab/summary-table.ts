// The table the lab prints: each setting's figures, then b/a for each column.
import { formatNumber, formatTable } from "../benchmark/table.js";
import type { Comparison } from "./compare.js";

export function summaryTable(comparison: Comparison): string {
  const rows = comparison.settings.map((s) => [
    `${s.side}: ${s.label}`,
    s.requestsPerSecond,
    s.latencyMs.p50,
    s.latencyMs.p95,
    s.latencyMs.p99,
    s.errors.total,
    s.requests,
  ]);
  const r = comparison.ratio;
  rows.push([
    "b/a",
    formatRatio(r.requestsPerSecond),
    formatRatio(r.p50),
    formatRatio(r.p95),
    formatRatio(r.p99),
    formatRatio(r.errors),
    "",
  ]);
  return formatTable(
    ["setting", "requests/s", "p50 ms", "p95 ms", "p99 ms", "errors", "requests"],
    rows,
  );
}

/** "55.2x"; two significant figures below 1, so a 50-fold drop reads 0.019x, not 0.02x. */
export function formatRatio(value: number): string {
  if (!Number.isFinite(value)) return "-";
  return `${value < 1 ? value.toPrecision(2) : formatNumber(value)}x`;
}
