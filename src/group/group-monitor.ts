// MONITOR_CSV in a group (WORKERS=N or SERVICES=1): one file, written by the supervisor. Each
// member sends its figures once a second; each line adds up the group: CPU, memory, requests
// and queues summed (the supervisor's own CPU and memory included: it hands out every
// connection), the event loop's worst delay and its mean utilization over the workers, and
// how many workers reported.
import {
  type MonitorLine,
  openMonitorFile,
  type ResourceMonitor,
  type ResourceSample,
  startSampler,
  writeMonitorLines,
} from "../observe/monitor.js";

/** A worker's figures older than this (it died or hangs) are left out of the line. */
const STALE_MS = 2_500;

export interface GroupMonitor extends ResourceMonitor {
  /** A worker's figures for its last second. */
  report(member: string, sample: ResourceSample): void;
  /** The worker is gone: its last figures leave the sum now. */
  forget(member: string): void;
}

export function startGroupMonitor(path: string, intervalMs = 1000): GroupMonitor {
  const fd = openMonitorFile(path);
  const own = startSampler({
    requests: () => ({ done: 0, inFlight: 0 }),
    cpuPoolStats: () => ({ threads: 0, busy: 0, queued: 0, rejected: 0, completed: 0 }),
  });
  const latest = new Map<string, { sample: ResourceSample; at: number }>();

  const line = (): MonitorLine => {
    const now = Date.now();
    const fresh = [...latest.values()]
      .filter((entry) => now - entry.at <= STALE_MS)
      .map((entry) => entry.sample);
    return { sample: groupSample(own.take(), fresh), workers: fresh.length };
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

/** The supervisor's own figures plus its workers'. */
export function groupSample(supervisor: ResourceSample, workers: ResourceSample[]): ResourceSample {
  const sum = (pick: (s: ResourceSample) => number) =>
    workers.reduce((total, sample) => total + pick(sample), 0);
  return {
    cpuPercent: supervisor.cpuPercent + sum((s) => s.cpuPercent),
    rssMb: supervisor.rssMb + sum((s) => s.rssMb),
    heapUsedMb: supervisor.heapUsedMb + sum((s) => s.heapUsedMb),
    eventLoopDelayP99Ms: Math.max(0, ...workers.map((s) => s.eventLoopDelayP99Ms)),
    eventLoopUtilization:
      workers.length > 0 ? sum((s) => s.eventLoopUtilization) / workers.length : 0,
    requestsPerSecond: sum((s) => s.requestsPerSecond),
    inFlight: sum((s) => s.inFlight),
    cpuPoolQueue: sum((s) => s.cpuPoolQueue),
  };
}
