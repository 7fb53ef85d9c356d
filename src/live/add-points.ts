// A group's live figures: its members' per-second points added up the way the group's truth
// is (src/truth/add.ts): requests and failures summed, p50/p95/p99 exact from every member's
// latencies of the second, CPU and memory summed, the worst event-loop delay, the marks the
// supervisor recorded (one authority, so a change appears once). Members tick on their own
// clocks, so a point belongs to the wall-clock second it ended in, and that second is its id.
import type { ResourceSample } from "../observe/monitor.js";
import { LatencySamples } from "../truth/samples.js";
import {
  type Figures,
  figures,
  type LivePoint,
  type Mark,
  type MemberLivePoint,
} from "./live-figures.js";

/** The id of the group's point for the second that ends at `t` (epoch ms): that second. */
export function secondOf(t: number): number {
  return Math.floor(t / 1000);
}

interface Bucket {
  routes: Map<string, { requests: number; ok: number; latencies: LatencySamples }>;
  process: ResourceSample[];
  members: Set<readonly MemberLivePoint[]>;
}

/**
 * The group's points after second `after` (0: all), one a second. A second is given only once
 * every member that answered has a point in a later one: by then the wall clock is past it, so
 * every member's count of it and every mark made in it are in (a second given short would never
 * be given again).
 */
export function addLivePoints(
  members: readonly (readonly MemberLivePoint[])[],
  marks: readonly Mark[],
  after: number,
  pid: number,
): LivePoint[] {
  if (members.length === 0) return [];
  let complete = Number.POSITIVE_INFINITY;
  for (const points of members) {
    const last = points.at(-1);
    complete = Math.min(complete, last === undefined ? 0 : secondOf(last.point.t) - 1);
  }
  const buckets = new Map<number, Bucket>();
  for (const points of members) {
    for (const { point, samples } of points) {
      const second = secondOf(point.t);
      if (second <= after || second > complete) continue;
      let bucket = buckets.get(second);
      if (bucket === undefined) {
        bucket = { routes: new Map(), process: [], members: new Set() };
        buckets.set(second, bucket);
      }
      bucket.process.push(point.process);
      bucket.members.add(points);
      for (const [key, figures] of Object.entries(point.routes)) {
        let route = bucket.routes.get(key);
        if (route === undefined) {
          route = { requests: 0, ok: 0, latencies: new LatencySamples() };
          bucket.routes.set(key, route);
        }
        route.requests += figures.requests;
        route.ok += figures.requests - figures.failures;
        for (const ms of samples[key] ?? []) route.latencies.add(ms);
      }
    }
  }
  return [...buckets.keys()]
    .sort((a, b) => a - b)
    .map((second) => {
      const bucket = buckets.get(second) as Bucket;
      const routes: Record<string, Figures> = {};
      const all = { requests: 0, ok: 0, latencies: new LatencySamples() };
      for (const [key, route] of bucket.routes) {
        routes[key] = figures(route.requests, route.ok, route.latencies);
        all.requests += route.requests;
        all.ok += route.ok;
        for (const ms of route.latencies.after(0)) all.latencies.add(ms);
      }
      return {
        id: second,
        t: (second + 1) * 1000,
        pid,
        members: bucket.members.size,
        routes,
        all: figures(all.requests, all.ok, all.latencies),
        process: addProcesses(bucket.process),
        marks: marks.filter((mark) => secondOf(mark.t) === second),
      };
    });
}

/** The group's resources: what the processes use together; the worst event loop among them. */
function addProcesses(samples: readonly ResourceSample[]): ResourceSample {
  const sum = (pick: (s: ResourceSample) => number) =>
    Math.round(samples.reduce((total, s) => total + pick(s), 0) * 100) / 100;
  const worst = (pick: (s: ResourceSample) => number) => Math.max(0, ...samples.map(pick));
  return {
    cpuPercent: sum((s) => s.cpuPercent),
    rssMb: sum((s) => s.rssMb),
    heapUsedMb: sum((s) => s.heapUsedMb),
    eventLoopDelayP99Ms: worst((s) => s.eventLoopDelayP99Ms),
    eventLoopUtilization: worst((s) => s.eventLoopUtilization),
    requestsPerSecond: sum((s) => s.requestsPerSecond),
    inFlight: sum((s) => s.inFlight),
    cpuPoolQueue: sum((s) => s.cpuPoolQueue),
  };
}
