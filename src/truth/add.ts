// A group's truth (WORKERS=N, SERVICES=1) is its members' added up: every count summed, route
// by route and status by status, so the document reads as one server's. Percentiles cannot be
// added: given every member's samples they are read again from all of them (exact, as one
// server's); without, a route answered by several members reports the worst member's, an
// upper bound, and the document's latency note says so.
import { LatencySamples } from "./samples.js";
import { type LatencySampleSet, PERCENTILES, type RouteReport, type TruthReport } from "./truth.js";

const GROUP_LATENCY =
  "exact per member: from the request's arrival to its last byte handed to the socket, every answered request kept; percentiles by nearest rank, and where several members answered a route, the highest member's (an upper bound)";

/**
 * The members' documents as one; undefined when none has one (a run nobody saw). With each
 * member's samples (in the same order), the percentiles are exact.
 */
export function addTruths(
  documents: readonly (TruthReport | undefined)[],
  samples?: readonly (LatencySampleSet | undefined)[],
): TruthReport | undefined {
  const each = documents.filter((document) => document !== undefined);
  const [first] = each;
  if (first === undefined) return undefined;
  if (each.length === 1) return first;
  const added = sumTruths(each);
  const sampled = samples !== undefined && documents.every((d, i) => !d || samples[i]);
  return sampled ? exactPercentiles(added, samples, first.latency) : added;
}

/** Every route's percentiles read again from all the members' samples. */
function exactPercentiles(
  report: TruthReport,
  samples: readonly (LatencySampleSet | undefined)[],
  latency: string,
): TruthReport {
  const routes = report.routes.map((route) => {
    const key = `${route.method} ${route.route}`;
    const all = new LatencySamples();
    for (const set of samples) for (const ms of set?.[key] ?? []) all.add(ms);
    const [p50 = 0, p95 = 0, p99 = 0] = all.percentiles(PERCENTILES);
    return { ...route, latencyMs: { answered: all.count, p50, p95, p99 } };
  });
  return { ...report, latency, routes };
}

function sumTruths(each: TruthReport[]): TruthReport {
  const sum = (pick: (document: TruthReport) => number) =>
    each.reduce((total, document) => total + pick(document), 0);
  const routes = new Map<string, RouteReport>();
  for (const route of each.flatMap((document) => document.routes)) {
    const key = `${route.method} ${route.route}`;
    const sofar = routes.get(key);
    routes.set(key, sofar === undefined ? copyRoute(route) : addRoute(sofar, route));
  }
  return {
    since: each.map((document) => document.since).sort()[0] as string,
    seconds: Math.max(...each.map((document) => document.seconds)),
    latency: GROUP_LATENCY,
    connections: {
      opened: sum((document) => document.connections.opened),
      closed: sum((document) => document.connections.closed),
      resetByFault: sum((document) => document.connections.resetByFault),
    },
    requestsInFlight: sum((document) => document.requestsInFlight),
    stalls: sum((document) => document.stalls),
    faultHeadersIgnored: sum((document) => document.faultHeadersIgnored),
    runIdsRefused: sum((document) => document.runIdsRefused),
    routes: [...routes.values()].sort(
      (a, b) => a.route.localeCompare(b.route) || a.method.localeCompare(b.method),
    ),
    runs: [...new Set(each.flatMap((document) => document.runs))].sort(),
  };
}

function copyRoute(route: RouteReport): RouteReport {
  return {
    ...route,
    statuses: { ...route.statuses },
    faults: { ...route.faults },
    latencyMs: { ...route.latencyMs },
  };
}

function addRoute(a: RouteReport, b: RouteReport): RouteReport {
  const statuses = { ...a.statuses };
  for (const [status, count] of Object.entries(b.statuses)) {
    statuses[status] = (statuses[status] ?? 0) + count;
  }
  const faults = { ...a.faults };
  for (const kind of Object.keys(faults) as (keyof RouteReport["faults"])[]) {
    faults[kind] += b.faults[kind];
  }
  return {
    method: a.method,
    route: a.route,
    requests: a.requests + b.requests,
    statuses: Object.fromEntries(
      Object.entries(statuses).sort(([x], [y]) => Number(x) - Number(y)),
    ),
    errorAnswers: a.errorAnswers + b.errorAnswers,
    clientLeftFirst: a.clientLeftFirst + b.clientLeftFirst,
    faults,
    bytesSent: a.bytesSent + b.bytesSent,
    latencyMs: {
      answered: a.latencyMs.answered + b.latencyMs.answered,
      p50: Math.max(a.latencyMs.p50, b.latencyMs.p50),
      p95: Math.max(a.latencyMs.p95, b.latencyMs.p95),
      p99: Math.max(a.latencyMs.p99, b.latencyMs.p99),
    },
  };
}
