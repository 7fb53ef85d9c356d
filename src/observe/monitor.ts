// MONITOR_CSV=path: one line a second of what the process costs, measured from inside Node
// so it reads the same on Windows, Linux and macOS (the bench lab used `ps` and a task
// manager for this). Open the file in a spreadsheet, or plot it beside a Locust run.
import { closeSync, fstatSync, openSync, writeSync } from "node:fs";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
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
] as const;

export class MonitorFileError extends Error {
  override name = "MonitorFileError";
}

export interface MonitorSources {
  /** Running totals from the metrics: requests done since start, and in flight now. */
  requests(): { done: number; inFlight: number };
  cpuPoolStats: CpuPoolStatsProvider;
}

export interface ResourceMonitor {
  path: string;
  stop(): void;
}

const MB = 1024 * 1024;
const SAMPLE_MS = 10;

export function startMonitor(
  path: string,
  sources: MonitorSources,
  intervalMs = 1000,
): ResourceMonitor {
  let fd: number;
  try {
    fd = openSync(path, "a");
    if (fstatSync(fd).size === 0) writeSync(fd, `${MONITOR_COLUMNS.join(",")}\n`);
  } catch (error) {
    throw new MonitorFileError(
      `MONITOR_CSV=${path} cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): choose a file in a folder that exists and is writable`,
    );
  }

  // A timer fires every 10 ms and records how long it took to come round; the lateness is
  // that minus the 10 ms asked for. Reset each line, so p99 is this second's, not since start.
  const delay = monitorEventLoopDelay({ resolution: SAMPLE_MS });
  delay.enable();
  let wallBefore = performance.now();
  let cpuBefore = process.cpuUsage();
  let eluBefore = performance.eventLoopUtilization();
  let doneBefore = sources.requests().done;

  const writeLine = () => {
    const wallNow = performance.now();
    const seconds = (wallNow - wallBefore) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const eluNow = performance.eventLoopUtilization();
    const { done, inFlight } = sources.requests();
    const memory = process.memoryUsage();
    const values = [
      new Date().toISOString(),
      // User + system time of every thread in the process: over 100 when workers are busy.
      (((cpu.user + cpu.system) / 1000 / (wallNow - wallBefore)) * 100).toFixed(1),
      (memory.rss / MB).toFixed(1),
      (memory.heapUsed / MB).toFixed(1),
      Math.max(0, delay.count > 0 ? delay.percentile(99) / 1e6 - SAMPLE_MS : 0).toFixed(2),
      performance.eventLoopUtilization(eluNow, eluBefore).utilization.toFixed(3),
      ((done - doneBefore) / seconds).toFixed(1),
      inFlight,
      sources.cpuPoolStats().queued,
    ];
    wallBefore = wallNow;
    cpuBefore = process.cpuUsage();
    eluBefore = eluNow;
    doneBefore = done;
    delay.reset();
    // A hundred bytes once a second: a synchronous append costs microseconds and keeps
    // every line whole and in order, even when the process is about to exit.
    writeSync(fd, `${values.join(",")}\n`);
  };

  const timer = setInterval(writeLine, intervalMs);
  timer.unref(); // the monitor alone never keeps the process alive
  let stopped = false;
  return {
    path,
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      delay.disable();
      closeSync(fd);
    },
  };
}
