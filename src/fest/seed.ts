// The deterministic data generator: fixed seed, fixed clock, so every machine holds the same rows.
import type { Database } from "better-sqlite3";
import { pick, randomInt, seededRandom } from "../random.js";
import { hashPasswordSync } from "./passwords.js";

export interface FestSize {
  events: number;
  users: number;
  registrations: number;
}

/** The default size: /events?user=locust_user is about 20 KB, and the slow twins are clearly slow. */
export const DEFAULT_FEST_SIZE: FestSize = {
  events: 80,
  users: 2000,
  registrations: 60_000,
};

export const DEMO_USER = { username: "locust_user", password: "locust-pass", registrations: 8 };
/** Every generated user (user0001 …) shares this password, hashed once: 2,000 scrypt hashes would slow the first start by a minute. */
export const GENERATED_USER_PASSWORD = "fest-pass";

const SEED = 20_261_125;
const CLOCK = Date.UTC(2026, 10, 1, 9, 0, 0);

const TOPICS = [
  "Robotics",
  "Hackathon",
  "Battle of Bands",
  "Quiz",
  "Dance",
  "Drama",
  "Debate",
  "Photography",
  "Startup Pitch",
  "Chess",
  "Coding Relay",
  "Stand-up",
  "Film",
  "Poetry Slam",
  "Gaming",
  "Treasure Hunt",
  "Fashion Show",
  "Mural Painting",
  "Cloud Workshop",
  "AI Talk",
];
const KINDS = [
  "Finals",
  "Open Round",
  "Workshop",
  "Showcase",
  "Night",
  "Marathon",
  "Meetup",
  "League",
];
const VENUES = [
  "Main Auditorium",
  "Open Air Theatre",
  "Seminar Hall 2",
  "CS Lab 4",
  "Library Lawn",
  "Sports Complex",
  "Mechanical Block",
  "Cafeteria Stage",
  "Innovation Hub",
  "Hostel Quad",
];
const FIRST = [
  "Aarav",
  "Diya",
  "Ishaan",
  "Meera",
  "Kabir",
  "Anaya",
  "Rohan",
  "Saanvi",
  "Vihaan",
  "Zara",
  "Arjun",
  "Kiara",
  "Dev",
  "Myra",
  "Aditya",
  "Tara",
];
const LAST = ["Sharma", "Iyer", "Khan", "Patel", "Reddy", "Nair", "Singh", "Das", "Menon", "Gupta"];

export function seedDatabase(db: Database, size: FestSize = DEFAULT_FEST_SIZE): void {
  const random = seededRandom(SEED);
  const at = (minutes: number) => new Date(CLOCK + minutes * 60_000).toISOString();
  const generatedHash = hashPasswordSync(GENERATED_USER_PASSWORD, saltFrom(random));
  const demoHash = hashPasswordSync(DEMO_USER.password, saltFrom(random));

  const insertEvent = db.prepare(
    "INSERT INTO events (id, title, venue, starts_at, price_rupees, capacity) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const insertUser = db.prepare(
    "INSERT INTO users (id, username, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
  );
  const insertRegistration = db.prepare(
    "INSERT INTO registrations (user_id, event_id, registered_at) VALUES (?, ?, ?)",
  );

  db.transaction(() => {
    for (const table of ["registrations", "events", "users", "meta"])
      db.exec(`DELETE FROM ${table}`);

    const capacity: number[] = [0];
    for (let id = 1; id <= size.events; id++) {
      capacity[id] = randomInt(random, 7, 16) * 100;
      const title = `${pick(random, TOPICS)} ${pick(random, KINDS)} ${id}`;
      const startsAt = at(60 * 24 * 30 + randomInt(random, 0, 60 * 24 * 60));
      const price = randomInt(random, 0, 30) * 50;
      insertEvent.run(id, title, pick(random, VENUES), startsAt, price, capacity[id]);
    }

    // The demo user is id 1 so its rows come first; generated users follow.
    insertUser.run(1, DEMO_USER.username, "Locust Demo User", demoHash, at(0));
    for (let id = 2; id <= size.users + 1; id++) {
      const name = `${pick(random, FIRST)} ${pick(random, LAST)}`;
      insertUser.run(id, `user${String(id - 1).padStart(4, "0")}`, name, generatedHash, at(id));
    }

    const taken = new Array<number>(size.events + 1).fill(0);
    const held = new Set<string>();
    const register = (userId: number, eventId: number, minute: number) => {
      const key = `${userId}:${eventId}`;
      if (held.has(key) || (taken[eventId] ?? 0) >= (capacity[eventId] ?? 0)) return false;
      held.add(key);
      taken[eventId] = (taken[eventId] ?? 0) + 1;
      insertRegistration.run(userId, eventId, at(minute));
      return true;
    };

    let made = 0;
    for (let n = 0; made < Math.min(DEMO_USER.registrations, size.events); n++) {
      if (register(1, randomInt(random, 1, size.events), 100 + n)) made++;
    }
    // Bounded: a size that asks for more rows than capacities allow stops instead of looping.
    const wanted = Math.max(0, size.registrations - made);
    for (
      let tries = 0;
      made < wanted + Math.min(DEMO_USER.registrations, size.events) && tries < wanted * 20;
      tries++
    ) {
      const userId = randomInt(random, 2, size.users + 1);
      if (register(userId, randomInt(random, 1, size.events), 200 + tries)) made++;
    }

    const setTaken = db.prepare("UPDATE events SET seats_taken = ? WHERE id = ?");
    for (let id = 1; id <= size.events; id++) setTaken.run(taken[id], id);
    db.prepare("INSERT INTO meta (key, value) VALUES ('seed', ?)").run(JSON.stringify(size));
  })();
}

function saltFrom(random: () => number): Buffer {
  return Buffer.from(Array.from({ length: 16 }, () => Math.floor(random() * 256)));
}
