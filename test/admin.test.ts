// Live switches: the /admin page and its JSON API flip a behaviour for the next request,
// and only loopback clients, or clients with ADMIN_TOKEN, may use them.
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request as httpRequest, type RequestListener } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAdminHost, tokensMatch } from "../src/admin/guard.js";
import { MAX_WRONG, WINDOW_MS, WrongTokenLimiter } from "../src/admin/wrong-tokens.js";
import { isLoopback } from "../src/connection/loopback.js";
import { createLogger } from "../src/observe/log.js";
import { SWITCH_NAMES, SWITCHES } from "../src/switches.js";
import { flipSwitch, putSwitch } from "./helpers/admin-api.js";
import {
  serverForEachTest,
  serverForTests,
  startTestServer,
  type TestServer,
  withSwitch,
} from "./helpers/server.js";

const TOKEN = "s3cret-admin-token-for-tests";

describe("the switch API from this machine (no ADMIN_TOKEN)", () => {
  const server = serverForTests();

  it("GET /admin/switches lists every switch with its lab, description and state", async () => {
    const res = await withSwitch(server(), "io-blocking", true, () =>
      request(server().url).get("/admin/switches"),
    );
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/json/);
    expect(res.body.switches).toEqual(
      SWITCH_NAMES.map((name) => ({
        name,
        lab: SWITCHES[name].lab,
        description: SWITCHES[name].description,
        on: name === "io-blocking",
      })),
    );
  });

  it("PUT turns checkout-crash on for the next /checkout, and off again", async () => {
    const on = await flipSwitch(server().url, "checkout-crash", true).expect(200);
    expect(on.body).toMatchObject({ name: "checkout-crash", on: true });
    expect((await request(server().url).get("/checkout")).status).toBe(500);

    const off = await flipSwitch(server().url, "checkout-crash", false).expect(200);
    expect(off.body).toMatchObject({ name: "checkout-crash", on: false });
    const healed = await request(server().url).get("/checkout");
    expect(healed.status).toBe(200);
    expect(healed.text).toContain("Total Payable");
  });

  it("logs who flipped a switch, and from where", async () => {
    await flipSwitch(server().url, "events-slow-loop", true).expect(200);
    await flipSwitch(server().url, "events-slow-loop", false).expect(200);
    expect(server().logs).toContainEqual(
      expect.stringMatching(
        /^WARN: +switch events-slow-loop turned on by admin api from 127\.0\.0\.1/,
      ),
    );
    expect(server().logs).toContainEqual(
      expect.stringContaining("switch events-slow-loop turned off by admin api"),
    );
  });

  it("an unknown name is a 404 that names it and lists the known names, in JSON for curl", async () => {
    const res = await putSwitch(server().url, "checkout-crsh")
      .set("Accept", "*/*")
      .send({ on: true });
    expect(res.status).toBe(404);
    expect(res.body.error).toContain('"checkout-crsh"');
    expect(res.body.known).toEqual(SWITCH_NAMES);
    expect(res.body.error).toContain("checkout-crash-process");
  });

  it("a body without a boolean 'on' is a 400 naming 'on', and changes nothing", async () => {
    for (const body of [{ on: "yes" }, { on: 1 }, {}, { enabled: true }]) {
      const res = await putSwitch(server().url, "checkout-crash").send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.parameter).toBe("on");
      expect(res.body.allowed).toContain("true or false");
    }
    const notJson = await putSwitch(server().url, "checkout-crash").type("form").send("on=true");
    expect(notJson.status).toBe(400);
    expect(notJson.body.allowed).toContain("Content-Type: application/json");
    const broken = await putSwitch(server().url, "checkout-crash").type("json").send("{on: true");
    expect(broken.status).toBe(400);
    expect(server().switches.isOn("checkout-crash")).toBe(false);
  });

  it("the page lists every switch with its description and a button", async () => {
    const res = await request(server().url).get("/admin").expect(200);
    for (const name of SWITCH_NAMES) {
      expect(res.text).toContain(`<code>${name}</code>`);
      expect(res.text).toContain(`action="/admin/switches/${name}"`);
    }
    expect(res.text).toContain("recounts every registration for every event");
    expect(res.text).toContain("Turn on");
    expect(res.text).toContain(`curl ${server().url}/admin/switches`); // ready to copy
  });

  it("the page's form flips a switch and comes back to the page showing it on", async () => {
    const posted = await request(server().url)
      .post("/admin/switches/my-events-slow-loop")
      .type("form")
      .send("on=true");
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toBe("/admin");
    expect(server().switches.isOn("my-events-slow-loop")).toBe(true);
    const page = await request(server().url).get("/admin");
    expect(page.text).toMatch(
      /id="switch-my-events-slow-loop" class="on">[\s\S]*?<strong>on<\/strong>/,
    );
    expect(server().logs).toContainEqual(
      expect.stringContaining("switch my-events-slow-loop turned on by admin page from 127.0.0.1"),
    );
    await request(server().url)
      .post("/admin/switches/my-events-slow-loop")
      .type("form")
      .send("on=false");
    expect(server().switches.isOn("my-events-slow-loop")).toBe(false);
  });

  it("a form posted from another site changes nothing", async () => {
    const res = await request(server().url)
      .post("/admin/switches/checkout-crash")
      .set("Origin", "http://evil.example")
      .type("form")
      .send("on=true");
    expect(res.status).toBe(403);
    expect(server().switches.isOn("checkout-crash")).toBe(false);
  });
});

describe("a web page cannot reach the admin (no ADMIN_TOKEN)", () => {
  let server: TestServer;
  let port: string;
  beforeAll(async () => {
    server = await startTestServer();
    port = new URL(server.url).port;
  });
  afterAll(() => server.stop());

  it("the rebinding attack: a PUT for evil.example is a 403 naming Host and ADMIN_HOSTS, and the switch stays off", async () => {
    const res = await flipSwitch(server.url, "checkout-crash-process", true, {
      Host: `evil.example:${port}`,
      Origin: `http://evil.example:${port}`,
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toContain(`Host is "evil.example:${port}"`);
    expect(res.body.error).toContain("ADMIN_HOSTS=evil.example");
    expect(res.body.error).toContain("ADMIN_TOKEN");
    expect(server.switches.isOn("checkout-crash-process")).toBe(false);
    expect((await request(server.url).get("/checkout")).status).toBe(200);
  });

  it("the same attack through the page's form is a 403 too", async () => {
    const res = await request(server.url)
      .post("/admin/switches/checkout-crash-process")
      .set("Host", `evil.example:${port}`)
      .set("Origin", `http://evil.example:${port}`)
      .type("form")
      .send("on=true");
    expect(res.status).toBe(403);
    expect(res.text).toContain("ADMIN_HOSTS");
    expect(server.switches.isOn("checkout-crash-process")).toBe(false);
  });

  it("answers the loopback names, with any port and in any case", async () => {
    for (const host of ["localhost", "LocalHost:9999", "127.0.0.1", "127.1.2.3:80", "[::1]:8000"]) {
      const res = await request(server.url).get("/admin/switches").set("Host", host);
      expect(res.status, host).toBe(200);
    }
  });

  it("refuses every other name, the page and the login form included", async () => {
    for (const host of [
      "evil.example",
      "127.0.0.1.evil.example",
      "localhost.evil.example",
      "0.0.0.0:8000",
    ]) {
      const res = await request(server.url).get("/admin/switches").set("Host", host);
      expect(res.status, host).toBe(403);
      expect(res.body.error, host).toContain(`Host is "${host}"`);
    }
    const page = await request(server.url).get("/admin").set("Host", "evil.example");
    expect(page.status).toBe(403);
    const login = await request(server.url)
      .post("/admin/login")
      .set("Host", "evil.example")
      .type("form")
      .send("token=x");
    expect(login.status).toBe(403);
  });

  it("the JSON API refuses a request another site's page sent, naming the header", async () => {
    const cases: [Record<string, string>, string][] = [
      [{ Origin: "http://evil.example" }, 'Origin is "http://evil.example"'],
      [{ Origin: "null" }, 'Origin is "null"'],
      [{ "Sec-Fetch-Site": "cross-site" }, 'Sec-Fetch-Site is "cross-site"'],
      [{ "Sec-Fetch-Site": "same-site" }, 'Sec-Fetch-Site is "same-site"'],
    ];
    for (const [headers, says] of cases) {
      const res = await flipSwitch(server.url, "checkout-crash", true, headers);
      expect(res.status, says).toBe(403);
      expect(res.body.error, says).toContain(says);
    }
    const read = await request(server.url)
      .get("/admin/switches")
      .set("Sec-Fetch-Site", "cross-site");
    expect(read.status).toBe(403);
    expect(server.switches.isOn("checkout-crash")).toBe(false);
  });

  it("the admin page's own requests pass: same origin, or typed in the address bar", async () => {
    const own = await flipSwitch(server.url, "checkout-crash", true, {
      Origin: server.url,
      "Sec-Fetch-Site": "same-origin",
    });
    expect(own.status).toBe(200);
    await request(server.url)
      .post("/admin/switches/checkout-crash")
      .set("Origin", server.url.replace("127.0.0.1", "LOCALHOST"))
      .set("Host", `localhost:${port}`)
      .type("form")
      .send("on=false")
      .expect(303);
    expect(server.switches.isOn("checkout-crash")).toBe(false);
    await request(server.url).get("/admin").set("Sec-Fetch-Site", "none").expect(200);
  });
});

describe("ADMIN_HOSTS", () => {
  const server = serverForTests({ ADMIN_HOSTS: "fest.local, Lab-Box" });

  it("lets tokenless admin requests name the listed hosts, and still no other", async () => {
    for (const host of ["fest.local:8000", "FEST.LOCAL", "lab-box:80", "localhost"]) {
      expect(
        (await request(server().url).get("/admin/switches").set("Host", host)).status,
        host,
      ).toBe(200);
    }
    const other = await request(server().url).get("/admin/switches").set("Host", "other.local");
    expect(other.status).toBe(403);
    expect(other.body.error).toContain("fest.local, lab-box");
  });

  it("a host name check that knows loopback and the list", () => {
    expect(isAdminHost("fest.local:1", ["fest.local"])).toBe(true);
    expect(isAdminHost("fest.local.evil:1", ["fest.local"])).toBe(false);
    expect(isAdminHost("user@localhost", [])).toBe(false);
    expect(isAdminHost("localhost/x", [])).toBe(false);
    expect(isAdminHost(undefined, [])).toBe(false);
    expect(isAdminHost("[::1]", [])).toBe(true);
    expect(isAdminHost("[::2]", [])).toBe(false);
  });
});

describe("the switch API with ADMIN_TOKEN", () => {
  const server = serverForTests({ ADMIN_TOKEN: TOKEN });

  it("refuses a request without the token with 401 and a Bearer challenge, even from loopback", async () => {
    const res = await request(server().url).get("/admin/switches");
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer /);
    expect(res.body.error).toContain("Authorization: Bearer");
  });

  it("answers the right token", async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const list = await request(server().url).get("/admin/switches").set(auth);
    expect(list.status).toBe(200);
    expect(list.body.switches).toHaveLength(SWITCH_NAMES.length);
    await flipSwitch(server().url, "checkout-crash", true, auth).expect(200);
    expect((await request(server().url).get("/checkout")).status).toBe(500);
    await flipSwitch(server().url, "checkout-crash", false, auth).expect(200);
  });

  it("the page asks a browser for the token once, then works with its cookie", async () => {
    const browser = request.agent(server().url);
    const asked = await browser.get("/admin").set("Accept", "text/html");
    expect(asked.status).toBe(401);
    expect(asked.text).toContain('action="/admin/login"');

    const wrong = await browser.post("/admin/login").type("form").send("token=nope");
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain("not the token");

    const login = await browser.post("/admin/login").type("form").send({ token: TOKEN });
    expect(login.status).toBe(303);
    const cookie = String(login.headers["set-cookie"]);
    expect(cookie).toMatch(/fest_admin=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toContain(TOKEN);

    const page = await browser.get("/admin").expect(200);
    expect(page.text).toContain("<code>checkout-crash</code>");
    await browser.post("/admin/switches/io-blocking").type("form").send("on=true").expect(303);
    expect(server().switches.isOn("io-blocking")).toBe(true);
    await browser.post("/admin/switches/io-blocking").type("form").send("on=false").expect(303);

    await browser.post("/admin/logout").expect(303);
    expect((await browser.get("/admin")).status).toBe(401);
  });
});

describe("wrong admin tokens", () => {
  // A fresh server each: the wrong tries of one test must not lock out the next.
  const server = serverForEachTest({ ADMIN_TOKEN: TOKEN });

  it("refuses a wrong token with 401", async () => {
    for (const header of [`Bearer ${TOKEN}x`, "Bearer short", `Basic ${TOKEN}`, TOKEN]) {
      const res = await request(server().url).get("/admin/switches").set("Authorization", header);
      expect(res.status, header).toBe(401);
    }
    const put = await flipSwitch(server().url, "checkout-crash", true, {
      Authorization: "Bearer wrong",
    });
    expect(put.status).toBe(401);
    expect(server().switches.isOn("checkout-crash")).toBe(false);
  });

  it("after five wrong tokens in a minute every admin request from that client is a 429 with Retry-After, the right token too", async () => {
    for (let i = 0; i < MAX_WRONG; i++) {
      const res = await request(server().url)
        .get("/admin/switches")
        .set("Authorization", `Bearer guess-${i}`);
      expect(res.status, `guess ${i}`).toBe(401);
    }
    for (const auth of ["Bearer another-guess", `Bearer ${TOKEN}`]) {
      const res = await request(server().url).get("/admin/switches").set("Authorization", auth);
      expect(res.status, auth).toBe(429);
      const wait = Number(res.headers["retry-after"]);
      expect(Number.isInteger(wait) && wait >= 1 && wait <= 60, String(wait)).toBe(true);
      expect(res.body.error).toContain("too many wrong admin tokens");
    }
    const put = await flipSwitch(server().url, "checkout-crash", true, {
      Authorization: `Bearer ${TOKEN}`,
    });
    expect(put.status).toBe(429);
    expect(server().switches.isOn("checkout-crash")).toBe(false);
    const login = await request(server().url)
      .post("/admin/login")
      .type("form")
      .send({ token: TOKEN });
    expect(login.status).toBe(429);
    // Said once for the lockout, not once for every refused request.
    const said = server().logs.filter((line) => line.includes("wrong tokens from"));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^WARN: +admin: 5 wrong tokens from 127\.0\.0\.1 within 60 s/);
  });

  it("wrong tokens sent to the login form count too", async () => {
    for (let i = 0; i < MAX_WRONG; i++) {
      await request(server().url)
        .post("/admin/login")
        .type("form")
        .send(`token=guess${i}`)
        .expect(401);
    }
    const res = await request(server().url)
      .get("/admin/switches")
      .set("Authorization", `Bearer ${TOKEN}`);
    expect(res.status).toBe(429);
  });

  it("a request without any token is not a guess", async () => {
    for (let i = 0; i < MAX_WRONG + 2; i++) {
      await request(server().url).get("/admin/switches").expect(401);
    }
    await request(server().url)
      .get("/admin/switches")
      .set("Authorization", `Bearer ${TOKEN}`)
      .expect(200);
  });
});

describe("the wrong-token window", () => {
  function limiterAt(clock: { now: number }) {
    const lines: string[] = [];
    const limiter = new WrongTokenLimiter(
      createLogger("warn", (line) => lines.push(line)),
      () => clock.now,
    );
    return { limiter, lines };
  }

  it("frees a client when its oldest wrong try is a minute old, and locks it again on the next", () => {
    const clock = { now: 1_000_000 };
    const { limiter, lines } = limiterAt(clock);
    for (let i = 0; i < MAX_WRONG; i++) {
      expect(limiter.waitSeconds("192.0.2.1")).toBe(0);
      limiter.recordWrong("192.0.2.1");
      clock.now += 1_000;
    }
    // Tries at +0 s … +4 s; now +5 s: the first leaves the window at +60 s.
    expect(limiter.waitSeconds("192.0.2.1")).toBe(55);
    expect(limiter.waitSeconds("192.0.2.2")).toBe(0); // another client is not held up
    clock.now = 1_000_000 + WINDOW_MS - 1;
    expect(limiter.waitSeconds("192.0.2.1")).toBe(1);
    clock.now = 1_000_000 + WINDOW_MS;
    expect(limiter.waitSeconds("192.0.2.1")).toBe(0);
    limiter.recordWrong("192.0.2.1");
    expect(limiter.waitSeconds("192.0.2.1")).toBeGreaterThan(0);
    expect(lines).toHaveLength(2); // one line a lockout
  });
});

/**
 * The lab's own request handler, served on a Unix socket: such a client has no loopback
 * address, so the guard sees what it sees from another machine, and no traffic leaves
 * the loopback world (tests here never send to any other address).
 */
async function serveOnSocket(
  running: TestServer,
): Promise<{ get: Client; put: Client; close(): Promise<void> }> {
  const handler = running.http.listeners("request")[0] as RequestListener;
  const path = join(mkdtempSync(join(tmpdir(), "fest-admin-sock-")), "lab.sock");
  const server = createServer(handler).listen(path);
  await once(server, "listening");
  const send =
    (method: string): Client =>
    (url, headers = {}, body) =>
      new Promise((resolve, reject) => {
        const req = httpRequest(
          {
            socketPath: path,
            path: url,
            method,
            headers: { accept: "application/json", ...headers },
          },
          (res) => {
            let text = "";
            res.on("data", (chunk) => {
              text += chunk;
            });
            res.on("end", () =>
              resolve({ status: res.statusCode ?? 0, body: text === "" ? {} : JSON.parse(text) }),
            );
          },
        );
        req.on("error", reject);
        req.end(body);
      });
  return {
    get: send("GET"),
    put: send("PUT"),
    close: async () => {
      server.close();
      await once(server, "close");
      rmSync(dirname(path), { recursive: true, force: true });
    },
  };
}

type Client = (
  url: string,
  headers?: Record<string, string>,
  body?: string,
) => Promise<{ status: number; body: { error?: string; switches?: unknown[] } }>;

describe("a client that is not on loopback", () => {
  let open: TestServer;
  let withToken: TestServer;
  beforeAll(async () => {
    open = await startTestServer();
    withToken = await startTestServer({ ADMIN_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await open.stop();
    await withToken.stop();
  });

  it("is refused with 403 saying to set ADMIN_TOKEN, and may use the token when set", async () => {
    const remote = await serveOnSocket(open);
    try {
      const refused = await remote.get("/admin/switches");
      expect(refused.status).toBe(403);
      expect(refused.body.error).toContain("ADMIN_TOKEN");
      const put = await remote.put(
        "/admin/switches/checkout-crash",
        { "content-type": "application/json" },
        JSON.stringify({ on: true }),
      );
      expect(put.status).toBe(403);
      expect(open.switches.isOn("checkout-crash")).toBe(false);
      // The rest of the site is open to everyone.
      expect((await remote.get("/health")).status).toBe(200);
    } finally {
      await remote.close();
    }

    const tokenRemote = await serveOnSocket(withToken);
    try {
      expect((await tokenRemote.get("/admin/switches")).status).toBe(401);
      const allowed = await tokenRemote.get("/admin/switches", {
        authorization: `Bearer ${TOKEN}`,
      });
      expect(allowed.status).toBe(200);
      expect(allowed.body.switches).toHaveLength(SWITCH_NAMES.length);
    } finally {
      await tokenRemote.close();
    }
  });

  it("loopback means 127.0.0.0/8 and ::1, also written as IPv6", () => {
    for (const a of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "::FFFF:127.0.0.2"]) {
      expect(isLoopback(a), a).toBe(true);
    }
    for (const a of [
      "192.0.2.2",
      "10.127.0.1",
      "::ffff:10.0.0.1",
      "fe80::1",
      "128.0.0.1",
      "127.0.0.1.example",
      "",
      undefined,
    ]) {
      expect(isLoopback(a), String(a)).toBe(false);
    }
  });
});

describe("token comparison", () => {
  it("matches only the same token, whatever the lengths", () => {
    expect(tokensMatch(TOKEN, TOKEN)).toBe(true);
    expect(tokensMatch(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokensMatch("", TOKEN)).toBe(false);
    expect(tokensMatch(TOKEN.toUpperCase(), TOKEN)).toBe(false);
  });
});
