// The live view's seconds, from running totals: each point holds that second's share, a truth
// reset starts the differences again, and a change is marked, without its name while a
// challenge hides it from a server that asks no token.
import { afterEach, describe, expect, it } from "vitest";
import type { FaultListener } from "../src/faults/faults.js";
import { addLivePoints } from "../src/live/add-points.js";
import {
  LiveFigures,
  type LivePoint,
  type LiveSources,
  type MemberLivePoint,
} from "../src/live/live-figures.js";
import type { ResourceSample } from "../src/observe/monitor.js";
import { Switches } from "../src/switches.js";
import type { RouteTally } from "../src/truth/truth.js";

/** Running totals a test moves by hand, as requests ending would. */
class Totals {
  resets = 0;
  private rows = new Map<string, { requests: number; ok: number; latencies: number[] }>();

  end(key: string, ms: number, ok = true): void {
    const row = this.rows.get(key) ?? { requests: 0, ok: 0, latencies: [] };
    row.requests++;
    if (ok) row.ok++;
    row.latencies.push(ms);
    this.rows.set(key, row);
  }

  reset(): void {
    this.rows.clear();
    this.resets++;
  }

  tallies(): { resets: number; routes: RouteTally[] } {
    return {
      resets: this.resets,
      routes: [...this.rows].map(([key, row]) => ({
        key,
        requests: row.requests,
        ok: row.ok,
        answered: row.latencies.length,
        latencyAfter: (count: number) => Float64Array.from(row.latencies.slice(count)),
      })),
    };
  }
}

const live: LiveFigures[] = [];
afterEach(() => {
  for (const figures of live.splice(0)) figures.stop();
});

function figures(revealsHidden: boolean) {
  const totals = new Totals();
  const switches = new Switches();
  const faultListeners: FaultListener[] = [];
  const sources: LiveSources = {
    truth: totals,
    requests: () => ({ done: 0, inFlight: 0 }),
    cpuPoolStats: () => ({ threads: 1, busy: 0, queued: 0, completed: 0, rejected: 0 }),
    switches,
    faults: { onChange: (l) => faultListeners.push(l), hiddenBecause: undefined },
    revealsHidden,
  };
  const made = new LiveFigures(sources, { windowSeconds: 3, intervalMs: 20, idleMs: 60_000 });
  live.push(made);
  made.watched();
  return { made, totals, switches, faultListeners };
}

async function nextSecond(made: LiveFigures) {
  await made.nextPoint(5_000);
  const points = made.pointsAfter(0);
  return points[points.length - 1];
}

describe("the live view's figures", () => {
  it("give each second its own requests, failures and exact percentiles", async () => {
    const { made, totals } = figures(true);
    for (const ms of [1, 2, 3, 4, 100]) totals.end("GET /events", ms);
    totals.end("GET /events", 7, false);
    totals.end("GET /admin/live/events", 1);
    const first = await nextSecond(made);
    expect(first?.routes["GET /events"]).toEqual({
      requests: 6,
      failures: 1,
      p50: 3,
      p95: 100,
      p99: 100,
    });
    // The view's own requests are not the lab's.
    expect(first?.routes["GET /admin/live/events"]).toBeUndefined();
    expect(first?.all.requests).toBe(6);

    totals.end("GET /events", 50);
    const second = await nextSecond(made);
    expect(second?.routes["GET /events"]).toEqual({
      requests: 1,
      failures: 0,
      p50: 50,
      p95: 50,
      p99: 50,
    });
  });

  it("start the differences again after a truth reset, and keep only the window", async () => {
    const { made, totals } = figures(true);
    for (let i = 0; i < 5; i++) totals.end("GET /checkout", 10);
    await nextSecond(made);
    totals.reset();
    totals.end("GET /checkout", 20);
    const after = await nextSecond(made);
    expect(after?.routes["GET /checkout"]?.requests).toBe(1);
    for (let i = 0; i < 4; i++) await nextSecond(made);
    expect(made.pointsAfter(0)).toHaveLength(3);
    const newest = made.pointsAfter(0).at(-1)?.id ?? 0;
    expect(made.pointsAfter(newest)).toEqual([]);
    // An id this server never gave (a client of an earlier server) gets the whole window.
    expect(made.pointsAfter(newest + 1000)).toHaveLength(3);
  });

  it("mark switch and fault changes, naming them unless a challenge hides them", async () => {
    const open = figures(false);
    open.switches.set("events-slow-loop", true, "admin api from 127.0.0.1");
    for (const listener of open.faultListeners) listener("error:503@10%:/events", "admin page");
    const marked = await nextSecond(open.made);
    expect(marked?.marks.map((m) => `${m.kind}: ${m.text}`)).toEqual([
      "switch: events-slow-loop on (admin api from 127.0.0.1)",
      'fault: faults "error:503@10%:/events" (admin page)',
    ]);

    open.switches.hiddenBecause = "hidden while challenge slow-listing runs";
    open.switches.set("title-scan", true, "challenge slow-listing");
    const hidden = await nextSecond(open.made);
    expect(hidden?.marks.map((m) => m.text)).toEqual([
      "a change hidden while challenge slow-listing runs",
    ]);

    const withToken = figures(true);
    withToken.switches.hiddenBecause = "hidden while challenge slow-listing runs";
    withToken.switches.set("title-scan", true, "challenge slow-listing");
    const shown = await nextSecond(withToken.made);
    expect(shown?.marks.map((m) => m.text)).toEqual(["title-scan on (challenge slow-listing)"]);
  });
});

/** One member's point ending at `t`, its routes given by their latencies and failures. */
function memberPoint(
  t: number,
  routes: Record<string, { ms: number[]; failures: number }>,
  process: Partial<ResourceSample> = {},
): MemberLivePoint {
  const point: LivePoint = {
    id: 1,
    t,
    pid: 1,
    routes: Object.fromEntries(
      Object.entries(routes).map(([key, r]) => [
        key,
        { requests: r.ms.length, failures: r.failures, p50: null, p95: null, p99: null },
      ]),
    ),
    all: { requests: 0, failures: 0, p50: null, p95: null, p99: null },
    process: {
      cpuPercent: 0,
      rssMb: 0,
      heapUsedMb: 0,
      eventLoopDelayP99Ms: 0,
      eventLoopUtilization: 0,
      requestsPerSecond: 0,
      inFlight: 0,
      cpuPoolQueue: 0,
      ...process,
    },
    marks: [],
  };
  return { point, samples: Object.fromEntries(Object.entries(routes).map(([k, r]) => [k, r.ms])) };
}

describe("a group's live figures, added up from its members' points", () => {
  const a = [
    memberPoint(
      10_400,
      { "GET /x": { ms: [1, 2, 3], failures: 1 } },
      {
        cpuPercent: 30,
        rssMb: 100,
        eventLoopDelayP99Ms: 4,
        inFlight: 1,
      },
    ),
    memberPoint(11_400, { "GET /x": { ms: [9], failures: 0 } }),
    // Member b has no point in second 12 yet: 11 is not given until it has (a mark or a late
    // count of 11 could still come).
    memberPoint(12_300, { "GET /x": { ms: [8], failures: 0 } }),
  ];
  const b = [
    memberPoint(
      10_900,
      { "GET /x": { ms: [10, 20], failures: 0 }, "GET /y": { ms: [5], failures: 0 } },
      { cpuPercent: 50, rssMb: 120, eventLoopDelayP99Ms: 12, inFlight: 2 },
    ),
    memberPoint(11_900, { "GET /y": { ms: [7], failures: 0 } }),
  ];
  const marks = [
    { t: 10_500, kind: "switch" as const, text: "slow-db on (admin)" },
    { t: 11_200, kind: "fault" as const, text: "faults cleared (admin)" },
  ];

  it("sums each second's counts, takes exact percentiles from every member's samples, and gives a second only once every member has counted a later one", () => {
    const points = addLivePoints([a, b], marks, 0, 42);
    expect(points.map((p) => p.id)).toEqual([10]);
    const [ten] = points;
    expect(ten?.routes["GET /x"]).toEqual({ requests: 5, failures: 1, p50: 3, p95: 20, p99: 20 });
    expect(ten?.routes["GET /y"]).toEqual({ requests: 1, failures: 0, p50: 5, p95: 5, p99: 5 });
    expect(ten?.all).toEqual({ requests: 6, failures: 1, p50: 3, p95: 20, p99: 20 });
    expect(ten?.members).toBe(2);
    expect(ten?.pid).toBe(42);
    // CPU, memory and requests in flight add up; the event loop is the worst member's.
    expect(ten?.process).toMatchObject({
      cpuPercent: 80,
      rssMb: 220,
      eventLoopDelayP99Ms: 12,
      inFlight: 3,
    });
    // The supervisor's marks, each once, in their second.
    expect(ten?.marks).toEqual([marks[0]]);
  });

  it("gives only the seconds after the one the client saw, and nothing before every member has a later point", () => {
    expect(addLivePoints([a, b], marks, 10, 42)).toEqual([]);
    expect(addLivePoints([a, []], marks, 0, 42)).toEqual([]);
    expect(addLivePoints([], marks, 0, 42)).toEqual([]);
    const later = [...b, memberPoint(12_950, {})];
    const points = addLivePoints([a, later], marks, 10, 42);
    expect(points.map((p) => p.id)).toEqual([11]);
    expect(points[0]?.all.requests).toBe(2);
    expect(points[0]?.marks).toEqual([marks[1]]);
  });
});
