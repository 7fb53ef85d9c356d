// How checkout asks events for a user's lines, and the lessons about a slow or failing
// dependency.
//
// checkout-no-timeout: wait as long as events takes. When events is slow (events-slow), every
// /checkout is as slow, and under load the waits pile up in checkout too: one slow service
// makes its callers slow (cascading latency).
//
// checkout-retry-storm: when a call fails, try again at once, STORM_RETRIES times. A service
// that fails because it is overloaded then gets eleven calls for every page instead of one,
// which is how a short trouble becomes an outage.
//
// The fix, both switches off: a timeout, a circuit breaker (opossum, a maintained
// implementation of the pattern, rather than a hand-made one), and few retries spread out.
// A call that takes over CALL_TIMEOUT_MS fails; a failed call is retried at most FIX_RETRIES
// times, each after a random wait below a bound that doubles (backoff with full jitter, so
// callers that failed together do not come back together). Once half the calls of the last
// 10 s have failed (at least VOLUME_THRESHOLD of them), the circuit opens and checkout stops
// asking: every /checkout answers at once with a 503 that says events is failing and when to
// try again. After RESET_TIMEOUT_MS one call goes through (half open); when it succeeds, the
// circuit closes.
import { setTimeout as sleep } from "node:timers/promises";
import CircuitBreaker from "opossum";
import type { Checkout, User } from "../fest/types.js";
import { HttpError } from "../http-errors.js";
import type { Switches } from "../switches.js";
import type { InternalAnswer, ServiceClient } from "./internal.js";

/** What events answers checkout: the user, and the lines and total as the monolith sums them. */
export type CheckoutAnswer = { user: User } & Checkout;

/** Half of events-slow's delay (src/fest/routes.ts), and far above a healthy answer (a few ms). */
export const CALL_TIMEOUT_MS = 1_000;
/** Calls to see before the circuit may open: one slow answer alone must not open it. */
const VOLUME_THRESHOLD = 4;
/** How long an open circuit answers the fallback before it lets one call try events again. */
export const RESET_TIMEOUT_MS = 5_000;
/** checkout-retry-storm: retries after the first call, each at once. */
export const STORM_RETRIES = 10;
/** The fix: retries after the first call, each after a wait of up to 100 ms, then 200 ms. */
export const FIX_RETRIES = 2;
const BACKOFF_BASE_MS = 100;

type Call = () => Promise<InternalAnswer<CheckoutAnswer>>;

export class EventsCaller {
  private readonly breaker: CircuitBreaker<[string], InternalAnswer<CheckoutAnswer>>;

  constructor(
    private readonly events: ServiceClient,
    private readonly switches: Switches,
  ) {
    this.breaker = new CircuitBreaker(
      (path: string) => events.getJson<CheckoutAnswer>(path, CALL_TIMEOUT_MS),
      {
        // The call has its own timeout (ServiceClient's timer, which also ends the connection);
        // the breaker counts its failures rather than racing it with a second timer.
        timeout: false,
        errorThresholdPercentage: 50,
        volumeThreshold: VOLUME_THRESHOLD,
        resetTimeout: RESET_TIMEOUT_MS,
        // Whether to open needs only the window's counts of calls and failures. Left on,
        // opossum keeps every call's latency for 10 s and, each second (its snapshot) and at
        // every failure, joins and sorts them all for percentiles nobody reads: thousands of
        // numbers a second at a load test's rate, in the process every /checkout crosses.
        rollingPercentilesEnabled: false,
        enableSnapshots: false,
      },
    );
  }

  /** The user's lines and total from events; not found when events does not know the user. */
  checkout(username: string): Promise<InternalAnswer<CheckoutAnswer>> {
    const path = `/internal/checkout/${encodeURIComponent(username)}`;
    const timeout = this.switches.isOn("checkout-no-timeout") ? null : CALL_TIMEOUT_MS;
    // While a challenge runs, how many calls a /checkout made is an answer to find in /metrics.
    const tell = this.switches.hiddenBecause === undefined;
    if (this.switches.isOn("checkout-retry-storm")) {
      return withRetries(
        STORM_RETRIES,
        () => 0,
        () => this.events.getJson(path, timeout),
        tell,
      );
    }
    if (timeout === null)
      return withRetries(
        0,
        () => 0,
        () => this.events.getJson(path, null),
        tell,
      );
    return withRetries(
      FIX_RETRIES,
      (retry) => Math.random() * BACKOFF_BASE_MS * 2 ** retry,
      () => this.throughBreaker(path),
      tell,
    );
  }

  private async throughBreaker(path: string): Promise<InternalAnswer<CheckoutAnswer>> {
    try {
      return await this.breaker.fire(path);
    } catch (error) {
      if (CircuitBreaker.isOurError(error as Error)) {
        throw new HttpError(
          503,
          `checkout cannot total your registrations right now: the events service kept failing, so checkout stopped asking it (circuit open); try again in ${RESET_TIMEOUT_MS / 1000} s`,
          { service: "events", circuit: "open" },
          { "retry-after": String(RESET_TIMEOUT_MS / 1000) },
        );
      }
      throw error;
    }
  }
}

/**
 * Calls, and calls again after a failure that another try may mend (events down: 502, or too
 * slow: 504), up to `retries` more times, waiting waitMs(retry) before each. The error that
 * ends it says how many calls were made (when `tell`), so the answer shows the storm or its
 * absence.
 */
async function withRetries(
  retries: number,
  waitMs: (retry: number) => number,
  call: Call,
  tell: boolean,
): Promise<InternalAnswer<CheckoutAnswer>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const again = error instanceof HttpError && (error.status === 502 || error.status === 504);
      if (!again || attempt > retries) {
        if (!(error instanceof HttpError)) throw error;
        if (!tell) throw error;
        throw new HttpError(
          error.status,
          attempt === 1 ? error.message : `${error.message} (${attempt} calls)`,
          { ...error.details, attempts: attempt },
          error.headers,
        );
      }
      const wait = waitMs(attempt - 1);
      if (wait > 0) await sleep(wait);
    }
  }
}
