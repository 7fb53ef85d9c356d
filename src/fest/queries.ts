// The optimized fest queries: each page is one or two indexed statements, prepared once.
// Their slow twins live in naive.ts, one per switch.
import type { Database, Statement } from "better-sqlite3";
import { Conflict, NotFound } from "../http-errors.js";
import { hashPassword } from "./passwords.js";
import {
  type Checkout,
  type CheckoutLine,
  type EventListing,
  type EventRow,
  type FestReads,
  type MyRegistration,
  toListing,
  type User,
} from "./types.js";

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  password_hash: string;
}

export interface RegisterResult {
  created: boolean;
  event: EventListing;
}

export class FestQueries implements FestReads {
  private readonly userByName: Statement<[string], UserRow>;
  private readonly insertUser: Statement<[string, string, string, string]>;
  private readonly eventsForUser: Statement<[number], EventRow & { registered: number }>;
  private readonly myRegistrations: Statement<[number], MyRegistration>;
  private readonly checkoutLines: Statement<[number], CheckoutLine>;
  private readonly checkoutSum: Statement<[number], { total: number }>;
  private readonly eventById: Statement<[number], EventRow>;
  private readonly registrationOf: Statement<[number, number], { id: number }>;
  private readonly insertRegistration: Statement<[number, number, string]>;
  private readonly takeSeat: Statement<[number]>;

  // Private: routes ask for what a page needs, never for the database handle itself.
  constructor(private readonly db: Database) {
    this.userByName = db.prepare("SELECT * FROM users WHERE username = ?");
    this.insertUser = db.prepare(
      "INSERT INTO users (username, display_name, password_hash, created_at) VALUES (?, ?, ?, ?)",
    );
    // events-slow-loop's fix: the count is read from the event row, and the LEFT JOIN
    // touches only this user's rows through the (user_id, event_id) index.
    this.eventsForUser = db.prepare(`
      SELECT e.*, r.id IS NOT NULL AS registered
      FROM events e LEFT JOIN registrations r ON r.event_id = e.id AND r.user_id = ?
      ORDER BY e.starts_at, e.id`);
    // my-events-slow-loop's fix: one JOIN from this user's rows to their events.
    this.myRegistrations = db.prepare(`
      SELECT e.id AS eventId, e.title, e.venue, e.starts_at AS startsAt,
             e.price_rupees AS priceRupees, r.registered_at AS registeredAt
      FROM registrations r JOIN events e ON e.id = r.event_id
      WHERE r.user_id = ?
      ORDER BY e.starts_at, e.id`);
    // checkout-slow-loop's fix: the database selects the user's rows and sums them.
    this.checkoutLines = db.prepare(`
      SELECT e.id AS eventId, e.title, e.starts_at AS startsAt, e.price_rupees AS priceRupees
      FROM registrations r JOIN events e ON e.id = r.event_id
      WHERE r.user_id = ?
      ORDER BY e.starts_at, e.id`);
    this.checkoutSum = db.prepare(`
      SELECT COALESCE(SUM(e.price_rupees), 0) AS total
      FROM registrations r JOIN events e ON e.id = r.event_id
      WHERE r.user_id = ?`);
    this.eventById = db.prepare("SELECT * FROM events WHERE id = ?");
    this.registrationOf = db.prepare(
      "SELECT id FROM registrations WHERE user_id = ? AND event_id = ?",
    );
    this.insertRegistration = db.prepare(
      "INSERT INTO registrations (user_id, event_id, registered_at) VALUES (?, ?, ?)",
    );
    this.takeSeat = db.prepare(
      "UPDATE events SET seats_taken = seats_taken + 1 WHERE id = ? AND seats_taken < capacity",
    );
  }

  findUser(username: string): (User & { passwordHash: string }) | undefined {
    const row = this.userByName.get(username);
    if (row === undefined) return undefined;
    return {
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      passwordHash: row.password_hash,
    };
  }

  async createUser(username: string, password: string): Promise<User> {
    const taken = () => new Conflict(`username "${username}" is taken: choose another`);
    if (this.userByName.get(username) !== undefined) throw taken();
    const passwordHash = await hashPassword(password);
    // Checked again after the hash: two sign-ups with one name may have raced while it ran.
    try {
      const result = this.insertUser.run(
        username,
        username,
        passwordHash,
        new Date().toISOString(),
      );
      return { id: Number(result.lastInsertRowid), username, displayName: username };
    } catch (error) {
      if ((error as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") throw taken();
      throw error;
    }
  }

  listEvents(userId: number | null): EventListing[] {
    return this.eventsForUser
      .all(userId ?? -1)
      .map((row) => toListing(row, row.seats_taken, row.registered === 1));
  }

  myEvents(user: User): MyRegistration[] {
    return this.myRegistrations.all(user.id);
  }

  checkout(userId: number): Checkout {
    const lines = this.checkoutLines.all(userId);
    const total = this.checkoutSum.get(userId)?.total ?? 0;
    return { lines, totalRupees: total };
  }

  /**
   * Registering twice keeps one row, and a full event refuses: the check and the write
   * happen in one IMMEDIATE transaction, so no two requests can take the last seat.
   */
  registerForEvent(userId: number, eventId: number): RegisterResult {
    return this.db
      .transaction((): RegisterResult => {
        const event = this.eventById.get(eventId);
        if (event === undefined) throw new NotFound(`event ${eventId} not found`);
        if (this.registrationOf.get(userId, eventId) !== undefined) {
          return { created: false, event: toListing(event, event.seats_taken, true) };
        }
        if (this.takeSeat.run(eventId).changes === 0) {
          throw new Conflict(`event ${eventId} is full: all ${event.capacity} seats are taken`);
        }
        this.insertRegistration.run(userId, eventId, new Date().toISOString());
        return { created: true, event: toListing(event, event.seats_taken + 1, true) };
      })
      .immediate();
  }
}
