// How checkout asks events for a user's lines, and the lesson about a slow dependency.
//
// checkout-no-timeout: wait as long as events takes. When events is slow (events-slow), every
// /checkout is as slow, and under load the waits pile up in checkout too: one slow service
// makes its callers slow (cascading latency).
//
// The fix: a timeout, and a circuit breaker (opossum, a maintained implementation of the
// pattern, rather than a hand-made one). A call that takes over CALL_TIMEOUT_MS fails; once
// half the calls of the last 10 s have failed (at least VOLUME_THRESHOLD of them), the circuit
// opens and checkout stops asking: every /checkout answers at once with a 503 that says events
// is failing and when to try again, instead of holding the client for a call bound to fail.
// After RESET_TIMEOUT_MS one call goes through (half open); when it succeeds, the circuit closes.
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

export class EventsCaller {
  private readonly breaker: CircuitBreaker<[string], InternalAnswer<CheckoutAnswer>>;

  constructor(
    private readonly events: ServiceClient,
    private readonly switches: Switches,
  ) {
    this.breaker = new CircuitBreaker(
      (path: string) => events.getJson<CheckoutAnswer>(path, CALL_TIMEOUT_MS),
      {
        // The call has its own timeout (fetch's signal, which also ends the connection); the
        // breaker counts its failures rather than racing it with a second timer.
        timeout: false,
        errorThresholdPercentage: 50,
        volumeThreshold: VOLUME_THRESHOLD,
        resetTimeout: RESET_TIMEOUT_MS,
      },
    );
  }

  /** The user's lines and total from events; not found when events does not know the user. */
  async checkout(username: string): Promise<InternalAnswer<CheckoutAnswer>> {
    const path = `/internal/checkout/${encodeURIComponent(username)}`;
    if (this.switches.isOn("checkout-no-timeout")) return this.events.getJson(path, null);
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
