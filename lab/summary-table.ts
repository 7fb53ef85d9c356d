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
  const times = (value: number) => (Number.isFinite(value) ? `${formatNumber(value)}x` : "-");
  rows.push([
    "b/a",
    times(r.requestsPerSecond),
    times(r.p50),
    times(r.p95),
    times(r.p99),
    times(r.errors),
    "",
  ]);
  return formatTable(
    ["setting", "requests/s", "p50 ms", "p95 ms", "p99 ms", "errors", "requests"],
    rows,
  );
}
