// Closed-loop load on two or more variants of a request (a page as HTML and as JSON), second
// by second in turn rather than one whole run after the other. On a shared machine the
// background load changes from second to second; in turn, each variant meets it alike, so
// their ratio shows the server and not the neighbours.
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
    for (const name of names) {
      const total = totals.get(name) as NonNullable<ReturnType<typeof totals.get>>;
      const run = await runLoad({
        ...variants[name],
        connections,
        duration: 1,
        keep: total.samples,
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
