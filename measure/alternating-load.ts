// Closed-loop load on two or more variants of a request (a page as HTML and as JSON), second
// by second in turn rather than one whole run after the other. On a shared machine the
// background load changes from second to second; in turn, each variant meets it alike, so
// their ratio shows the server and not the neighbours.
//
// Each turn is a new autocannon run, so each turn opens its connections anew, and the first
// response on each connection waited for the connect and the client's start as well: read on
// /my-events HTML, a turn's first responses came at 80 to 140 ms against a 6 ms median (a
// loaded machine). A continuous run of the same seconds opens its connections once; the turns
// open them every second, ten first responses in 1,000 to 3,000, a third to all of a 1 % tail.
// So the latency is of requests on open connections, as in a continuous run: a connection's
// first response counts as a response, not in the latency.
import { runLoad } from "./load.js";
import { LatencySamples, type LatencySummary } from "./samples.js";

export interface Variant {
  url: string;
  headers?: Record<string, string>;
}

export interface VariantResult {
  /** 2xx responses a second, over the seconds this variant was loaded. */
  okPerSecond: number;
  /** Over every response of every turn. */
  latencyMs: LatencySummary;
  /** Non-2xx answers, connection errors and timeouts. */
  failed: number;
}

export async function alternatingLoad<Name extends string>(
  variants: Record<Name, Variant>,
  { connections, seconds }: { connections: number; seconds: number },
): Promise<Record<Name, VariantResult>> {
  const names = Object.keys(variants) as Name[];
  const totals = new Map(
    names.map((name) => [name, { ok: 0, seconds: 0, failed: 0, samples: new LatencySamples() }]),
  );
  for (let turn = 0; turn < seconds; turn++) {
    // Every other turn in reverse (a b, b a, a b), as measure/rotation.ts does: each turn
    // starts as the one before it closes its connections, and the variant that always went
    // first always met that.
    for (const name of turn % 2 === 0 ? names : [...names].reverse()) {
      const total = totals.get(name) as NonNullable<ReturnType<typeof totals.get>>;
      const run = await runLoad({
        ...variants[name],
        connections,
        duration: 1,
        keep: total.samples,
        keepOnlyOpenConnections: true,
      });
      total.ok += run.requests - run.errors.non2xx;
      total.seconds += run.durationSeconds;
      total.failed += run.errors.total;
    }
  }
  const results = {} as Record<Name, VariantResult>;
  for (const [name, total] of totals) {
    results[name] = {
      okPerSecond: total.ok / total.seconds,
      latencyMs: total.samples.summary(),
      failed: total.failed,
    };
  }
  return results;
}
