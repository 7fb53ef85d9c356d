// npm test only, not test:quick: it starts --services groups (a gateway and four service processes).
// SERVICES=1: the fest as a gateway in front of separate services, run as `npm start -- --services`
// runs it, beside the monolith on the same seed. What only the split shows: the same URLs give
// the same pages, a session made by accounts holds in events and checkout, and the checkout
// crash that takes the monolith down costs /checkout alone, until its replacement is up.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENTS_SLOW_MS } from "../src/fest/routes.js";
import { CALL_TIMEOUT_MS, FIX_RETRIES, RESET_TIMEOUT_MS } from "../src/services/events-caller.js";
import { adminHeader } from "./helpers/admin-api.js";
import {
  copySmallSeed,
  freePort,
  isAlive,
  type ServerProcess,
  spawnServer,
  waitFor,
} from "./helpers/process.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

const SERVICES = ["accounts", "events", "checkout", "labs"] as const;

let dir: string;
let services: ServerProcess;
let gateway: string;
let monolith: TestServer;

/** Each service's address and pid, as the banner (or a later "is back" line) names them. */
function serviceLine(name: string): { url: string; pid: number } {
  const match = new RegExp(`  ${name} +(http://127\\.0\\.0\\.1:\\d+)  up \\(pid (\\d+)\\)`).exec(
    services.output(),
  );
  if (match === null) throw new Error(`no banner line for ${name}:\n${services.output()}`);
  return { url: match[1] as string, pid: Number(match[2]) };
}

/** The credential the group generated beside its data. */
function admin(): Record<string, string> {
  return adminHeader(readFileSync(join(dir, "admin-token"), "utf8").trim());
}

function putSwitch(name: string, on: boolean): Promise<request.Response> {
  return request(gateway)
    .put(`/admin/switches/${name}`)
    .set(admin())
    .send({ on })
    .then((res) => res);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "fest-lab-services-"));
  const dbPath = join(dir, "fest.db");
  copySmallSeed(dbPath);
  const port = await freePort();
  services = spawnServer({
    SERVICES: "1",
    PORT: String(port),
    DB_PATH: dbPath,
    CPU_POOL_SIZE: "1",
    // No ADMIN_TOKEN: the group makes one, and the labs service behind the gateway uses it.
    ADMIN_TOKEN: "",
  });
  gateway = `http://127.0.0.1:${port}`;
  // The monolith on the same seed and size, in this process: the answers to match.
  monolith = await startTestServer({ LOG_LEVEL: "warn" });
  await waitFor(() => services.output().includes("stop:"), 60_000, "the services' banner");
}, 90_000);

afterAll(async () => {
  if (services.child.exitCode === null) services.child.kill("SIGTERM");
  await services.exited;
  await monolith.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("SERVICES=1", () => {
  it("the banner lists each service with its own address, its state and its pid", () => {
    const urls = SERVICES.map((name) => serviceLine(name).url);
    expect(new Set(urls).size).toBe(SERVICES.length);
    expect(urls).not.toContain(gateway);
    expect(services.output()).toContain(
      `listening on ${gateway}: a gateway in front of 4 services`,
    );
    // The labs service's share comes from the lab list (src/labs/list.ts): all but fest's.
    expect(services.output()).toMatch(
      /^ +labs +http:\S+ +up \(pid \d+\) +everything else: \/ \/admin and the labs bench, digits, catalogue$/m,
    );
  });

  it("the seed labs' requests give the same pages as the monolith's, each from its service", async () => {
    const pages = [
      ["/events?user=locust_user", "events"],
      ["/my-events?user=locust_user", "events"],
      ["/checkout", "checkout"],
      ["/checkout?user=user0003", "checkout"],
      ["/events", "events"],
      ["/login", "accounts"],
    ] as const;
    for (const [path, service] of pages) {
      for (const accept of ["text/html", "application/json"]) {
        const split = await request(gateway).get(path).set("Accept", accept);
        const whole = await request(monolith.url).get(path).set("Accept", accept);
        expect(split.status, path).toBe(200);
        expect(split.headers["x-fest-service"], path).toBe(service);
        expect(split.text, `${path} as ${accept}`).toBe(whole.text);
      }
    }
    const checkout = await request(gateway).get("/checkout");
    expect(checkout.text).toMatch(/Total Payable/);
  });

  it("an unknown user is the same 404 in both", async () => {
    for (const path of ["/checkout?user=nobody_here", "/my-events?user=nobody_here"]) {
      const split = await request(gateway).get(path).set("Accept", "application/json");
      const whole = await request(monolith.url).get(path).set("Accept", "application/json");
      expect(split.status, path).toBe(404);
      expect(split.body, path).toEqual(whole.body);
    }
  });

  it("sign up, log out, log in, register, my events and the checkout total match the monolith's", async () => {
    const journey = async (base: string) => {
      const agent = request.agent(base);
      const json = { Accept: "application/json" };
      const account = { username: "journey_user", password: "journey-pass" };
      const answers: unknown[] = [];
      const keep = (res: request.Response) => {
        answers.push({ status: res.status, body: res.body });
        return res;
      };
      keep(await agent.post("/signup").set(json).send(account));
      keep(await agent.post("/logout").set(json));
      keep(await agent.post("/login").set(json).send(account));
      keep(await agent.post("/events/2/register").set(json));
      keep(await agent.post("/events/5/register").set(json));
      keep(await agent.post("/events/2/register").set(json));
      const mine = keep(await agent.get("/my-events").set(json));
      const events = keep(await agent.get("/events").set(json));
      const checkout = keep(await agent.get("/checkout").set(json));
      return { answers, mine, events, checkout };
    };
    const split = await journey(gateway);
    const whole = await journey(monolith.url);
    // The moment of registering differs between the two runs; everything else must not.
    const withoutTimes = (value: unknown) =>
      JSON.parse(JSON.stringify(value, (key, v) => (key === "registeredAt" ? "(time)" : v)));
    expect(withoutTimes(split.answers)).toEqual(withoutTimes(whole.answers));
    expect(split.answers.map((answer) => (answer as { status: number }).status)).toEqual([
      201, 200, 200, 201, 201, 200, 200, 200, 200,
    ]);
    expect(split.checkout.body.user).toBe("journey_user");
    expect(split.checkout.body.via).toBe("session");
    const prices = split.checkout.body.lines.map(
      (line: { priceRupees: number }) => line.priceRupees,
    );
    expect(prices).toHaveLength(2);
    expect(split.checkout.body.totalRupees).toBe(prices[0] + prices[1]);
  });

  it("internal routes are not reachable through the gateway, nor directly without the secret", async () => {
    const through = await request(gateway).get("/internal/users/locust_user");
    expect(through.status).toBe(404);
    const direct = await request(serviceLine("accounts").url)
      .get("/internal/users/locust_user")
      .set("Accept", "application/json");
    expect(direct.status).toBe(403);
    expect(direct.body.error).toContain("X-Fest-Internal");
  });

  it("the admin through the gateway refuses a request without the credential, and takes the generated one", async () => {
    const refused = await request(gateway)
      .put("/admin/switches/checkout-crash")
      .set("Accept", "application/json")
      .send({ on: true });
    expect(refused.status).toBe(401);
    expect((await request(gateway).get("/checkout")).status).toBe(200);
    const shown = await request(gateway).get("/admin/switches").set(admin()).expect(200);
    expect(shown.body.switches.find((s: { name: string }) => s.name === "checkout-crash").on).toBe(
      false,
    );
    expect(services.output()).toContain(`/admin?token=${String(admin().authorization).slice(7)}`);
  });

  it("checkout-crash-process kills checkout alone: /events stays 200, /checkout is 502 until the replacement is up", async () => {
    const before = Object.fromEntries(
      SERVICES.map((name) => [name, serviceLine(name).pid]),
    ) as Record<(typeof SERVICES)[number], number>;
    const on = await request(gateway)
      .put("/admin/switches/checkout-crash-process")
      .set(admin())
      .send({ on: true });
    expect(on.status).toBe(200);

    const crashed = await request(gateway).get("/checkout");
    expect(crashed.status).toBe(502);
    expect(crashed.text).toContain("the checkout service");
    await waitFor(() => !isAlive(before.checkout), 10_000, "the checkout process to exit");
    // The replacement starts with the switch as the group holds it: turn it off first.
    const off = await request(gateway)
      .put("/admin/switches/checkout-crash-process")
      .set(admin())
      .send({ on: false });
    expect(off.status).toBe(200);

    const eventsStatuses: number[] = [];
    const checkoutStatuses: number[] = [];
    await waitFor(
      async () => {
        eventsStatuses.push((await request(gateway).get("/events?user=locust_user")).status);
        const checkout = await request(gateway).get("/checkout");
        checkoutStatuses.push(checkout.status);
        return checkout.status === 200;
      },
      30_000,
      "/checkout to answer 200 again",
    );
    expect(new Set(eventsStatuses)).toEqual(new Set([200]));
    // Down (502) for a while, maybe not at all if the replacement was quick, then up for good.
    expect(checkoutStatuses.at(-1)).toBe(200);
    expect(checkoutStatuses.slice(0, -1).every((status) => status === 502)).toBe(true);

    const output = services.output();
    expect(output).toContain("the checkout service is exiting");
    expect(output).toMatch(
      new RegExp(`service checkout \\(pid ${before.checkout}\\) exited with code 1`),
    );
    expect(output).toMatch(
      new RegExp(
        `service checkout is back: pid \\d+ answering at .* after pid ${before.checkout} died`,
      ),
    );
    for (const name of ["accounts", "events", "labs"] as const) {
      expect(isAlive(before[name]), `${name} kept its process`).toBe(true);
    }
    const metrics = await request(gateway).get("/metrics");
    expect(metrics.text).toMatch(
      /festlab_gateway_requests_total\{upstream="checkout",status="502"\} [1-9]/,
    );
    expect(metrics.text).toContain('festlab_service_restarts_total{service="checkout"} 1');
    expect(metrics.text).toContain('festlab_service_up{service="checkout"} 1');
    // Each service's own figures, labelled by service, one HELP and TYPE per family.
    for (const [service, route] of [
      ["events", "/events"],
      ["checkout", "/checkout"],
      ["labs", "/admin/switches/:name"],
    ]) {
      expect(metrics.text).toMatch(
        new RegExp(
          `festlab_http_request_duration_seconds_count\\{service="${service}",[^}]*route="${route}"[^}]*\\} [1-9]`,
        ),
      );
    }
    expect(metrics.text).toMatch(/^process_start_time_seconds\{service="accounts"\} \d+/m);
    expect(
      metrics.text.split("# TYPE festlab_http_request_duration_seconds histogram").length - 1,
    ).toBe(1);
  });

  it("events-slow slows the events pages; with checkout-no-timeout it slows /checkout too, which the monolith's does not", async () => {
    const timed = async (base: string, path: string) => {
      const started = performance.now();
      const res = await request(base).get(path).set("Accept", "application/json");
      return { status: res.status, body: res.body, ms: performance.now() - started };
    };
    for (const name of ["events-slow", "checkout-no-timeout"]) {
      expect((await putSwitch(name, true)).status).toBe(200);
    }
    // The monolith reads its own tables: its checkout does not wait on its events pages.
    monolith.switches.set("events-slow", true);
    try {
      // Each request timed on its own, all at once: the slow waits overlap.
      const [events, checkout, wholeEvents, wholeCheckout] = await Promise.all([
        timed(gateway, "/events?user=locust_user"),
        timed(gateway, "/checkout"),
        timed(monolith.url, "/events"),
        timed(monolith.url, "/checkout"),
      ]);
      expect(events.status).toBe(200);
      expect(events.ms).toBeGreaterThanOrEqual(EVENTS_SLOW_MS);
      expect(checkout.status).toBe(200);
      expect(checkout.body.totalRupees).toBeGreaterThan(0);
      expect(checkout.ms).toBeGreaterThanOrEqual(EVENTS_SLOW_MS);
      expect(wholeEvents.ms).toBeGreaterThanOrEqual(EVENTS_SLOW_MS);
      expect(wholeCheckout.status).toBe(200);
      expect(wholeCheckout.ms).toBeLessThan(EVENTS_SLOW_MS);
    } finally {
      monolith.switches.set("events-slow", false);
    }
  });

  it("the fix: checkout gives up on a slow events after its timeout, then its open circuit answers 503 at once, then closes", async () => {
    expect((await putSwitch("checkout-no-timeout", false)).status).toBe(200);
    const first = await request(gateway).get("/checkout").set("Accept", "application/json");
    // events answers 200 after EVENTS_SLOW_MS; a 504 means checkout stopped waiting first.
    expect(first.status).toBe(504);
    expect(first.body.error).toContain(`did not answer within ${CALL_TIMEOUT_MS} ms`);
    expect(first.body.attempts).toBe(1 + FIX_RETRIES);
    expect(first.body.service).toBe("events");

    // Each /checkout made up to three calls; after four failures the circuit opens.
    let open: request.Response | undefined;
    for (let tries = 0; tries < 5 && open === undefined; tries++) {
      const res = await request(gateway).get("/checkout").set("Accept", "application/json");
      if (res.status === 503) open = res;
      else expect(res.status).toBe(504);
    }
    expect(open?.body).toMatchObject({ service: "events", circuit: "open" });
    expect(open?.headers["retry-after"]).toBe(String(RESET_TIMEOUT_MS / 1000));
    expect(open?.body.error).toContain("circuit open");
    const started = performance.now();
    const again = await request(gateway).get("/checkout").set("Accept", "application/json");
    expect(again.status).toBe(503);
    expect(performance.now() - started, "an open circuit does not wait").toBeLessThan(
      CALL_TIMEOUT_MS,
    );

    // events healthy again: after the reset timeout one call goes through and closes it.
    expect((await putSwitch("events-slow", false)).status).toBe(200);
    await waitFor(
      async () => (await request(gateway).get("/checkout")).status === 200,
      RESET_TIMEOUT_MS + 15_000,
      "the circuit to close",
    );
  });

  it("SIGTERM drains the gateway and stops every service, exit code 0", async () => {
    // The banner's pids, the crashed checkout's among them, and its replacement's.
    const replacements = [...services.output().matchAll(/is back: pid (\d+)/g)].map((m) =>
      Number(m[1]),
    );
    const pids = [...SERVICES.map((name) => serviceLine(name).pid), ...replacements];
    expect(replacements).toHaveLength(1);
    services.child.kill("SIGTERM");
    expect(await services.exited).toBe(0);
    await waitFor(() => pids.every((pid) => !isAlive(pid)), 10_000, "every service to exit");
  });
});

describe("SERVICES=1 refuses what it cannot do yet", () => {
  it("with WORKERS, or FAULTS naming a route no service has, it stops at start with one line that says why", async () => {
    // FAULTS and MAX_IN_FLIGHT themselves are the monolith's contract now (test/shapes.test.ts).
    const refusedDir = mkdtempSync(join(tmpdir(), "fest-lab-services-refused-"));
    try {
      const dbPath = join(refusedDir, "fest.db");
      copySmallSeed(dbPath);
      const refusals = [
        [{ WORKERS: "2" }, "WORKERS=2 do not go together"],
        [
          { FAULTS: "error:503@10%:/nowhere", MAX_IN_FLIGHT: "8" },
          "FAULTS=error:503@10%:/nowhere is not allowed",
        ],
      ] as const;
      await Promise.all(
        refusals.map(async ([env, named]) => {
          const server = spawnServer({ SERVICES: "1", PORT: "0", DB_PATH: dbPath, ...env });
          expect(await server.exited).toBe(1);
          expect(server.output()).toContain(named);
        }),
      );
    } finally {
      rmSync(refusedDir, { recursive: true, force: true });
    }
  });
});
