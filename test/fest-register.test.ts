// Registering: one row however often it is asked, never past capacity, clear 404s.
import BetterSqlite3 from "better-sqlite3";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestLab, type TestLab } from "./helpers/lab.js";

let lab: TestLab;
const json = { Accept: "application/json" };

beforeAll(async () => {
  lab = await startTestLab();
});
afterAll(() => lab.stop());

function query<T>(sql: string, ...params: unknown[]): T {
  const db = new BetterSqlite3(lab.dbPath, { readonly: true });
  try {
    return db.prepare(sql).get(...params) as T;
  } finally {
    db.close();
  }
}

function registrationCount(username: string, eventId: number): number {
  return query<{ n: number }>(
    "SELECT COUNT(*) AS n FROM registrations r JOIN users u ON u.id = r.user_id WHERE u.username = ? AND r.event_id = ?",
    username,
    eventId,
  ).n;
}

function seatsTaken(eventId: number): number {
  return query<{ seats_taken: number }>("SELECT seats_taken FROM events WHERE id = ?", eventId)
    .seats_taken;
}

async function freeEventFor(username: string): Promise<number> {
  const res = await request(lab.url).get(`/events?user=${username}`).set(json);
  const event = res.body.events.find(
    (e: { registered: boolean; seatsLeft: number }) => !e.registered && e.seatsLeft > 0,
  );
  return event.id;
}

describe("registering for an event", () => {
  it("a JSON registration creates one row and takes one seat", async () => {
    const eventId = await freeEventFor("user0001");
    const before = seatsTaken(eventId);
    const res = await request(lab.url).post(`/events/${eventId}/register?user=user0001`).set(json);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      created: true,
      user: "user0001",
      event: { id: eventId, registered: true },
    });
    expect(registrationCount("user0001", eventId)).toBe(1);
    expect(seatsTaken(eventId)).toBe(before + 1);
  });

  it("registering twice keeps one row and one seat", async () => {
    const eventId = await freeEventFor("user0002");
    await request(lab.url).post(`/events/${eventId}/register?user=user0002`).set(json);
    const seats = seatsTaken(eventId);
    const again = await request(lab.url)
      .post(`/events/${eventId}/register?user=user0002`)
      .set(json);
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    expect(registrationCount("user0002", eventId)).toBe(1);
    expect(seatsTaken(eventId)).toBe(seats);
  });

  it("concurrent repeats of one registration still keep one row", async () => {
    const eventId = await freeEventFor("user0003");
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        request(lab.url).post(`/events/${eventId}/register?user=user0003`).set(json),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(9);
    expect(registrationCount("user0003", eventId)).toBe(1);
  });

  it("a form post registers and sends the browser on to my events", async () => {
    const eventId = await freeEventFor("user0004");
    const res = await request(lab.url)
      .post(`/events/${eventId}/register?user=user0004`)
      .type("form")
      .send("");
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/my-events?user=user0004");
    expect(registrationCount("user0004", eventId)).toBe(1);
  });

  it("an event's capacity is never exceeded, even by a crowd at once", async () => {
    const db = new BetterSqlite3(lab.dbPath);
    const eventId = (
      db.prepare("SELECT id FROM events ORDER BY id DESC LIMIT 1").get() as { id: number }
    ).id;
    // Leave exactly three seats free.
    db.prepare("UPDATE events SET capacity = seats_taken + 3 WHERE id = ?").run(eventId);
    db.close();
    const users = Array.from({ length: 10 }, (_, i) => `user${String(i + 10).padStart(4, "0")}`);
    const answers = await Promise.all(
      users.map((u) => request(lab.url).post(`/events/${eventId}/register?user=${u}`).set(json)),
    );
    const created = answers.filter((a) => a.status === 201).length;
    const full = answers.filter((a) => a.status === 409);
    const already = answers.filter((a) => a.status === 200).length;
    expect(created + already + full.length).toBe(10);
    expect(created).toBeLessThanOrEqual(3);
    expect(full[0]?.body.error).toMatch(/is full/);
    const row = query<{ capacity: number; seats_taken: number; n: number }>(
      "SELECT capacity, seats_taken, (SELECT COUNT(*) FROM registrations WHERE event_id = e.id) AS n FROM events e WHERE id = ?",
      eventId,
    );
    expect(row.seats_taken).toBe(row.capacity);
    expect(row.n).toBe(row.capacity);
  });

  it("an unknown event is a 404 that says so, and stores nothing", async () => {
    const before = query<{ n: number }>("SELECT COUNT(*) AS n FROM registrations").n;
    const res = await request(lab.url).post("/events/999999/register?user=user0005").set(json);
    expect(res.status).toBe(404);
    expect(res.body.error).toBe("event 999999 not found");
    expect(query<{ n: number }>("SELECT COUNT(*) AS n FROM registrations").n).toBe(before);
  });

  it("an unknown user is a 404 that names the user", async () => {
    const res = await request(lab.url).post("/events/1/register?user=nobody_here").set(json);
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('user "nobody_here" not found');
  });

  it("registering with no user named and no session is a 401", async () => {
    const res = await request(lab.url).post("/events/1/register").set(json);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/log in/);
  });
});
