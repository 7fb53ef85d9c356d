// Live switches: the /admin page and its JSON API flip a behaviour for the next request,
// and only loopback clients, or clients with ADMIN_TOKEN, may use them.
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request as httpRequest, type RequestListener } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLoopback, tokensMatch } from "../src/admin/guard.js";
import { SWITCH_NAMES, SWITCHES } from "../src/switches.js";
import { startTestLab, type TestLab } from "./helpers/lab.js";

const TOKEN = "s3cret-admin-token-for-tests";

describe("the switch API from this machine (no ADMIN_TOKEN)", () => {
  let lab: TestLab;
  beforeAll(async () => {
    lab = await startTestLab();
  });
  afterAll(() => lab.stop());

  it("GET /admin/switches lists every switch with its lab, description and state", async () => {
    lab.switches.set("io-blocking", true, "test");
    const res = await request(lab.url).get("/admin/switches");
    lab.switches.set("io-blocking", false, "test");
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
    const on = await request(lab.url)
      .put("/admin/switches/checkout-crash")
      .send({ on: true })
      .expect(200);
    expect(on.body).toMatchObject({ name: "checkout-crash", on: true });
    expect((await request(lab.url).get("/checkout")).status).toBe(500);

    const off = await request(lab.url)
      .put("/admin/switches/checkout-crash")
      .send({ on: false })
      .expect(200);
    expect(off.body).toMatchObject({ name: "checkout-crash", on: false });
    const healed = await request(lab.url).get("/checkout");
    expect(healed.status).toBe(200);
    expect(healed.text).toContain("Total Payable");
  });

  it("logs who flipped a switch, and from where", async () => {
    await request(lab.url).put("/admin/switches/events-slow-loop").send({ on: true }).expect(200);
    await request(lab.url).put("/admin/switches/events-slow-loop").send({ on: false }).expect(200);
    expect(lab.logs).toContainEqual(
      expect.stringMatching(
        /^WARN: +switch events-slow-loop turned on by admin api from 127\.0\.0\.1/,
      ),
    );
    expect(lab.logs).toContainEqual(
      expect.stringContaining("switch events-slow-loop turned off by admin api"),
    );
  });

  it("an unknown name is a 404 that names it and lists the known names, in JSON for curl", async () => {
    const res = await request(lab.url)
      .put("/admin/switches/checkout-crsh")
      .set("Accept", "*/*")
      .send({ on: true });
    expect(res.status).toBe(404);
    expect(res.body.error).toContain('"checkout-crsh"');
    expect(res.body.known).toEqual(SWITCH_NAMES);
    expect(res.body.error).toContain("checkout-crash-process");
  });

  it("a body without a boolean 'on' is a 400 naming 'on', and changes nothing", async () => {
    for (const body of [{ on: "yes" }, { on: 1 }, {}, { enabled: true }]) {
      const res = await request(lab.url).put("/admin/switches/checkout-crash").send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.parameter).toBe("on");
      expect(res.body.allowed).toContain("true or false");
    }
    const notJson = await request(lab.url)
      .put("/admin/switches/checkout-crash")
      .type("form")
      .send("on=true");
    expect(notJson.status).toBe(400);
    expect(notJson.body.allowed).toContain("Content-Type: application/json");
    const broken = await request(lab.url)
      .put("/admin/switches/checkout-crash")
      .type("json")
      .send("{on: true");
    expect(broken.status).toBe(400);
    expect(lab.switches.isOn("checkout-crash")).toBe(false);
  });

  it("the page lists every switch with its description and a button", async () => {
    const res = await request(lab.url).get("/admin").expect(200);
    for (const name of SWITCH_NAMES) {
      expect(res.text).toContain(`<code>${name}</code>`);
      expect(res.text).toContain(`action="/admin/switches/${name}"`);
    }
    expect(res.text).toContain("recounts every registration for every event");
    expect(res.text).toContain("Turn on");
    expect(res.text).toContain(`curl ${lab.url}/admin/switches`); // ready to copy
  });

  it("the page's form flips a switch and comes back to the page showing it on", async () => {
    const posted = await request(lab.url)
      .post("/admin/switches/my-events-slow-loop")
      .type("form")
      .send("on=true");
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toBe("/admin");
    expect(lab.switches.isOn("my-events-slow-loop")).toBe(true);
    const page = await request(lab.url).get("/admin");
    expect(page.text).toMatch(
      /id="switch-my-events-slow-loop" class="on">[\s\S]*?<strong>on<\/strong>/,
    );
    expect(lab.logs).toContainEqual(
      expect.stringContaining("switch my-events-slow-loop turned on by admin page from 127.0.0.1"),
    );
    await request(lab.url)
      .post("/admin/switches/my-events-slow-loop")
      .type("form")
      .send("on=false");
    expect(lab.switches.isOn("my-events-slow-loop")).toBe(false);
  });

  it("a form posted from another site changes nothing", async () => {
    const res = await request(lab.url)
      .post("/admin/switches/checkout-crash")
      .set("Origin", "http://evil.example")
      .type("form")
      .send("on=true");
    expect(res.status).toBe(403);
    expect(lab.switches.isOn("checkout-crash")).toBe(false);
  });
});

describe("the switch API with ADMIN_TOKEN", () => {
  let lab: TestLab;
  beforeAll(async () => {
    lab = await startTestLab({ ADMIN_TOKEN: TOKEN });
  });
  afterAll(() => lab.stop());

  it("refuses a request without the token with 401 and a Bearer challenge, even from loopback", async () => {
    const res = await request(lab.url).get("/admin/switches");
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer /);
    expect(res.body.error).toContain("Authorization: Bearer");
  });

  it("refuses a wrong token with 401", async () => {
    for (const header of [`Bearer ${TOKEN}x`, "Bearer short", `Basic ${TOKEN}`, TOKEN]) {
      const res = await request(lab.url).get("/admin/switches").set("Authorization", header);
      expect(res.status, header).toBe(401);
    }
    const put = await request(lab.url)
      .put("/admin/switches/checkout-crash")
      .set("Authorization", "Bearer wrong")
      .send({ on: true });
    expect(put.status).toBe(401);
    expect(lab.switches.isOn("checkout-crash")).toBe(false);
  });

  it("answers the right token", async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const list = await request(lab.url).get("/admin/switches").set(auth);
    expect(list.status).toBe(200);
    expect(list.body.switches).toHaveLength(SWITCH_NAMES.length);
    await request(lab.url)
      .put("/admin/switches/checkout-crash")
      .set(auth)
      .send({ on: true })
      .expect(200);
    expect((await request(lab.url).get("/checkout")).status).toBe(500);
    await request(lab.url)
      .put("/admin/switches/checkout-crash")
      .set(auth)
      .send({ on: false })
      .expect(200);
  });

  it("the page asks a browser for the token once, then works with its cookie", async () => {
    const browser = request.agent(lab.url);
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
    expect(lab.switches.isOn("io-blocking")).toBe(true);
    await browser.post("/admin/switches/io-blocking").type("form").send("on=false").expect(303);

    await browser.post("/admin/logout").expect(303);
    expect((await browser.get("/admin")).status).toBe(401);
  });
});

/**
 * The lab's own request handler, served on a Unix socket: such a client has no loopback
 * address, so the guard sees what it sees from another machine, and no traffic leaves
 * the loopback world (tests here never send to any other address).
 */
async function serveOnSocket(
  lab: TestLab,
): Promise<{ get: Client; put: Client; close(): Promise<void> }> {
  const handler = lab.server.listeners("request")[0] as RequestListener;
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
  let open: TestLab;
  let withToken: TestLab;
  beforeAll(async () => {
    open = await startTestLab();
    withToken = await startTestLab({ ADMIN_TOKEN: TOKEN });
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
