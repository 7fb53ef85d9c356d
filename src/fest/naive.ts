// The slow twins of queries.ts, each named after the switch that turns it on. NaiveQueries
// has FestQueries' signatures and returns exactly what it returns; only the way there
// differs. Each is slow for the reason in its name and no other: no sleeps, and the
// statements are prepared once, as the optimized ones are.
import type { Database, Statement } from "better-sqlite3";
import {
  type Checkout,
  type CheckoutLine,
  type EventListing,
  type EventRow,
  type FestReads,
  type MyRegistration,
  type RegistrationRow,
  toListing,
  type User,
} from "./types.js";

interface CheckoutRow {
  user_id: number;
  id: number;
  title: string;
  starts_at: string;
  price_rupees: number;
}

const byStartThenId = (a: { startsAt: string; id: number }, b: { startsAt: string; id: number }) =>
  a.startsAt < b.startsAt ? -1 : a.startsAt > b.startsAt ? 1 : a.id - b.id;

export class NaiveQueries implements FestReads {
  private readonly allEvents: Statement<[], EventRow>;
  private readonly allRegistrations: Statement<[], RegistrationRow>;
  private readonly ownerOf: Statement<[number], { username: string }>;
  private readonly eventById: Statement<[number], EventRow>;
  private readonly everyCheckoutRow: Statement<[], CheckoutRow>;

  constructor(db: Database) {
    this.allEvents = db.prepare("SELECT * FROM events ORDER BY starts_at, id");
    this.allRegistrations = db.prepare("SELECT * FROM registrations");
    this.ownerOf = db.prepare("SELECT username FROM users WHERE id = ?");
    this.eventById = db.prepare("SELECT * FROM events WHERE id = ?");
    this.everyCheckoutRow = db.prepare(
      `SELECT r.user_id, e.id, e.title, e.starts_at, e.price_rupees
       FROM registrations r JOIN events e ON e.id = r.event_id`,
    );
  }

  // events-slow-loop: for every event, scan every registration (O(events × registrations))
  // to count its seats and to see whether this user holds one.
  listEvents(userId: number | null): EventListing[] {
    const events = this.allEvents.all();
    const registrations = this.allRegistrations.all();
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
  myEvents(user: User): MyRegistration[] {
    const mine: (MyRegistration & { id: number })[] = [];
    for (const registration of this.allRegistrations.all()) {
      const owner = this.ownerOf.get(registration.user_id);
      if (owner?.username !== user.username) continue;
      const event = this.eventById.get(registration.event_id) as EventRow;
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
  checkout(userId: number): Checkout {
    const lines: (CheckoutLine & { id: number })[] = [];
    let totalRupees = 0;
    for (const row of this.everyCheckoutRow.all()) {
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
}
