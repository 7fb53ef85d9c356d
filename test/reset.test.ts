// POST /admin/reset: the seeded data back, the truth from zero, no faults, the switches as
// started, requests in flight finished first; guarded like the rest of the admin API.
import BetterSqlite3 from "better-sqlite3";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_USER } from "../src/fest/seed.js";
import { ADMIN } from "./helpers/admin-api.js";
import { waitFor } from "./helpers/process.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

const json = { Accept: "application/json" };

let server: TestServer;
beforeAll(async () => {
  // One switch on at start, so "back to the start" differs from "all off".
  server = await startTestServer({ LOG_LEVEL: "warn", BUGS: "events-slow-loop" });
});
afterAll(() => server.stop());

function counts() {
  const db = new BetterSqlite3(server.dbPath, { readonly: true });
  try {
    const count = (table: string) =>
      (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    const seats = db.prepare("SELECT SUM(seats_taken) AS n FROM events").get() as { n: number };
    return {
      users: count("users"),
      events: count("events"),
      registrations: count("registrations"),
      seats: seats.n,
    };
  } finally {
    db.close();
  }
}

async function demoRegistrations(): Promise<number[]> {
  const res = await request(server.url).get("/my-events?user=locust_user").set(json).expect(200);
  return res.body.registrations.map((r: { eventId: number }) => r.eventId);
}

/** Signs a new user up and registers them, and the demo user, for a free event each. */
async function changeTheData(newUser: string): Promise<void> {
  for (const [username, password, signUp] of [
    [newUser, "new-user-pass", true],
    [DEMO_USER.username, DEMO_USER.password, false],
  ] as const) {
    const agent = request.agent(server.url);
    if (signUp) await agent.post("/signup").set(json).send({ username, password }).expect(201);
    else await agent.post("/login").set(json).send({ username, password }).expect(200);
    const events = await agent.get(`/events?user=${username}`).set(json).expect(200);
    const free = events.body.events.find(
      (e: { registered: boolean; seatsLeft: number }) => !e.registered && e.seatsLeft > 0,
    );
    await agent.post(`/events/${free.id}/register`).set(json).expect(201);
  }
}

const reset = () => request(server.url).post("/admin/reset").set(ADMIN).expect(200);

describe("POST /admin/reset", () => {
  it("puts the seeded users, events and registrations back, the demo user's included", async () => {
    const seeded = counts();
    const demoSeeded = await demoRegistrations();
    expect(demoSeeded).toHaveLength(DEMO_USER.registrations);
    await changeTheData("reset_newcomer");
    expect(await demoRegistrations()).toHaveLength(DEMO_USER.registrations + 1);
    expect(counts().users).toBe(seeded.users + 1);
    expect(counts().registrations).toBe(seeded.registrations + 2);

    const { body } = await reset();
    expect(body.fest).toEqual({
      events: seeded.events,
      users: seeded.users,
      registrations: seeded.registrations,
    });
    expect(body.tookMs).toBeGreaterThanOrEqual(0);
    expect(counts()).toEqual(seeded);
    expect(await demoRegistrations()).toEqual(demoSeeded);
    // The sign-up is gone: its name is free again.
    await request(server.url)
      .post("/signup")
      .set(json)
      .send({ username: "reset_newcomer", password: "new-user-pass" })
      .expect(201);
    await reset();
  });

  it("clears the truth and the faults, and sets the switches back to the start", async () => {
    const admin = request(server.url);
    await admin.put("/admin/switches/events-slow-loop").set(ADMIN).send({ on: false }).expect(200);
    await admin.put("/admin/switches/checkout-crash").set(ADMIN).send({ on: true }).expect(200);
    await admin
      .put("/admin/faults")
      .set(ADMIN)
      .send({ faults: "error:503@50%:/events" })
      .expect(200);
    await admin.get("/health").expect(200);

    const { body } = await reset();
    expect(body.switches).toEqual({
      on: ["events-slow-loop"],
      turnedOn: ["events-slow-loop"],
      turnedOff: ["checkout-crash"],
    });
    expect(body.faults).toEqual({ was: "error:503@50%:/events", now: "" });
    expect(server.switches.enabled()).toEqual(["events-slow-loop"]);
    expect(server.faults.text).toBe("");
    const truth = await admin.get("/admin/truth").set(ADMIN).expect(200);
    const routes = truth.body.routes.map((r: { method: string; route: string }) => r.route);
    expect(routes).not.toContain("/health");
    expect(routes).not.toContain("/admin/faults");
    expect(server.logs.some((line) => line.includes("reset by admin api"))).toBe(true);
  });

  it("gives identical counts to two identical request sequences after a reset", async () => {
    const sequence = async () => {
      await reset();
      await changeTheData("same_each_time"); // a second sign-up of this name is a 409 without the reset
      await request(server.url).get("/checkout");
      await request(server.url).get("/events/99999/register");
      await request(server.url)
        .post("/predict")
        .send({ pixels: Array.from({ length: 784 }, (_, i) => i % 256) });
      const { body } = await request(server.url).get("/admin/truth").set(ADMIN).expect(200);
      return body.routes.map(
        (r: { method: string; route: string; requests: number; statuses: object }) => ({
          method: r.method,
          route: r.route,
          requests: r.requests,
          statuses: r.statuses,
        }),
      );
    };
    const first = await sequence();
    expect(first.length).toBeGreaterThan(4);
    expect(await sequence()).toEqual(first);
    await reset();
  });

  it("lets a request in flight finish first, and counts it before the reset", async () => {
    const order: string[] = [];
    const slow = fetch(`${server.url}/io?ms=300`).then((res) => {
      order.push(`io ${res.status}`);
    });
    await waitFor(async () => server.metrics.inFlight >= 1, 5_000, "the /io request in flight");
    const { body } = await request(server.url).post("/admin/reset").set(ADMIN).expect(200);
    order.push("reset");
    await slow;
    expect(order).toEqual(["io 200", "reset"]);
    expect(body.stillInFlight).toBe(0);
    const truth = await request(server.url).get("/admin/truth").set(ADMIN).expect(200);
    expect(truth.body.routes.map((r: { route: string }) => r.route)).not.toContain("/io");
  });

  it("answers the page's form by going back to the page, which shows the last reset", async () => {
    const res = await request(server.url)
      .post("/admin/reset")
      .set(ADMIN)
      .type("form")
      .send("")
      .expect(303);
    expect(res.headers.location).toBe("/admin#reset");
    const page = await request(server.url).get("/admin").set(ADMIN).expect(200);
    expect(page.text).toContain('action="/admin/reset"');
    expect(page.text).toMatch(/Last reset .* by admin page from/);
  });

  it("is guarded like the admin API: no credential, 401; another site, 403 with it", async () => {
    await request(server.url).post("/admin/reset").set("Host", "evil.example").expect(401);
    await request(server.url)
      .post("/admin/reset")
      .set(ADMIN)
      .set("Origin", "http://evil.example")
      .expect(403);
  });
});
