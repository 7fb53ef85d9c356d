// Every fest parameter is checked: a bad one gets a 4xx that names it, in the asked format,
// with no stack trace, and nothing stored changes.
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

function counts(): string {
  const db = new BetterSqlite3(server.dbPath, { readonly: true });
  try {
    return JSON.stringify(
      db
        .prepare(
          "SELECT (SELECT COUNT(*) FROM users) u, (SELECT COUNT(*) FROM registrations) r, (SELECT SUM(seats_taken) FROM events) s",
        )
        .get(),
    );
  } finally {
    db.close();
  }
}

const badUsers = ["a", "x".repeat(41), "has space", "semi;colon", "<b>", ""];

describe("bad ?user=", () => {
  for (const path of ["/events", "/my-events", "/checkout"]) {
    for (const user of badUsers) {
      it(`${path}?user=${JSON.stringify(user)} is a 400 naming user`, async () => {
        const res = await request(server.url).get(path).query({ user }).set(json);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({
          parameter: "user",
          allowed: expect.stringContaining("letters, digits"),
        });
      });
    }
    it(`${path} with user given twice is a 400 naming user`, async () => {
      const res = await request(server.url).get(`${path}?user=locust_user&user=user0001`).set(json);
      expect(res.status).toBe(400);
      expect(res.body.parameter).toBe("user");
    });
    it(`${path} for an unknown user is a 404 naming the user`, async () => {
      const res = await request(server.url).get(`${path}?user=ghost_user`).set(json);
      expect(res.status).toBe(404);
      expect(res.body.error).toBe('user "ghost_user" not found');
    });
  }

  it("the HTML answer names the parameter too, with no stack trace", async () => {
    const res = await request(server.url).get("/events?user=%3Cb%3E");
    expect(res.status).toBe(400);
    expect(res.type).toBe("text/html");
    expect(res.text).toContain("user: 3 to 40 characters");
    expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
  });
});

describe("bad event id", () => {
  for (const id of ["0", "-1", "abc", "1.5", "99999999999", "1e3"]) {
    it(`POST /events/${id}/register is a 400 naming id`, async () => {
      const before = counts();
      const res = await request(server.url)
        .post(`/events/${id}/register?user=locust_user`)
        .set(json);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        parameter: "id",
        allowed: "a whole number from 1 to 2147483647",
      });
      expect(counts()).toBe(before);
    });
  }
});

describe("bad sign-up and log-in bodies", () => {
  const cases: [string, object, string][] = [
    ["no username", { password: "long-enough" }, "username"],
    ["short username", { username: "ab", password: "long-enough" }, "username"],
    ["username not a string", { username: 12345, password: "long-enough" }, "username"],
    ["no password", { username: "valid_name" }, "password"],
    ["short password", { username: "valid_name", password: "short" }, "password"],
    ["long password", { username: "valid_name", password: "p".repeat(201) }, "password"],
  ];
  for (const path of ["/signup", "/login"]) {
    for (const [name, body, parameter] of cases) {
      it(`${path} with ${name} is a 400 naming ${parameter}`, async () => {
        const before = counts();
        const res = await request(server.url).post(path).set(json).send(body);
        expect(res.status).toBe(400);
        expect(res.body.parameter).toBe(parameter);
        expect(counts()).toBe(before);
      });
    }
  }

  it("a body that is not JSON is a 400 naming the body", async () => {
    const res = await request(server.url)
      .post("/signup")
      .set(json)
      .set("Content-Type", "application/json")
      .send("{nope");
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ parameter: "body", error: "body: not valid JSON" });
  });

  it("a body over 16 KB is a 413", async () => {
    const res = await request(server.url)
      .post("/signup")
      .set(json)
      .send({ username: "big_body", password: "x".repeat(20_000) });
    expect(res.status).toBe(413);
    expect(res.body.parameter).toBe("body");
  });
});
