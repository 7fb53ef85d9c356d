// The verdict on a load tool's report: Locust's stats beside the server's own counts, route by
// route, each difference explained in a word or two:
//   "match"                      the same requests, the same failures, latency within reach
//   "the server reset these"     Locust's failures are connections the server itself reset or
//                                left hanging (a reset or hang fault): the server's doing
//   "the server never saw these" Locust counted requests (or failures) the server never got:
//                                lost on the way, in the network or a proxy in between
//   "queued before the server read them"
//                                Locust's times well above the server's: the requests waited
//                                before the server's clock starts (when it reads a request), in
//                                the server's own queue behind a busy event loop, or in a busy
//                                client; the server's clock cannot tell which (the lesson of
//                                blocked-event-loop)
//   "other clients"              the server saw more than Locust sent: send a run id (--run-id)

import type { LocustRow } from "./locust-csv.js";
import type { RouteReport } from "./truth.js";

export type Verdict =
  | "match"
  | "the server reset these"
  | "the server never saw these"
  | "queued before the server read them"
  | "other clients";

export interface Comparison {
  locust: LocustRow;
  server: RouteReport | undefined;
  verdict: Verdict;
}

/**
 * Locust rounds its times (to 10 ms above 100 ms, 100 ms above 1 s) and adds the loopback
 * round trip; a client time counts as queued only past half again the server's, plus 10 ms.
 */
function queued(client: number, server: number): boolean {
  return Number.isFinite(client) && client > server * 1.5 + 10;
}

export function compare(
  locust: readonly LocustRow[],
  server: readonly RouteReport[],
): Comparison[] {
  return locust.map((row) => {
    const match = server.find(
      (s) => s.method === row.method && sameRoute(row.name, s.route, row.method),
    );
    return { locust: row, server: match, verdict: verdictOf(row, match) };
  });
}

/** The requests the server failed itself: error answers, and connections it reset or left hanging. */
export function serverFailures(server: RouteReport): number {
  return server.errorAnswers + server.faults.reset + server.faults.hang;
}

function verdictOf(locust: LocustRow, server: RouteReport | undefined): Verdict {
  if (server === undefined) return "the server never saw these";
  if (locust.requests > server.requests) return "the server never saw these";
  if (locust.failures > serverFailures(server)) return "the server never saw these";
  if (locust.requests < server.requests) return "other clients";
  if (locust.failures > server.errorAnswers) return "the server reset these";
  const { p50, p95, p99 } = server.latencyMs;
  if (queued(locust.p50, p50) || queued(locust.p95, p95) || queued(locust.p99, p99)) {
    return "queued before the server read them";
  }
  return "match";
}

/**
 * A Locust name against a route pattern: "/io?ms=200" is /io, "/events/[id]/register" or
 * "/events/5/register" is /events/:id/register (a ":" segment takes any one segment), and a
 * name that says its method or a label, as predict.py's "GET /predict" and
 * "POST /predict (JSON)", is its path.
 */
export function sameRoute(name: string, pattern: string, method?: string): boolean {
  const path = pathOfName(name, method);
  if (path === pattern) return true;
  const names = path.split("/");
  const parts = pattern.split("/");
  return (
    names.length === parts.length &&
    parts.every((part, i) => part === names[i] || (part.startsWith(":") && names[i] !== ""))
  );
}

/** The path a request name stands for: without a leading method, a trailing "(label)" or a query. */
export function pathOfName(name: string, method?: string): string {
  let path = name.trim();
  const word = /^([A-Z]+)\s+(\/.*)$/.exec(path);
  if (word !== null && (method === undefined || word[1] === method)) path = word[2] as string;
  path = path.replace(/\s+\([^()]*\)$/, "");
  return path.split("?")[0] ?? "";
}

const ms = (value: number | undefined) =>
  value === undefined || !Number.isFinite(value)
    ? "-"
    : value < 10
      ? value.toFixed(1)
      : value.toFixed(0);

/** The side-by-side table: each figure as "Locust / server". */
export function verdictTable(comparisons: readonly Comparison[]): string[] {
  const header = ["request", "requests", "failures", "p50 ms", "p95 ms", "p99 ms", "verdict"];
  const rows = comparisons.map(({ locust, server, verdict }) => {
    // Withheld while a challenge runs (src/withheld.ts): then no "(+N reset)".
    const resets = server?.faults?.reset ?? 0;
    return [
      `${locust.method} ${locust.name}`,
      `${locust.requests} / ${server?.requests ?? 0}`,
      `${locust.failures} / ${server?.errorAnswers ?? 0}${resets > 0 ? ` (+${resets} reset)` : ""}`,
      `${ms(locust.p50)} / ${ms(server?.latencyMs.p50)}`,
      `${ms(locust.p95)} / ${ms(server?.latencyMs.p95)}`,
      `${ms(locust.p99)} / ${ms(server?.latencyMs.p99)}`,
      verdict,
    ];
  });
  const widths = header.map((_, i) =>
    Math.max(...[header, ...rows].map((row) => row[i]?.length ?? 0)),
  );
  const line = (row: string[]) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ");
  return [
    "Locust / server, per request name (failures: Locust's / the server's error answers, and the connections it reset)",
    line(header),
    ...rows.map(line),
  ];
}
