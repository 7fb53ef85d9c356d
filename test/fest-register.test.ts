// Registering: one row however often it is asked, never past capacity, clear 404s; only for
// the logged-in user, and never from another site.
import BetterSqlite3 from "better-sqlite3";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENERATED_USER_PASSWORD } from "../src/fest/seed.js";
import { serverForTests, startTestServer, type TestServer } from "./helpers/server.js";

let server: TestServer;
const json = { Accept: "application/json" };

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

function query<T>(sql: string, ...params: unknown[]): T {
  const db = new BetterSqlite3(server.dbPath, { readonly: true });
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

/** A browser logged in as a generated user: its cookie goes with every request. */
async function loggedIn(username: string) {
  const agent = request.agent(server.url);
  await agent
    .post("/login")
    .set(json)
    .send({ username, password: GENERATED_USER_PASSWORD })
    .expect(200);
  return agent;
}

function totalRegistrations(): number {
  return query<{ n: number }>("SELECT COUNT(*) AS n FROM registrations").n;
}

async function freeEventFor(username: string): Promise<number> {
  const res = await request(server.url).get(`/events?user=${username}`).set(json);
  const event = res.body.events.find(
    (e: { registered: boolean; seatsLeft: number }) => !e.registered && e.seatsLeft > 0,
  );
  return event.id;
}

describe("registering for an event", () => {
  it("a JSON registration creates one row and takes one seat", async () => {
    const eventId = await freeEventFor("user0001");
    const before = seatsTaken(eventId);
    const user = await loggedIn("user0001");
    const res = await user.post(`/events/${eventId}/register`).set(json);
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
    const user = await loggedIn("user0002");
    await user.post(`/events/${eventId}/register`).set(json);
    const seats = seatsTaken(eventId);
    const again = await user.post(`/events/${eventId}/register`).set(json);
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    expect(registrationCount("user0002", eventId)).toBe(1);
    expect(seatsTaken(eventId)).toBe(seats);
  });

  it("concurrent repeats of one registration still keep one row", async () => {
    const eventId = await freeEventFor("user0003");
    const user = await loggedIn("user0003");
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => user.post(`/events/${eventId}/register`).set(json)),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(9);
    expect(registrationCount("user0003", eventId)).toBe(1);
  });

  it("a form post registers and sends the browser on to my events", async () => {
    const eventId = await freeEventFor("user0004");
    const user = await loggedIn("user0004");
    const res = await user.post(`/events/${eventId}/register`).type("form").send("");
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/my-events");
    expect(registrationCount("user0004", eventId)).toBe(1);
  });

  it("an event's capacity is never exceeded, even by a crowd at once", async () => {
    const db = new BetterSqlite3(server.dbPath);
    const eventId = (
      db.prepare("SELECT id FROM events ORDER BY id DESC LIMIT 1").get() as { id: number }
    ).id;
    // Leave exactly three seats free.
    db.prepare("UPDATE events SET capacity = seats_taken + 3 WHERE id = ?").run(eventId);
    db.close();
    const names = Array.from({ length: 10 }, (_, i) => `user${String(i + 10).padStart(4, "0")}`);
    const users = await Promise.all(names.map(loggedIn));
    const answers = await Promise.all(
      users.map((user) => user.post(`/events/${eventId}/register`).set(json)),
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
    const before = totalRegistrations();
    const user = await loggedIn("user0005");
    const res = await user.post("/events/999999/register").set(json);
    expect(res.status).toBe(404);
    expect(res.body.error).toBe("event 999999 not found");
    expect(totalRegistrations()).toBe(before);
  });

  it("registering with no user named and no session is a 401", async () => {
    const res = await request(server.url).post("/events/1/register").set(json);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/log in/);
  });
});

describe("registering needs a signed-in user and a request from this site", () => {
  it("the issue's cross-site request, ?user= and no cookie, is a 403 that writes nothing", async () => {
    const eventId = await freeEventFor("user0006");
    const before = totalRegistrations();
    const res = await request(server.url)
      .post(`/events/${eventId}/register?user=user0006`)
      .set("Origin", "http://evil.example")
      .set("Sec-Fetch-Site", "cross-site")
      .type("form")
      .send("");
    expect(res.status).toBe(403);
    expect(res.text).toContain("from another site");
    expect(registrationCount("user0006", eventId)).toBe(0);
    expect(totalRegistrations()).toBe(before);
  });

  it("?user= without a session is a 401 that says to log in, in JSON or by form, and writes nothing", async () => {
    const eventId = await freeEventFor("user0007");
    const before = totalRegistrations();
    const asJson = await request(server.url)
      .post(`/events/${eventId}/register?user=user0007`)
      .set(json);
    expect(asJson.status).toBe(401);
    expect(asJson.body.error).toContain("/login?user=user0007");
    expect(asJson.body.error).toContain("QUERY_USER_WRITES=1");
    const byForm = await request(server.url)
      .post(`/events/${eventId}/register?user=user0007`)
      .type("form")
      .send("");
    expect(byForm.status).toBe(401);
    expect(totalRegistrations()).toBe(before);
  });

  it("a logged-in register from the site's own page still works", async () => {
    const eventId = await freeEventFor("user0008");
    const user = await loggedIn("user0008");
    const res = await user
      .post(`/events/${eventId}/register`)
      .set("Origin", server.url)
      .set("Sec-Fetch-Site", "same-origin")
      .type("form")
      .send("");
    expect(res.status).toBe(303);
    expect(registrationCount("user0008", eventId)).toBe(1);
  });

  it("a logged-in user's cookie sent from another site writes nothing", async () => {
    const eventId = await freeEventFor("user0009");
    const user = await loggedIn("user0009");
    for (const [header, value] of [
      ["Origin", "http://evil.example"],
      ["Origin", "null"],
      ["Sec-Fetch-Site", "same-site"],
    ] as const) {
      const res = await user.post(`/events/${eventId}/register`).set(json).set(header, value);
      expect(res.status, `${header}: ${value}`).toBe(403);
      expect(res.body.error).toContain(`${header} is "${value}"`);
    }
    expect(registrationCount("user0009", eventId)).toBe(0);
  });

  it("a session cannot register someone else named by ?user=", async () => {
    const eventId = await freeEventFor("user0020");
    const before = totalRegistrations();
    const user = await loggedIn("user0021");
    const res = await user.post(`/events/${eventId}/register?user=user0020`).set(json);
    expect(res.status).toBe(403);
    expect(res.body.error).toContain("user0021");
    expect(registrationCount("user0020", eventId)).toBe(0);
    expect(totalRegistrations()).toBe(before);
  });

  it("a page shown through ?user= offers a log-in as that user instead of a register form", async () => {
    const page = await request(server.url).get("/events?user=user0022");
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('action="/events/');
    expect(page.text).toContain('href="/login?user=user0022"');
    expect(page.text).toContain("Log in as user0022 to register");
    const login = await request(server.url).get("/login?user=user0022");
    expect(login.text).toContain('value="user0022"');
    const user = await loggedIn("user0022");
    const own = await user.get("/events");
    expect(own.text).toMatch(/<form method="post" action="\/events\/\d+\/register">/);
  });
});

describe("QUERY_USER_WRITES=1, for load tests that write without logging in", () => {
  const open = serverForTests({ QUERY_USER_WRITES: "1" });

  it("says at start that ?user= can write", () => {
    expect(open().logs).toContainEqual(expect.stringMatching(/^WARN: +QUERY_USER_WRITES is on/));
    expect(server.logs.some((line) => line.includes("QUERY_USER_WRITES is on"))).toBe(false);
  });

  it("lets ?user= register, and still refuses another site", async () => {
    const list = await request(open().url).get("/events?user=user0001").set(json);
    const eventId = list.body.events.find(
      (e: { registered: boolean; seatsLeft: number }) => !e.registered && e.seatsLeft > 0,
    ).id;
    const crossSite = await request(open().url)
      .post(`/events/${eventId}/register?user=user0001`)
      .set(json)
      .set("Sec-Fetch-Site", "cross-site");
    expect(crossSite.status).toBe(403);
    const res = await request(open().url)
      .post(`/events/${eventId}/register?user=user0001`)
      .set(json);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ created: true, user: "user0001" });
    const form = await request(open().url)
      .post(`/events/${eventId}/register?user=user0001`)
      .type("form")
      .send("");
    expect(form.headers.location).toBe("/my-events?user=user0001");
    const page = await request(open().url).get("/events?user=user0002");
    expect(page.text).toMatch(/action="\/events\/\d+\/register\?user=user0002"/);
  });

  it("an unknown user is a 404 that names the user", async () => {
    const res = await request(open().url).post("/events/1/register?user=nobody_here").set(json);
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('user "nobody_here" not found');
  });
});
