// The data: the same rows on every machine, the demo user with registrations, and the
// default size that makes /events about 20 KB.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import request from "supertest";
import { afterAll, describe, expect, it } from "vitest";
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

  it("the default size has the demo user with registrations, within every capacity", () => {
    const { db, seeded } = openDatabase(join(dir, "default.db"));
    expect(seeded).toBe(true);
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    expect(count("SELECT COUNT(*) AS n FROM events")).toBe(DEFAULT_SEED_SIZE.events);
    expect(count("SELECT COUNT(*) AS n FROM registrations")).toBe(DEFAULT_SEED_SIZE.registrations);
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
    db.close();
    expect(openDatabase(join(dir, "default.db")).seeded).toBe(false);
    // The default size includes 50,000 movies and their lists: seconds, more on a busy machine.
  }, 120_000);

  it("at the default size /events?user=locust_user is a page of about 20 KB", async () => {
    // The fest data at its default size; a small catalogue, which this page does not show.
    const server = await startTestServer({}, { ...DEFAULT_SEED_SIZE, movies: 300 });
    try {
      const res = await request(server.url).get("/events?user=locust_user");
      expect(res.status).toBe(200);
      expect(res.text.length).toBeGreaterThan(15_000);
      expect(res.text.length).toBeLessThan(28_000);
    } finally {
      await server.stop();
    }
  }, 120_000);
});
