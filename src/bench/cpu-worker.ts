// What each Piscina worker thread runs: the same countPrimes as cpu-inline, on its own thread,
// so the event loop stays free for other requests. Piscina loads the compiled
// dist/src/bench/cpu-worker.js (worker threads cannot run the .ts source).
import { type CpuInput, type CpuResult, countPrimes } from "./cpu-task.js";

export default function cpuWorker(input: CpuInput): CpuResult {
  return countPrimes(input);
}
