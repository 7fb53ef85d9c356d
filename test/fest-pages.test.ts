// The seed lab's requests and every fest page, as HTML and as JSON, on the healthy server.
// (The seed lab's GET /health is checked with the other bench routes, in bench-endpoints.)

import BetterSqlite3 from "better-sqlite3";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers/server.js";

let server: TestServer;
const json = { Accept: "application/json" };

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

function demoRows() {
  const db = new BetterSqlite3(server.dbPath, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT e.id, e.price_rupees AS price FROM registrations r JOIN events e ON e.id = r.event_id
         JOIN users u ON u.id = r.user_id WHERE u.username = 'locust_user'`,
      )
      .all() as { id: number; price: number }[];
  } finally {
    db.close();
  }
}

describe("the seed lab's requests", () => {
  it("GET /checkout answers for the demo user with Total Payable and a rupee total", async () => {
    const res = await request(server.url).get("/checkout");
    expect(res.status).toBe(200);
    expect(res.type).toBe("text/html");
    const total = demoRows().reduce((sum, row) => sum + row.price, 0);
    expect(res.text).toContain(`Total Payable ₹ ${total.toLocaleString("en-IN")}`);
    expect(res.text).toContain("locust_user");
  });

  it("GET /events?user=locust_user lists every event and marks the ones the user holds", async () => {
    const res = await request(server.url).get("/events?user=locust_user");
    expect(res.status).toBe(200);
    expect(res.text.match(/data-event-id=/g)).toHaveLength(12);
    expect(res.text.match(/✓ registered/g)).toHaveLength(demoRows().length);
  });

  it("GET /my-events?user=locust_user lists that user's registrations", async () => {
    const res = await request(server.url).get("/my-events?user=locust_user");
    expect(res.status).toBe(200);
    expect(res.text).toContain("My events");
    expect(res.text.match(/data-event-id=/g)).toHaveLength(demoRows().length);
  });
});

describe("the same pages as JSON", () => {
  it("checkout lines add up to the total", async () => {
    const res = await request(server.url).get("/checkout").set(json);
    expect(res.status).toBe(200);
    expect(res.body.user).toBe("locust_user");
    const sum = res.body.lines.reduce(
      (s: number, l: { priceRupees: number }) => s + l.priceRupees,
      0,
    );
    expect(res.body.totalRupees).toBe(sum);
    expect(res.body.lines).toHaveLength(demoRows().length);
  });

  it("events carry seats and the registered mark", async () => {
    const res = await request(server.url).get("/events?user=locust_user").set(json);
    expect(res.status).toBe(200);
    expect(res.body.events).toHaveLength(12);
    const held = new Set(demoRows().map((r) => r.id));
    for (const event of res.body.events) {
      expect(event.registered).toBe(held.has(event.id));
      expect(event.seatsLeft).toBe(event.capacity - event.seatsTaken);
    }
  });

  it("events without a user are listed with nothing marked", async () => {
    const res = await request(server.url).get("/events").set(json);
    expect(res.status).toBe(200);
    expect(res.body.user).toBeNull();
    expect(res.body.events.some((e: { registered: boolean }) => e.registered)).toBe(false);
  });

  it("my events names the user it shows", async () => {
    const res = await request(server.url).get("/my-events?user=locust_user").set(json);
    expect(res.body).toMatchObject({ user: "locust_user", via: "query" });
    expect(res.body.registrations).toHaveLength(demoRows().length);
  });
});

describe("pages a person uses", () => {
  it("home names the stack, the mode and every switch", async () => {
    const res = await request(server.url).get("/");
    expect(res.status).toBe(200);
    expect(res.text).toContain("Fest Monolith · Express · SQLite · Locust");
    expect(res.text).toContain("Mode: <strong>optimized</strong>");
    expect(res.text).toContain("checkout-crash-process");
  });

  it("the sign-up and log-in pages have their forms", async () => {
    const signup = await request(server.url).get("/signup");
    expect(signup.text).toContain('action="/signup"');
    const login = await request(server.url).get("/login");
    expect(login.text).toContain('action="/login"');
  });

  it("every page links the one stylesheet, which the browser may keep for an hour", async () => {
    for (const path of ["/", "/events", "/checkout", "/login", "/no-such-page"]) {
      const page = await request(server.url).get(path);
      expect(page.text, path).toContain('<link rel="stylesheet" href="/layout.css">');
      expect(page.text, path).not.toContain("<style>");
    }
    const css = await request(server.url).get("/layout.css");
    expect(css.status).toBe(200);
    expect(css.type).toBe("text/css");
    expect(css.headers["cache-control"]).toBe("max-age=3600");
    expect(css.text).toMatch(/header \{\s+background: #283593;/);
  });

  it("an unknown page is a 404 in the asked format", async () => {
    const html = await request(server.url).get("/nope");
    expect(html.status).toBe(404);
    expect(html.text).toContain("no page at GET /nope");
    const asJson = await request(server.url).get("/nope").set(json);
    expect(asJson.status).toBe(404);
    expect(asJson.body.error).toBe("no page at GET /nope");
  });

  it("every request gets one access-log line in uvicorn's shape with its time", async () => {
    await request(server.url).get("/checkout?user=locust_user");
    expect(
      server.logs.some((l) =>
        /^INFO: {5}127\.0\.0\.1:\d+ - "GET \/checkout\?user=locust_user HTTP\/1\.1" 200 \d+\.\dms$/.test(
          l.trim(),
        ),
      ),
    ).toBe(true);
  });
});
