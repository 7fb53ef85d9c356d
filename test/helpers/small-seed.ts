// The tests' data size, apart from the helpers that start servers, so test/global-setup.ts can
// seed it once without loading them.
import type { SeedSize } from "../../src/database.js";

/** Small enough to seed in milliseconds, big enough that every page has rows. */
export const SMALL_SEED: SeedSize = { events: 12, users: 30, registrations: 150, movies: 400 };

/** Whether `size` is the small seed (by value: a test may spread a copy of it). */
export function isSmallSeed(size: SeedSize): boolean {
  return JSON.stringify(size) === JSON.stringify(SMALL_SEED);
}
