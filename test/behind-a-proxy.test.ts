// Fest Lab behind Debian's nginx, as an instructor runs it for a class: the admin refuses a
// request without the credential whatever nginx forwards, accepts the generated token, pages
// and a Locust run pass through, and with TRUST_PROXY the access log, the admin's log and the
// throttle name the client nginx forwarded, not nginx. Without nginx these tests skip, unless
// REQUIRE_NGINX=1 (CI) makes that an error.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_WRONG } from "../src/admin/wrong-tokens.js";
import { adminHeader } from "./helpers/admin-api.js";
import { type Answer, send as sendFresh } from "./helpers/fresh-connection.js";
import { describeRun, findLocust, INSTALL_HINT, runLocust } from "./helpers/locust-runner.js";
import {
  defaultServerBlock,
  documentedServerBlock,
  findNginx,
  NGINX_INSTALL_HINT,
  type RunningNginx,
  startNginx,
} from "./helpers/nginx.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

const NGINX = findNginx();
const REQUIRED = process.env.REQUIRE_NGINX === "1";
const LOCUST = findLocust();

if (NGINX === undefined && !REQUIRED) {
  console.warn(`behind-a-proxy.test.ts: skipped, no nginx; ${NGINX_INSTALL_HINT}`);
}
// Registered only when it applies: a runIf'd test would count as skipped, and CI fails on any skip.
if (NGINX === undefined && REQUIRED) {
  describe("behind nginx (REQUIRE_NGINX=1)", () => {
    it("treats a missing nginx as an error", () => {
      throw new Error(
        `REQUIRE_NGINX=1 but no nginx in /usr/sbin or on PATH: ${NGINX_INSTALL_HINT}`,
      );
    });
  });
}

/** One request on its own connection, from `from` (another loopback address stands for a client elsewhere). */
function send(
  url: string,
  path: string,
  options: Parameters<typeof sendFresh>[1] = {},
): Promise<Answer> {
  return sendFresh(`${url}${path}`, options);
}

const crashOn = (headers: Record<string, string> = {}) => ({
  method: "PUT",
  headers: { "content-type": "application/json", accept: "application/json", ...headers },
  body: JSON.stringify({ on: true }),
});

describe.skipIf(NGINX === undefined)(
  `behind nginx with the default proxy_pass line, a server started without ADMIN_TOKEN${NGINX === undefined ? ` (skipped: ${NGINX_INSTALL_HINT})` : ""}`,
  () => {
    let server: TestServer;
    let nginx: RunningNginx;
    beforeAll(async () => {
      server = await startTestServer({ ADMIN_TOKEN: "" });
      nginx = await startNginx(
        NGINX ?? "nginx",
        defaultServerBlock(Number(new URL(server.url).port)),
      );
    });
    afterAll(async () => {
      await nginx?.stop();
      await server?.stop();
    });

    it("refuses the admin PUT sent to nginx for fest.example.edu without the credential: the switch stays off", async () => {
      const refused = await send(
        nginx.url,
        "/admin/switches/checkout-crash",
        crashOn({ Host: "fest.example.edu" }),
      );
      expect([401, 403], refused.body).toContain(refused.status);
      expect(server.switches.isOn("checkout-crash")).toBe(false);
      expect(
        (await send(nginx.url, "/checkout", { headers: { Host: "fest.example.edu" } })).status,
      ).toBe(200);
    });

    it("accepts it with the token the server generated, and /checkout then fails as the switch says", async () => {
      const accepted = await send(
        nginx.url,
        "/admin/switches/checkout-crash",
        crashOn({ Host: "fest.example.edu", ...adminHeader(server.adminToken) }),
      );
      expect(accepted.status, accepted.body).toBe(200);
      expect(server.switches.isOn("checkout-crash")).toBe(true);
      expect((await send(nginx.url, "/checkout")).status).toBe(500);
      server.switches.set("checkout-crash", false, "test");
    });

    it("refuses the same request sent straight to the server from loopback without the credential", async () => {
      const refused = await send(server.url, "/admin/switches/checkout-crash", crashOn());
      expect(refused.status).toBe(401);
      expect(server.switches.isOn("checkout-crash")).toBe(false);
    });

    it("passes the pages through", async () => {
      const events = await send(nginx.url, "/events?user=locust_user", {
        headers: { Host: "fest.example.edu" },
      });
      expect(events.status).toBe(200);
      expect(events.body).toContain("locust_user");
      const checkout = await send(nginx.url, "/checkout");
      expect(checkout.status).toBe(200);
      expect(checkout.body).toContain("Total Payable");
      expect((await send(nginx.url, "/api/id/tt0068646")).status).toBe(200);
    });

    it.skipIf(LOCUST === undefined && process.env.REQUIRE_LOCUST !== "1")(
      `a short Locust run through nginx has no failures${LOCUST === undefined ? ` (skipped: ${INSTALL_HINT})` : ""}`,
      async () => {
        if (LOCUST === undefined) throw new Error(`REQUIRE_LOCUST=1 but ${INSTALL_HINT}`);
        const dir = mkdtempSync(join(tmpdir(), "fest-lab-proxy-locust-"));
        try {
          const run = await runLocust({
            locust: LOCUST,
            scenario: "events.py",
            host: nginx.url,
            load: { users: 3, spawnRate: 3 },
            // Three seconds of three users: a few requests each, every one through nginx.
            seconds: 3,
            csvPrefix: join(dir, "events"),
            cwd: dir,
          });
          expect(run.aggregated.requests, describeRun(run)).toBeGreaterThan(0);
          expect(run.aggregated.failures, describeRun(run)).toBe(0);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
      60_000,
    );
  },
);

describe.skipIf(NGINX === undefined)(
  `behind nginx with docs/behind-a-proxy.md's server block and TRUST_PROXY=loopback${NGINX === undefined ? ` (skipped: ${NGINX_INSTALL_HINT})` : ""}`,
  () => {
    let server: TestServer;
    let nginx: RunningNginx;
    beforeAll(async () => {
      server = await startTestServer({ ADMIN_TOKEN: "", TRUST_PROXY: "loopback" });
      nginx = await startNginx(
        NGINX ?? "nginx",
        documentedServerBlock(Number(new URL(server.url).port)),
      );
    });
    afterAll(async () => {
      await nginx?.stop();
      await server?.stop();
    });

    // 127.0.0.5 stands for a client on another machine: nginx forwards it in X-Forwarded-For,
    // and the server itself only ever sees nginx (127.0.0.1).
    it("the access log shows the address nginx forwarded, not nginx's", async () => {
      const path = "/events?user=locust_user&from=forwarded";
      expect((await send(nginx.url, path, { from: "127.0.0.5" })).status).toBe(200);
      const line = server.logs.find((entry) => entry.includes(path));
      expect(line).toMatch(
        /^INFO: +127\.0\.0\.5 - "GET \/events\?user=locust_user&from=forwarded HTTP\/1\.1" 200/,
      );
    });

    it("the admin's log and its wrong-token throttle count the forwarded client", async () => {
      const token = adminHeader(server.adminToken);
      await send(nginx.url, "/admin/switches/io-blocking", {
        ...crashOn(token),
        from: "127.0.0.6",
      });
      expect(server.logs).toContainEqual(
        expect.stringContaining("switch io-blocking turned on by admin api from 127.0.0.6"),
      );
      server.switches.set("io-blocking", false, "test");
      for (let i = 0; i < MAX_WRONG; i++) {
        const wrong = await send(nginx.url, "/admin/switches", {
          headers: { authorization: `Bearer guess-${i}`, accept: "application/json" },
          from: "127.0.0.7",
        });
        expect(wrong.status).toBe(401);
      }
      const locked = await send(nginx.url, "/admin/switches", {
        headers: token,
        from: "127.0.0.7",
      });
      expect(locked.status).toBe(429);
      // Another client behind the same nginx is not held up by 127.0.0.7's guesses.
      const other = await send(nginx.url, "/admin/switches", { headers: token, from: "127.0.0.8" });
      expect(other.status).toBe(200);
    });
  },
);

describe("the session cookie and X-Forwarded-Proto", () => {
  const signUp = (url: string, name: string) =>
    request(url)
      .post("/signup")
      .set("Accept", "application/json")
      .set("X-Forwarded-Proto", "https")
      .send({ username: name, password: "a-good-password" });

  it("is Secure when a proxy TRUST_PROXY names says the client spoke https", async () => {
    const server = await startTestServer({ TRUST_PROXY: "loopback" });
    try {
      const res = await signUp(server.url, "proxied_user");
      expect(res.status).toBe(201);
      expect(String(res.headers["set-cookie"])).toMatch(/fest_session=.*; Secure/i);
    } finally {
      await server.stop();
    }
  });

  it("ignores the header without TRUST_PROXY", async () => {
    const server = await startTestServer();
    try {
      const res = await signUp(server.url, "direct_user");
      expect(res.status).toBe(201);
      expect(String(res.headers["set-cookie"])).toMatch(/fest_session=/);
      expect(String(res.headers["set-cookie"])).not.toMatch(/Secure/i);
      // The access log shows the socket's address, whatever X-Forwarded-For claims.
      await request(server.url).get("/health?spoofed=1").set("X-Forwarded-For", "198.51.100.7");
      const line = server.logs.find((entry) => entry.includes("/health?spoofed=1"));
      expect(line).toMatch(/^INFO: +127\.0\.0\.1:\d+ - /);
    } finally {
      await server.stop();
    }
  });
});
