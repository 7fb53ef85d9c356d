// /checkout and its three switches: the crash inside the request, the crash that takes the
// whole process down, and the total summed in an application loop.
import type { Request } from "express";
import { SwitchedOnCrash } from "../http-errors.js";
import type { Switches } from "../switches.js";
import type { Checkout, FestReads, User } from "./types.js";

/**
 * Where the lines and the total come from: the monolith reads its own database (the slow
 * twin when checkout-slow-loop is on); the services topology's checkout asks events over HTTP.
 */
export type CheckoutSource = () => Checkout | Promise<Checkout>;

/** The monolith's source: its own tables, through the twin checkout-slow-loop picks. */
export function checkoutFromDatabase(
  user: User,
  reads: { optimized: FestReads; naive: FestReads },
  switches: Switches,
): CheckoutSource {
  return () =>
    (switches.isOn("checkout-slow-loop") ? reads.naive : reads.optimized).checkout(user.id);
}

export async function checkoutFor(
  req: Request,
  user: User,
  source: CheckoutSource,
  switches: Switches,
): Promise<Checkout> {
  if (switches.isOn("checkout-crash-process")) {
    // Thrown on a later tick, outside Express's try/catch: nothing catches it, the process
    // exits and this request never gets an answer. One buggy feature takes every route down
    // (in the services topology, every route of the checkout service: the others stay up).
    const hidden = switches.hiddenBecause;
    setImmediate(() => {
      throw new SwitchedOnCrash(
        "checkout-crash-process",
        `${named("checkout-crash-process", hidden)}unhandled error while computing the total for ${user.username} (${req.originalUrl})`,
        hidden,
      );
    });
    return new Promise<never>(() => {});
  }
  const checkout = await source();
  if (switches.isOn("checkout-crash")) {
    // The seed lab's bug: a per-item average divided by a count that is zero (Python's 1/0).
    // JavaScript would return Infinity, so the bug throws what Python would.
    throw new SwitchedOnCrash(
      "checkout-crash",
      `${named("checkout-crash", switches.hiddenBecause)}ZeroDivisionError: division by zero while computing the discount`,
      switches.hiddenBecause,
    );
  }
  return checkout;
}

/** The message's "switch: " prefix, left out while a challenge hides which switch is on. */
function named(bug: string, hiddenBecause: string | undefined): string {
  return hiddenBecause === undefined ? `${bug}: ` : "";
}
