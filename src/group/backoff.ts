// How long the supervisor waits before restarting a member (a worker, a service) that died.
// One that crashed after serving a while comes back at once: one bad request should cost
// milliseconds. One that keeps dying soon after it starts (a bug hit on every request, a
// broken database) waits longer each time, so a crash loop does not burn a core restarting it.

/** A member that lived at least this long before dying was healthy: its restart is immediate. */
export const HEALTHY_UPTIME_MS = 5_000;
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 4_000;

/** Deaths in a row, each within HEALTHY_UPTIME_MS of its start: 1 → 0 ms, 2 → 250, 3 → 500 ... 4 s. */
export function restartDelayMs(quickDeathsInARow: number): number {
  if (quickDeathsInARow <= 1) return 0;
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (quickDeathsInARow - 2));
}

/** The next count of quick deaths in a row, given how long the member that just died lived. */
export function nextQuickDeaths(previous: number, livedMs: number): number {
  return livedMs < HEALTHY_UPTIME_MS ? previous + 1 : 1;
}
