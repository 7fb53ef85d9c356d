// Live switches: the /admin page and its JSON API flip a behaviour for the next request, and
// only a client that shows the admin credential may use them: ADMIN_TOKEN, or the token the
// server generated and keeps beside its data. Loopback alone never admits.

import { execFile } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type RequestListener } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokensMatch } from "../src/admin/guard.js";
import { adminRouter } from "../src/admin/routes.js";
import { MAX_WRONG, WINDOW_MS, WrongTokenLimiter } from "../src/admin/wrong-tokens.js";
import {
  AdminTokenFileError,
  adminTokenPath,
  resolveAdminCredential,
} from "../src/admin-credential.js";
import { createLogger } from "../src/observe/log.js";
import { projectRoot } from "../src/paths.js";
import { SWITCH_NAMES, SWITCHES } from "../src/switches.js";
import { ADMIN, adminHeader, flipSwitch, putSwitch } from "./helpers/admin-api.js";
import { seededDatabaseForTests } from "./helpers/process.js";
import {
  serverForEachTest,
  serverForTests,
  startTestServer,
  type TestServer,
  withSwitch,
} from "./helpers/server.js";

const TOKEN = "s3cret-admin-token-for-tests";
// The servers given a credential read the data only: one seeded database for all of them. The
// one that generates its token keeps a database (and its token file) of its own.
const DB_PATH = seededDatabaseForTests("fest-lab-admin-");

describe("the switch API, with the credential", () => {
  const server = serverForTests({ DB_PATH });

  it("GET /admin/switches lists every switch with its lab, description and state", async () => {
    const res = await withSwitch(server(), "io-blocking", true, () =>
      request(server().url).get("/admin/switches").set(ADMIN),
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
    const res = await request(server().url).get("/admin").set(ADMIN).expect(200);
    for (const name of SWITCH_NAMES) {
      expect(res.text).toContain(`<code>${name}</code>`);
      expect(res.text).toContain(`action="/admin/switches/${name}"`);
    }
    expect(res.text).toContain("recounts every registration for every event");
    expect(res.text).toContain("Turn on");
    expect(res.text).toContain(
      `Authorization: Bearer $ADMIN_TOKEN" ${server().url}/admin/switches`,
    ); // ready to copy
  });

  it("the page's form flips a switch and comes back to the page showing it on", async () => {
    const posted = await request(server().url)
      .post("/admin/switches/my-events-slow-loop")
      .set(ADMIN)
      .type("form")
      .send("on=true");
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toBe("/admin#switch-my-events-slow-loop");
    expect(server().switches.isOn("my-events-slow-loop")).toBe(true);
    const page = await request(server().url).get("/admin").set(ADMIN);
    expect(page.text).toMatch(
      /id="switch-my-events-slow-loop" class="on">[\s\S]*?<strong>on<\/strong>/,
    );
    expect(server().logs).toContainEqual(
      expect.stringContaining("switch my-events-slow-loop turned on by admin page from 127.0.0.1"),
    );
    await request(server().url)
      .post("/admin/switches/my-events-slow-loop")
      .set(ADMIN)
      .type("form")
      .send("on=false");
    expect(server().switches.isOn("my-events-slow-loop")).toBe(false);
  });

  it("a form posted from another site changes nothing, credential or not", async () => {
    const res = await request(server().url)
      .post("/admin/switches/checkout-crash")
      .set(ADMIN)
      .set("Origin", "http://evil.example")
      .type("form")
      .send("on=true");
    expect(res.status).toBe(403);
    expect(server().switches.isOn("checkout-crash")).toBe(false);
  });
});

/** Every route of the admin router (challenges included), read from the router itself. */
function adminRoutes(): { method: string; path: string }[] {
  type Layer = {
    route?: { path?: unknown; methods?: Record<string, boolean> };
    handle?: { stack?: Layer[] };
  };
  const router = adminRouter({
    adminToken: "unused",
    log: createLogger("error"),
    switches: { onChange: () => {} },
    faults: { onChange: () => {} },
  } as unknown as Parameters<typeof adminRouter>[0]) as unknown as { stack: Layer[] };
  const routes: { method: string; path: string }[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route !== undefined && typeof layer.route.path === "string") {
        for (const method of Object.keys(layer.route.methods ?? {})) {
          routes.push({ method: method.toUpperCase(), path: layer.route.path });
        }
      } else if (Array.isArray(layer.handle?.stack)) walk(layer.handle.stack);
    }
  };
  walk(router.stack);
  return routes;
}

describe("without the credential, no admin route answers, from loopback either", () => {
  let server: TestServer;
  let port: string;
  beforeAll(async () => {
    server = await startTestServer({ DB_PATH });
    port = new URL(server.url).port;
  });
  afterAll(() => server.stop());

  it("every route of the admin router refuses a request from 127.0.0.1 without the credential, and changes nothing", async () => {
    const routes = adminRoutes();
    // The router's own list, so a route added later is checked too; these must be among them.
    for (const expected of [
      "PUT /admin/switches/:name",
      "POST /admin/truth/reset",
      "POST /admin/reset",
      "PUT /admin/faults",
      "POST /admin/challenge/start",
      "POST /admin/challenge/stop",
    ]) {
      expect(routes.map((route) => `${route.method} ${route.path}`)).toContain(expected);
    }
    const before = await request(server.url).get("/admin/truth").set(ADMIN).expect(200);
    for (const { method, path } of routes) {
      const url = path.replace(":name", "checkout-crash");
      const send = request(server.url)
        [method.toLowerCase() as "get" | "put" | "post"](url)
        .set("Accept", "application/json");
      const res =
        method === "GET" ? await send : await send.send({ on: true, faults: "error:500@100%:*" });
      // The login form is how a browser shows the token: without one it asks again.
      expect(res.status, `${method} ${url}`).toBe(401);
    }
    expect(server.switches.enabled()).toEqual([]);
    expect(server.faults.text).toBe("");
    expect(server.challenges.state().running).toBeFalsy();
    const after = await request(server.url).get("/admin/truth").set(ADMIN).expect(200);
    expect(after.body.since).toBe(before.body.since); // the truth was not reset
  });

  it("the rebinding attack: a PUT for evil.example without the credential is refused, and the switch stays off", async () => {
    const res = await request(server.url)
      .put("/admin/switches/checkout-crash-process")
      .set("Host", `evil.example:${port}`)
      .send({ on: true });
    expect(res.status).toBe(401);
    expect(server.switches.isOn("checkout-crash-process")).toBe(false);
    expect((await request(server.url).get("/checkout")).status).toBe(200);
  });

  it("the JSON API refuses a request another site's page sent, naming the header, even with the token", async () => {
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
      .set(ADMIN)
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
      .set(ADMIN)
      .set("Origin", server.url.replace("127.0.0.1", "LOCALHOST"))
      .set("Host", `localhost:${port}`)
      .type("form")
      .send("on=false")
      .expect(303);
    expect(server.switches.isOn("checkout-crash")).toBe(false);
    await request(server.url).get("/admin").set(ADMIN).set("Sec-Fetch-Site", "none").expect(200);
  });
});

describe("the token generated at the first start (no ADMIN_TOKEN)", () => {
  const server = serverForTests({ ADMIN_TOKEN: "" });

  it("is kept beside the database, readable by its owner only, and admits", async () => {
    const path = join(dirname(server().dbPath), "admin-token");
    expect(adminTokenPath(server().dbPath)).toBe(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(server().adminToken.length).toBeGreaterThanOrEqual(24);
    await request(server().url).get("/admin/switches").expect(401);
    await request(server().url)
      .get("/admin/switches")
      .set(adminHeader(server().adminToken))
      .expect(200);
    await request(server().url).get("/admin/switches").set(ADMIN).expect(401); // not the test one
  });

  it("the banner's link logs a browser in with a cookie and takes the token out of the address", async () => {
    const browser = request.agent(server().url);
    const link = await browser.get(`/admin?token=${server().adminToken}`);
    expect(link.status).toBe(303);
    expect(link.headers.location).toBe("/admin");
    const cookie = String(link.headers["set-cookie"]);
    expect(cookie).toMatch(/fest_admin=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toContain(server().adminToken);
    const page = await browser.get("/admin").expect(200);
    expect(page.text).toContain("<code>checkout-crash</code>");
    // The server's own log does not keep the token either.
    expect(server().logs.join("\n")).toContain("/admin?token=[hidden]");
    expect(server().logs.join("\n")).not.toContain(server().adminToken);

    const wrong = await request(server().url).get("/admin?token=nope");
    expect(wrong.status).toBe(401);
    expect(wrong.headers["set-cookie"]).toBeUndefined();
  });
});

describe("resolving the credential", () => {
  const dirs: string[] = [];
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), "fest-admin-token-"));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("ADMIN_TOKEN when given, and no file is written", () => {
    const dir = folder();
    expect(resolveAdminCredential("given", join(dir, "fest.db"))).toEqual({
      token: "given",
      from: "ADMIN_TOKEN",
    });
    expect(() => statSync(join(dir, "admin-token"))).toThrow();
  });

  it("made once, then the same token on every later start (a restart, another worker)", () => {
    const dbPath = join(folder(), "data", "fest.db");
    const first = resolveAdminCredential(undefined, dbPath);
    expect(first).toMatchObject({ from: "file", created: true });
    const again = [1, 2, 3].map(() => resolveAdminCredential(undefined, dbPath));
    for (const later of again) {
      expect(later).toMatchObject({ token: first.token, from: "file", created: false });
    }
  });

  it("processes starting at once make one token between them: each reads the one that won", async () => {
    const dbPath = join(folder(), "fest.db");
    const module = join(projectRoot, "dist", "src", "admin-credential.js");
    const script = `import(${JSON.stringify(module)}).then((m) => process.stdout.write(m.resolveAdminCredential(undefined, ${JSON.stringify(dbPath)}).token))`;
    const tokens = await Promise.all(
      Array.from({ length: 6 }, () =>
        promisify(execFile)(process.execPath, ["-e", script], { timeout: 20_000 }).then(
          ({ stdout }) => stdout,
        ),
      ),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toBe(readFileSync(adminTokenPath(dbPath), "utf8").trim());
    // No half-written drafts are left beside it.
    expect(readdirSync(dirname(dbPath))).toEqual(["admin-token"]);
  });

  it("an empty token file stops the start with a line that says what to do", () => {
    const dbPath = join(folder(), "fest.db");
    writeFileSync(adminTokenPath(dbPath), "\n");
    expect(() => resolveAdminCredential(undefined, dbPath)).toThrow(AdminTokenFileError);
    expect(() => resolveAdminCredential(undefined, dbPath)).toThrow(/delete it and start again/);
  });
});

describe("the switch API with ADMIN_TOKEN", () => {
  const server = serverForTests({ DB_PATH, ADMIN_TOKEN: TOKEN });

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
  const server = serverForEachTest({ DB_PATH, ADMIN_TOKEN: TOKEN });

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
  const server = serverForTests({ DB_PATH });

  it("is refused without the credential and admitted with it, as a loopback client is", async () => {
    const remote = await serveOnSocket(server());
    try {
      const refused = await remote.get("/admin/switches");
      expect(refused.status).toBe(401);
      expect(refused.body.error).toContain("Authorization: Bearer");
      const put = await remote.put(
        "/admin/switches/checkout-crash",
        { "content-type": "application/json" },
        JSON.stringify({ on: true }),
      );
      expect(put.status).toBe(401);
      expect(server().switches.isOn("checkout-crash")).toBe(false);
      // The rest of the site is open to everyone.
      expect((await remote.get("/health")).status).toBe(200);
      const allowed = await remote.get("/admin/switches", ADMIN);
      expect(allowed.status).toBe(200);
      expect(allowed.body.switches).toHaveLength(SWITCH_NAMES.length);
    } finally {
      await remote.close();
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
