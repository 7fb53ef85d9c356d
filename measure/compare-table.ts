// The table the lab prints: each setting's figures, then b/a for each column.

import type { Comparison } from "./compare.js";
import { formatRatio, formatTable } from "./table.js";

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
