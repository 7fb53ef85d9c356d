// The data: the same rows on every machine, the demo user with registrations, and the
// default size that makes /events about 20 KB.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MOVIE_COUNT, generateMovies } from "../src/catalogue/seed.js";
import { DEFAULT_SEED_SIZE, openDatabase } from "../src/database.js";
import { startTestServer } from "./helpers/server.js";

const dir = mkdtempSync(join(tmpdir(), "fest-lab-seed-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fingerprint(db: Database): string {
  const hash = createHash("sha256");
  for (const table of ["users", "events", "registrations"]) {
    for (const row of db.prepare(`SELECT * FROM ${table} ORDER BY id`).iterate())
      hash.update(JSON.stringify(row));
  }
  return hash.digest("hex");
}

describe("seed data", () => {
  it("two databases seeded apart hold the same rows", () => {
    const size = { events: 20, users: 50, registrations: 400, movies: 300 };
    const a = openDatabase(join(dir, "a.db"), size).db;
    const b = openDatabase(join(dir, "b.db"), size).db;
    expect(fingerprint(a)).toBe(fingerprint(b));
    a.close();
    b.close();
  });
});

describe("the default size", () => {
  // The fest's rows at their default size, seeded once for both tests, beside a small
  // catalogue: the fest draws from its own seed whatever the movies (src/fest/seed.ts), and
  // neither test looks at them. The 50,000 movies' similar-movie lists would cost seconds here;
  // catalogue-seed.test.ts holds the lists to the full scan, and the last test the default
  // count's movies.
  const path = join(dir, "default.db");
  let seeded: boolean | undefined;
  beforeAll(() => {
    const opened = openDatabase(path, { ...DEFAULT_SEED_SIZE, movies: 300 });
    seeded = opened.seeded;
    opened.db.close();
  }, 60_000);

  it("has the demo user with registrations, within every capacity", () => {
    expect(seeded).toBe(true);
    const { db, seeded: again } = openDatabase(path);
    expect(again).toBe(false);
    try {
      const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
      expect(count("SELECT COUNT(*) AS n FROM events")).toBe(DEFAULT_SEED_SIZE.events);
      expect(count("SELECT COUNT(*) AS n FROM registrations")).toBe(
        DEFAULT_SEED_SIZE.registrations,
      );
      expect(
        count(
          "SELECT COUNT(*) AS n FROM registrations r JOIN users u ON u.id = r.user_id WHERE u.username = 'locust_user'",
        ),
      ).toBe(8);
      expect(
        count(
          "SELECT COUNT(*) AS n FROM events e WHERE seats_taken != (SELECT COUNT(*) FROM registrations WHERE event_id = e.id) OR seats_taken > capacity",
        ),
      ).toBe(0);
    } finally {
      db.close();
    }
  });

  it("makes /events?user=locust_user a page of about 20 KB", async () => {
    const server = await startTestServer({ DB_PATH: path });
    try {
      const res = await request(server.url).get("/events?user=locust_user");
      expect(res.status).toBe(200);
      expect(res.text.length).toBeGreaterThan(15_000);
      expect(res.text.length).toBeLessThan(28_000);
    } finally {
      await server.stop();
    }
  });

  it("of the catalogue is 50,000 movies, each id and each title of a year once", () => {
    const movies = generateMovies(DEFAULT_MOVIE_COUNT);
    expect(movies).toHaveLength(50_000);
    expect(new Set(movies.map((movie) => movie.id)).size).toBe(movies.length);
    expect(new Set(movies.map((movie) => `${movie.title.toLowerCase()}|${movie.year}`)).size).toBe(
      movies.length,
    );
  });
});
