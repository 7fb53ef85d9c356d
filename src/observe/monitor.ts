// MONITOR_CSV=path: one line a second of what the process costs, measured from inside Node
// so it reads the same on Windows, Linux and macOS (the bench lab used `ps` and a task
// manager for this). Open the file in a spreadsheet, or plot it beside a Locust run.
// With WORKERS=N the supervisor writes one file for the whole group (src/workers/).
import { closeSync, fstatSync, openSync, writeSync } from "node:fs";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { StartupError } from "../startup-error.js";
import type { CpuPoolStatsProvider } from "./cpu-pool-stats.js";

export const MONITOR_COLUMNS = [
  "time",
  "cpu_percent",
  "rss_mb",
  "heap_used_mb",
  "event_loop_delay_p99_ms",
  "event_loop_utilization",
  "requests_per_second",
  "in_flight",
  "cpu_pool_queue",
  "workers",
] as const;

export class MonitorFileError extends StartupError {
  override name = "MonitorFileError";
}

export interface MonitorSources {
  /** Running totals from the metrics: requests done since start, and in flight now. */
  requests(): { done: number; inFlight: number };
  cpuPoolStats: CpuPoolStatsProvider;
}

/** One process's figures over the time since the previous sample. */
export interface ResourceSample {
  cpuPercent: number;
  rssMb: number;
  heapUsedMb: number;
  eventLoopDelayP99Ms: number;
  eventLoopUtilization: number;
  requestsPerSecond: number;
  inFlight: number;
  cpuPoolQueue: number;
}

export interface ResourceSampler {
  /** The figures since the previous take() (or the start). */
  take(): ResourceSample;
  stop(): void;
}

export interface ResourceMonitor {
  path: string;
  stop(): void;
}

/** What one CSV line holds: the figures and how many processes serve them. */
export interface MonitorLine {
  sample: ResourceSample;
  workers: number;
}

const MB = 1024 * 1024;
const SAMPLE_MS = 10;

export function startSampler(sources: MonitorSources): ResourceSampler {
  // A timer fires every 10 ms and records how long it took to come round; the lateness is
  // that minus the 10 ms asked for. Reset each sample, so p99 is this second's, not since start.
  const delay = monitorEventLoopDelay({ resolution: SAMPLE_MS });
  delay.enable();
  let wallBefore = performance.now();
  let cpuBefore = process.cpuUsage();
  let eluBefore = performance.eventLoopUtilization();
  let doneBefore = sources.requests().done;

  return {
    take() {
      const wallNow = performance.now();
      const seconds = (wallNow - wallBefore) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const eluNow = performance.eventLoopUtilization();
      const { done, inFlight } = sources.requests();
      const memory = process.memoryUsage();
      const sample: ResourceSample = {
        // User + system time of every thread in the process: over 100 when workers are busy.
        cpuPercent: ((cpu.user + cpu.system) / 1000 / (wallNow - wallBefore)) * 100,
        rssMb: memory.rss / MB,
        heapUsedMb: memory.heapUsed / MB,
        eventLoopDelayP99Ms: Math.max(
          0,
          delay.count > 0 ? delay.percentile(99) / 1e6 - SAMPLE_MS : 0,
        ),
        eventLoopUtilization: performance.eventLoopUtilization(eluNow, eluBefore).utilization,
        requestsPerSecond: (done - doneBefore) / seconds,
        inFlight,
        cpuPoolQueue: sources.cpuPoolStats().queued,
      };
      wallBefore = wallNow;
      cpuBefore = process.cpuUsage();
      eluBefore = eluNow;
      doneBefore = done;
      delay.reset();
      return sample;
    },
    stop() {
      delay.disable();
    },
  };
}

/** One process: its own figures, one line a second. */
export function startMonitor(
  path: string,
  sources: MonitorSources,
  intervalMs = 1000,
): ResourceMonitor {
  const fd = openMonitorFile(path);
  const sampler = startSampler(sources);
  return writeMonitorLines(path, fd, () => ({ sample: sampler.take(), workers: 1 }), {
    intervalMs,
    onStop: () => sampler.stop(),
  });
}

/** Opens (or creates) the CSV and writes the header when the file is new or empty. */
export function openMonitorFile(path: string): number {
  try {
    const fd = openSync(path, "a");
    if (fstatSync(fd).size === 0) writeSync(fd, `${MONITOR_COLUMNS.join(",")}\n`);
    return fd;
  } catch (error) {
    throw new MonitorFileError(
      `MONITOR_CSV=${path} cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): choose a file in a folder that exists and is writable`,
    );
  }
}

/** Appends `line()` to the open file every interval until stopped, then closes it. */
export function writeMonitorLines(
  path: string,
  fd: number,
  line: () => MonitorLine,
  options: { intervalMs: number; onStop?: () => void },
): ResourceMonitor {
  const writeLine = () => {
    const { sample, workers } = line();
    const values = [
      new Date().toISOString(),
      sample.cpuPercent.toFixed(1),
      sample.rssMb.toFixed(1),
      sample.heapUsedMb.toFixed(1),
      sample.eventLoopDelayP99Ms.toFixed(2),
      sample.eventLoopUtilization.toFixed(3),
      sample.requestsPerSecond.toFixed(1),
      sample.inFlight,
      sample.cpuPoolQueue,
      workers,
    ];
    // A hundred bytes once a second: a synchronous append costs microseconds and keeps
    // every line whole and in order, even when the process is about to exit.
    writeSync(fd, `${values.join(",")}\n`);
  };

  const timer = setInterval(writeLine, options.intervalMs);
  timer.unref(); // the monitor alone never keeps the process alive
  let stopped = false;
  return {
    path,
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      options.onStop?.();
      closeSync(fd);
    },
  };
}
