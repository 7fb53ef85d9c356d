// The table the lab prints: each setting's figures, then b/a for each column.

import type { Comparison } from "./compare.js";
import { formatRatio, formatTable } from "./table.js";
import { ANSWER_TIMEOUT_MS } from "./timed-get.js";

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
  return [load, probe, ...probeNotes(comparison, probed).map((note) => wrap(note, 96))].join(
    "\n\n",
  );
}

/**
 * What the probe's figures mean: it is load too, and a probe request unanswered within the
 * timeout counts as failed with the timeout as its time, so a p50 at the limit is no answer time.
 */
function probeNotes(comparison: Comparison, probed: Comparison["settings"][number][]): string[] {
  const rate = comparison.options.probeRate;
  const limit = ANSWER_TIMEOUT_MS / 1000;
  const notes = [
    `The probe sends ${rate} requests a second to the same route on a fixed schedule, on top of the load's connections: it adds load too. Each probe request waits at most ${limit} s; one with no answer by then counts as failed, its time the ${limit} s limit.`,
  ];
  for (const s of probed) {
    const timedOut = s.probe?.timedOut ?? 0;
    if (timedOut === 0) continue;
    notes.push(
      `${s.side}: ${s.label}: ${timedOut} of ${s.probe?.requests} probe requests got no answer within ${limit} s, so its percentiles at about ${ANSWER_TIMEOUT_MS} ms are that limit, not answer times: the route did not keep up with the load and the probe's ${rate} a second together.`,
    );
  }
  return notes;
}

/** Lines of at most `width` characters, broken between words: the notes read in a terminal and a <pre>. */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  return [...lines, line].join("\n");
}
