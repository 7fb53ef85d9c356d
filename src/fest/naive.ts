// The slow twins of queries.ts, each named after the switch that turns it on. They
// return exactly what the optimized versions return; only the way there differs.
// Each is slow for the reason in its name and no other: no sleeps.
import type { Database } from "better-sqlite3";
import {
  type Checkout,
  type CheckoutLine,
  type EventListing,
  type EventRow,
  type MyRegistration,
  type RegistrationRow,
  toListing,
  type User,
} from "./types.js";

const byStartThenId = (a: { startsAt: string; id: number }, b: { startsAt: string; id: number }) =>
  a.startsAt < b.startsAt ? -1 : a.startsAt > b.startsAt ? 1 : a.id - b.id;

// events-slow-loop: for every event, scan every registration (O(events × registrations))
// to count its seats and to see whether this user holds one.
export function listEventsNaive(db: Database, userId: number | null): EventListing[] {
  const events = db.prepare("SELECT * FROM events ORDER BY starts_at, id").all() as EventRow[];
  const registrations = db.prepare("SELECT * FROM registrations").all() as RegistrationRow[];
  return events.map((event) => {
    let seatsTaken = 0;
    let registered = false;
    for (const registration of registrations) {
      if (registration.event_id !== event.id) continue;
      seatsTaken++;
      if (registration.user_id === userId) registered = true;
    }
    return toListing(event, seatsTaken, registered);
  });
}

// my-events-slow-loop: walk every registration and ask the database, one query per row,
// whose it is (the N+1 an ORM's lazy `registration.user` makes), then one more per event.
export function myEventsNaive(db: Database, user: User): MyRegistration[] {
  const registrations = db.prepare("SELECT * FROM registrations").all() as RegistrationRow[];
  const ownerOf = db.prepare("SELECT username FROM users WHERE id = ?");
  const eventById = db.prepare("SELECT * FROM events WHERE id = ?");
  const mine: (MyRegistration & { id: number })[] = [];
  for (const registration of registrations) {
    const owner = ownerOf.get(registration.user_id) as { username: string };
    if (owner.username !== user.username) continue;
    const event = eventById.get(registration.event_id) as EventRow;
    mine.push({
      id: event.id,
      eventId: event.id,
      title: event.title,
      venue: event.venue,
      startsAt: event.starts_at,
      priceRupees: event.price_rupees,
      registeredAt: registration.registered_at,
    });
  }
  return mine.sort(byStartThenId).map(({ id: _id, ...line }) => line);
}

// checkout-slow-loop: fetch every registration with its event and sum in an application
// loop, keeping this user's rows, instead of letting SQL select and SUM them.
export function checkoutNaive(db: Database, userId: number): Checkout {
  const rows = db
    .prepare(
      `SELECT r.user_id, e.id, e.title, e.starts_at, e.price_rupees
       FROM registrations r JOIN events e ON e.id = r.event_id`,
    )
    .all() as {
    user_id: number;
    id: number;
    title: string;
    starts_at: string;
    price_rupees: number;
  }[];
  const lines: (CheckoutLine & { id: number })[] = [];
  let totalRupees = 0;
  for (const row of rows) {
    if (row.user_id !== userId) continue;
    totalRupees += row.price_rupees;
    lines.push({
      id: row.id,
      eventId: row.id,
      title: row.title,
      startsAt: row.starts_at,
      priceRupees: row.price_rupees,
    });
  }
  return { lines: lines.sort(byStartThenId).map(({ id: _id, ...line }) => line), totalRupees };
}
