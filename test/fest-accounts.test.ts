// Creating an account, logging in and out: hashed passwords and a signed, HttpOnly cookie.
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

function storedHash(username: string): string | undefined {
  const db = new BetterSqlite3(server.dbPath, { readonly: true });
  try {
    return (
      db.prepare("SELECT password_hash FROM users WHERE username = ?").get(username) as
        | { password_hash: string }
        | undefined
    )?.password_hash;
  } finally {
    db.close();
  }
}

describe("accounts", () => {
  it("signing up stores a salted scrypt hash, never the password, and logs the user in", async () => {
    const agent = request.agent(server.url);
    const res = await agent
      .post("/signup")
      .set(json)
      .send({ username: "asha_k", password: "s3cret-pass" });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ user: "asha_k", via: "session" });
    const hash = storedHash("asha_k");
    expect(hash).toMatch(/^scrypt\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(hash).not.toContain("s3cret-pass");
    const cookie = String(res.headers["set-cookie"]);
    expect(cookie).toMatch(/fest_session=s%3A/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const mine = await agent.get("/my-events").set(json);
    expect(mine.body).toMatchObject({ user: "asha_k", via: "session", registrations: [] });
  });

  it("two accounts with one password get different salts", async () => {
    await request(server.url)
      .post("/signup")
      .set(json)
      .send({ username: "twin_a", password: "same-password" });
    await request(server.url)
      .post("/signup")
      .set(json)
      .send({ username: "twin_b", password: "same-password" });
    expect(storedHash("twin_a")).not.toBe(storedHash("twin_b"));
  });

  it("a taken username is a 409 and keeps the first account", async () => {
    await request(server.url)
      .post("/signup")
      .set(json)
      .send({ username: "dup_user", password: "first-pass" });
    const before = storedHash("dup_user");
    const res = await request(server.url)
      .post("/signup")
      .set(json)
      .send({ username: "dup_user", password: "second-pass" });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatch(/taken/);
    expect(storedHash("dup_user")).toBe(before);
  });

  it("the demo user logs in with the password the README gives, by form", async () => {
    const agent = request.agent(server.url);
    const res = await agent
      .post("/login")
      .type("form")
      .send("username=locust_user&password=locust-pass");
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/events");
    const events = await agent.get("/events");
    expect(events.text).toContain("Logged in as <strong>locust_user</strong>");
    expect(events.text).toContain("Log out");
  });

  it("a wrong password is a 401 and sets no cookie", async () => {
    const res = await request(server.url)
      .post("/login")
      .set(json)
      .send({ username: "locust_user", password: "wrong-password" });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("username or password is wrong");
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  it("logging out ends the session", async () => {
    const agent = request.agent(server.url);
    await agent.post("/login").set(json).send({ username: "locust_user", password: "locust-pass" });
    const out = await agent.post("/logout");
    expect(out.status).toBe(303);
    const after = await agent.post("/events/1/register").set(json);
    expect(after.status).toBe(401);
  });

  it("a tampered session cookie is ignored", async () => {
    const res = await request(server.url)
      .post("/events/1/register")
      .set(json)
      .set("Cookie", "fest_session=s%3Alocust_user.forged-signature");
    expect(res.status).toBe(401);
  });

  it("signing up, logging in and out from another site are 403s that change nothing", async () => {
    const evil = { Origin: "http://evil.example", "Sec-Fetch-Site": "cross-site" };
    const signup = await request(server.url)
      .post("/signup")
      .set(json)
      .set(evil)
      .send({ username: "forged_acct", password: "forged-pass" });
    expect(signup.status).toBe(403);
    expect(signup.body.error).toContain("POST /signup is refused from another site");
    expect(storedHash("forged_acct")).toBeUndefined();

    const login = await request(server.url)
      .post("/login")
      .type("form")
      .set({ "Sec-Fetch-Site": "cross-site" })
      .send("username=locust_user&password=locust-pass");
    expect(login.status).toBe(403);
    expect(login.headers["set-cookie"]).toBeUndefined();

    const agent = request.agent(server.url);
    await agent.post("/login").set(json).send({ username: "locust_user", password: "locust-pass" });
    const logout = await agent.post("/logout").set(json).set("Origin", "null");
    expect(logout.status).toBe(403);
    expect(logout.headers["set-cookie"]).toBeUndefined();
    const still = await agent.get("/my-events").set(json);
    expect(still.body.via).toBe("session");
  });

  it("the same requests from the site itself pass", async () => {
    const agent = request.agent(server.url);
    const own = { Origin: server.url, "Sec-Fetch-Site": "same-origin" };
    await agent
      .post("/signup")
      .set(json)
      .set(own)
      .send({ username: "own_site", password: "own-site-pass" })
      .expect(201);
    await agent.post("/logout").set(own).expect(303);
  });

  it("templates escape what they print", async () => {
    const db = new BetterSqlite3(server.dbPath);
    db.prepare("UPDATE events SET title = ? WHERE id = 2").run('<script>alert("x")</script>');
    db.close();
    const res = await request(server.url).get("/events");
    expect(res.status).toBe(200);
    expect(res.text).not.toContain("<script>");
    expect(res.text).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  });
});
