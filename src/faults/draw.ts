// Every fault decision is a pure function of (seed, route, request number, rule): no shared
// generator is advanced by whichever request happens to come first, so the 37th request to
// GET /events fails or not whatever the concurrency, on every machine that uses the seed.
// A whole class with FAULT_SEED=7 sees the same requests fail.
import { type Random, seededRandom } from "../random.js";
import type { Delay } from "./spec.js";

/** FNV-1a: a stable 32-bit number for a route key or a rule's text. */
export function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The generator for one decision: the same four inputs always give the same numbers. */
export function drawFor(
  seed: number,
  routeKey: number,
  requestNumber: number,
  rule: number,
): Random {
  let state = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b);
  state = Math.imul(state ^ routeKey, 0xc2b2ae35);
  state = Math.imul(state ^ requestNumber, 0x27d4eb2f);
  state = Math.imul(state ^ rule, 0x165667b1);
  const random = seededRandom((state ^ (state >>> 15)) >>> 0);
  random(); // the first output of nearby states is correlated; start one step in
  return random;
}

/** z for the 99th percentile of a standard normal. */
const Z99 = 2.3263478740408408;

/**
 * A fixed delay, or one drawn from the log-normal with that median and 99th percentile: the
 * usual shape of a service's latency, with a long right tail. Capped at the 99th percentile's
 * tenfold, so a rare draw cannot outlive the client.
 */
export function delayMs(delay: Delay, random: Random, capMs: number): number {
  if ("fixedMs" in delay) return delay.fixedMs;
  const sigma = Math.log(delay.p99Ms / delay.p50Ms) / Z99;
  // Box-Muller; 1 - u keeps log() away from 0.
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Math.min(capMs, delay.p50Ms * Math.exp(sigma * normal));
}
