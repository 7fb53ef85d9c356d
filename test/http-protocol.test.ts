// HTTP itself, answered as it says: HEAD wherever GET works, limits quoted as they are, a
// bad %-escape named as the path, two Host headers refused, a slow-header client dropped.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VERSION } from "../src/version.js";
import { ADMIN, putSwitch } from "./helpers/admin-api.js";
import { openRaw } from "./helpers/raw-http.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

const json = { Accept: "application/json" };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ LOG_LEVEL: "warn" });
});
afterAll(() => server.stop());

describe("HEAD", () => {
  it("HEAD /health answers 200 with GET's headers and no body", async () => {
    const raw = await openRaw(server.url);
    raw.socket.write("HEAD /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    const text = await raw.closed(5_000);
    const [head, body] = text.split("\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(head).toMatch(/content-type: application\/json/i);
    const getBody = JSON.stringify({ status: "ok", version: VERSION });
    expect(head).toMatch(new RegExp(`content-length: ${Buffer.byteLength(getBody)}`, "i"));
    expect(head).toMatch(new RegExp(`x-fest-lab-version: ${VERSION}`, "i"));
    expect(body).toBe("");
  });

  it("HEAD answers wherever GET does: pages, JSON and bench routes", async () => {
    for (const path of ["/events?user=locust_user", "/io?ms=0", "/metrics", "/admin/switches"]) {
      const get = await request(server.url).get(path).set(ADMIN);
      const head = await request(server.url).head(path).set(ADMIN);
      expect(head.status, path).toBe(get.status);
      expect(head.status, path).toBe(200);
      expect(head.headers["content-type"], path).toBe(get.headers["content-type"]);
      expect(head.text ?? "", path).toBe("");
    }
  });
});

describe("limits quoted as they are", () => {
  it("an admin body over its 4 KB limit is refused quoting 4 KB", async () => {
    const res = await putSwitch(server.url, "cpu-inline")
      .set("Content-Type", "application/json")
      .send(JSON.stringify({ on: false, pad: "x".repeat(5 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.body.error).toBe("body: larger than allowed (4 KB)");
    expect(res.body.parameter).toBe("body");
  });

  it("a fest body over its 16 KB limit is refused quoting 16 KB", async () => {
    const res = await request(server.url)
      .post("/login")
      .set(json)
      .set("Content-Type", "application/json")
      .send(JSON.stringify({ username: "x", pad: "x".repeat(17 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.body.error).toBe("body: larger than allowed (16 KB)");
  });
});

describe("a bad %-escape in the path", () => {
  it("gets 400 naming the path, not the body", async () => {
    const res = await request(server.url).post("/events/%ZZ/register?user=locust_user").set(json);
    expect(res.status).toBe(400);
    expect(res.body.parameter).toBe("path");
    expect(res.body.error).toContain("invalid %-escape");
  });

  it("as an HTML page for a browser", async () => {
    const res = await request(server.url)
      .post("/events/%ZZ/register?user=locust_user")
      .set("Accept", "text/html");
    expect(res.status).toBe(400);
    expect(res.text).toContain("invalid %-escape");
  });
});

describe("the Host header", () => {
  it("two Host headers get 400 and the connection is closed", async () => {
    const raw = await openRaw(server.url);
    raw.socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n");
    const text = await raw.closed(5_000);
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text).toMatch(/connection: close/i);
    expect(text).toContain('"parameter":"Host"');
    // A refused /health still names its build: the fast /health's refusals write it themselves.
    expect(text).toMatch(new RegExp(`x-fest-lab-version: ${VERSION}`, "i"));
  });

  it("one Host header, in any case, is served", async () => {
    const raw = await openRaw(server.url);
    raw.socket.write("GET /health HTTP/1.1\r\nhOsT: 127.0.0.1\r\nConnection: close\r\n\r\n");
    expect(await raw.closed(5_000)).toMatch(/^HTTP\/1\.1 200 /);
  });
});

describe("a slow-header client", () => {
  it("is dropped once the headers timeout runs out", async () => {
    const quick = await startTestServer({ LOG_LEVEL: "warn", HEADER_TIMEOUT_MS: "300" });
    try {
      const raw = await openRaw(quick.url);
      raw.socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      // Bounded well above 300 ms plus one check interval; never an exact time.
      const text = await raw.closed(5_000);
      expect(text === "" || text.startsWith("HTTP/1.1 408")).toBe(true);
    } finally {
      await quick.stop();
    }
  });

  it("the default headers timeout is about 10 s and the request timeout longer than /io", () => {
    expect(server.http.headersTimeout).toBe(10_000);
    expect(server.http.requestTimeout).toBeGreaterThan(10_000);
  });
});
