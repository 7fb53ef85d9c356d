// The work behind GET /cpu, shared by the pool worker (cpu-worker.ts) and cpu-inline mode, so
// both answer the same numbers. It counts the primes below n by trial division: deliberately
// the slow way, because the point is real CPU work that no cache or I/O can shortcut. The sum
// of those primes is the checksum: a client (or a test, with a sieve) can recompute it.

/** About 30 ms on one laptop core (a 2020s x86 or Apple core). */
export const CPU_DEFAULT_N = 350_000;
/** About a second of work: one request must not hold a thread for minutes. */
export const CPU_MAX_N = 5_000_000;
export const CPU_N_RULE = `a whole number from 0 to ${CPU_MAX_N} (default ${CPU_DEFAULT_N}; the cost grows a little faster than n)`;

export interface CpuInput {
  n: number;
}

export interface CpuResult {
  n: number;
  /** How many primes are below n. */
  primes: number;
  /** The sum of those primes (exact: below 2^53 for every allowed n). */
  checksum: number;
  /** Time spent in the work itself, on whichever thread ran it. */
  elapsedMs: number;
}

export function countPrimes({ n }: CpuInput): CpuResult {
  // The route checks n first; a worker still refuses input it cannot give a true answer for.
  if (!Number.isSafeInteger(n) || n < 0 || n > CPU_MAX_N) {
    throw new RangeError(`countPrimes: n must be ${CPU_N_RULE}, got ${String(n)}`);
  }
  const started = performance.now();
  let primes = 0;
  let checksum = 0;
  for (let k = 2; k < n; k++) {
    let prime = true;
    for (let d = 2; d * d <= k; d++) {
      if (k % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) {
      primes++;
      checksum += k;
    }
  }
  const elapsedMs = Math.round((performance.now() - started) * 10) / 10;
  return { n, primes, checksum, elapsedMs };
}
