// MONITOR_CSV in a group (WORKERS=N or SERVICES=1): one file, written by the supervisor. Each
// member sends its figures once a second; each line adds up the group: CPU, memory, requests
// and queues summed (the supervisor's own CPU and memory included: it hands out every
// connection), the event loop's worst delay and its mean utilization over the members, and
// how many members reported (the column is named "workers").
import { IDLE_POOL } from "../observe/cpu-pool-stats.js";
import {
  type MonitorLine,
  openMonitorFile,
  type ResourceMonitor,
  type ResourceSample,
  startSampler,
  writeMonitorLines,
} from "../observe/monitor.js";

/** A member's figures older than this (it died or hangs) are left out of the line. */
const STALE_MS = 2_500;

export interface GroupMonitor extends ResourceMonitor {
  /** A member's figures for its last second. */
  report(member: string, sample: ResourceSample): void;
  /** The member is gone: its last figures leave the sum now. */
  forget(member: string): void;
}

export interface GroupMonitorOptions {
  intervalMs?: number;
  /**
   * The door every request of the group passes (the gateway of SERVICES=1): then the line's
   * requests and in flight are counted there, once, instead of added up from the members
   * (a request through the gateway to a service would count twice).
   */
  door?: () => { done: number; inFlight: number };
}

export function startGroupMonitor(path: string, options: GroupMonitorOptions = {}): GroupMonitor {
  const fd = openMonitorFile(path);
  const { intervalMs = 1000, door } = options;
  const own = startSampler({
    requests: door ?? (() => ({ done: 0, inFlight: 0 })),
    cpuPoolStats: () => IDLE_POOL,
  });
  const latest = new Map<string, { sample: ResourceSample; at: number }>();

  const line = (): MonitorLine => {
    const now = Date.now();
    const fresh = [...latest.values()]
      .filter((entry) => now - entry.at <= STALE_MS)
      .map((entry) => entry.sample);
    return {
      sample: groupSample(own.take(), fresh, door !== undefined),
      workers: fresh.length,
    };
  };
  const monitor = writeMonitorLines(path, fd, line, { intervalMs, onStop: () => own.stop() });
  return {
    ...monitor,
    report(member, sample) {
      latest.set(member, { sample, at: Date.now() });
    },
    forget(member) {
      latest.delete(member);
    },
  };
}

/** The supervisor's own figures plus its members'; the requests the door's, when it counts. */
export function groupSample(
  supervisor: ResourceSample,
  workers: ResourceSample[],
  doorCounts = false,
): ResourceSample {
  const sum = (pick: (s: ResourceSample) => number) =>
    workers.reduce((total, sample) => total + pick(sample), 0);
  return {
    cpuPercent: supervisor.cpuPercent + sum((s) => s.cpuPercent),
    rssMb: supervisor.rssMb + sum((s) => s.rssMb),
    heapUsedMb: supervisor.heapUsedMb + sum((s) => s.heapUsedMb),
    eventLoopDelayP99Ms: Math.max(0, ...workers.map((s) => s.eventLoopDelayP99Ms)),
    eventLoopUtilization:
      workers.length > 0 ? sum((s) => s.eventLoopUtilization) / workers.length : 0,
    requestsPerSecond: doorCounts ? supervisor.requestsPerSecond : sum((s) => s.requestsPerSecond),
    inFlight: doorCounts ? supervisor.inFlight : sum((s) => s.inFlight),
    cpuPoolQueue: sum((s) => s.cpuPoolQueue),
  };
}
