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
  const load = formatTable(
    ["setting", "requests/s", "p50 ms", "p95 ms", "p99 ms", "errors", "requests"],
    rows,
  );
  const probed = comparison.settings.filter((s) => s.probe !== undefined);
  if (probed.length === 0) return load;
  // The closed-loop figures above wait for each answer before the next request; these do not.
  const probe = formatTable(
    ["fixed-rate probe", "requests/s", "p50 ms", "p95 ms", "p99 ms", "failed", "requests"],
    probed.map((s) => [
      `${s.side}: ${s.label}`,
      comparison.options.probeRate,
      s.probe?.medianMs ?? "",
      s.probe?.p95Ms ?? "",
      s.probe?.p99Ms ?? "",
      s.probe?.failures ?? "",
      s.probe?.requests ?? "",
    ]),
  );
  return `${load}\n\n${probe}`;
}
