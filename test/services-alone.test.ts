// npm test only, not test:quick: it starts services alone and a gateway, each its own process.
// The split on several machines, played on 127.0.0.1: accounts and events each started alone
// (SERVICE=NAME), and a gateway started with SERVICES=1 and UPSTREAMS naming them, which starts
// only checkout and labs itself. A journey through the gateway crosses all of them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  copySmallSeed,
  freePort,
  type ServerProcess,
  spawnServer,
  waitFor,
} from "./helpers/process.js";

const SECRET = "one secret for every service";

let dir: string;
let dbPath: string;
const started: ServerProcess[] = [];

async function startAlone(
  port: number,
  env: Record<string, string>,
): Promise<{ url: string; process: ServerProcess }> {
  const server = spawnServer({
    PORT: String(port),
    DB_PATH: dbPath,
    SESSION_SECRET: SECRET,
    ...env,
  });
  started.push(server);
  await waitFor(
    () => server.output().includes("stop:") || server.child.exitCode !== null,
    60_000,
    `${env.SERVICE ?? "the gateway"} to start`,
  );
  expect(server.child.exitCode, server.output()).toBeNull();
  return { url: `http://127.0.0.1:${port}`, process: server };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "fest-lab-alone-"));
  dbPath = join(dir, "fest.db");
  copySmallSeed(dbPath);
});

afterAll(async () => {
  for (const server of started) {
    if (server.child.exitCode === null) server.child.kill("SIGTERM");
  }
  await Promise.all(started.map((server) => server.exited));
  rmSync(dir, { recursive: true, force: true });
});

describe("SERVICE=NAME and UPSTREAMS", () => {
  let accounts: { url: string; process: ServerProcess };
  let events: { url: string; process: ServerProcess };
  let gateway: { url: string; process: ServerProcess };

  beforeAll(async () => {
    // Each is told the others' addresses and calls them only when a request needs them, so
    // the three start at once.
    const ports = new Set<number>();
    while (ports.size < 3) ports.add(await freePort());
    const [accountsPort = 0, eventsPort = 0, gatewayPort = 0] = [...ports];
    const url = (port: number) => `http://127.0.0.1:${port}`;
    [accounts, events, gateway] = await Promise.all([
      startAlone(accountsPort, { SERVICE: "accounts" }),
      startAlone(eventsPort, { SERVICE: "events", UPSTREAMS: `accounts=${url(accountsPort)}` }),
      startAlone(gatewayPort, {
        SERVICES: "1",
        CPU_POOL_SIZE: "1",
        UPSTREAMS: `accounts=${url(accountsPort)}, events=${url(eventsPort)}`,
      }),
    ]);
  }, 120_000);

  it("a service alone says what it serves, whom it calls and where its data is", () => {
    const text = events.process.output();
    expect(text).toContain(`the events service alone, listening on ${events.url}`);
    expect(text).toContain(`calls:     accounts at ${accounts.url}`);
    expect(text).toContain("fest-events.db");
  });

  it("the gateway's banner lists the services elsewhere at their addresses, and starts the others", () => {
    const text = gateway.process.output();
    expect(text).toMatch(new RegExp(`accounts +${accounts.url}  elsewhere`));
    expect(text).toMatch(new RegExp(`events +${events.url}  elsewhere`));
    expect(text).toMatch(/checkout +http:\/\/127\.0\.0\.1:\d+ {2}up \(pid \d+\)/);
    expect(text).toMatch(/labs +http:\/\/127\.0\.0\.1:\d+ {2}up \(pid \d+\)/);
  });

  it("a journey through the gateway crosses every service: sign up, register, checkout", async () => {
    const agent = request.agent(gateway.url);
    const json = { Accept: "application/json" };
    const account = { username: "far_user", password: "far-away-pass" };
    expect((await agent.post("/signup").set(json).send(account)).status).toBe(201);
    const registered = await agent.post("/events/4/register").set(json);
    expect(registered.status).toBe(201);
    expect(registered.headers["x-fest-service"]).toBe("events");
    const checkout = await agent.get("/checkout").set(json);
    expect(checkout.status).toBe(200);
    expect(checkout.headers["x-fest-service"]).toBe("checkout");
    expect(checkout.body).toMatchObject({ user: "far_user", via: "session" });
    expect(checkout.body.totalRupees).toBe(registered.body.event.priceRupees);
    const page = await request(gateway.url).get("/events?user=locust_user");
    expect(page.status).toBe(200);
  });

  it("a bad name, a missing upstream or a missing secret stops the start with one line that says so", async () => {
    const refusals = [
      [{ SERVICE: "payments" }, "use one of accounts, events, checkout, labs"],
      [{ SERVICE: "checkout" }, "UPSTREAMS=events=http://HOST:PORT"],
      [{ SERVICE: "accounts", SESSION_SECRET: "" }, "needs SESSION_SECRET"],
      [{ SERVICES: "1", UPSTREAMS: "payments=http://127.0.0.1:9" }, 'names "payments"'],
      [{ SERVICES: "1", UPSTREAMS: "events=ftp://127.0.0.1:9" }, "is not a service's address"],
      [
        { SERVICES: "1", UPSTREAMS: "events=http://127.0.0.1:9", SESSION_SECRET: "" },
        "UPSTREAMS needs SESSION_SECRET",
      ],
    ] as const;
    // Each a process of its own that stops at start: all at once.
    await Promise.all(
      refusals.map(async ([env, says]) => {
        const server = spawnServer({ PORT: "0", DB_PATH: join(dir, "refused.db"), ...env });
        expect(await server.exited, JSON.stringify(env)).toBe(1);
        expect(server.output()).toContain(says);
      }),
    );
  });

  it("SIGTERM stops each, exit code 0", async () => {
    for (const each of [gateway, events, accounts]) {
      each.process.child.kill("SIGTERM");
      expect(await each.process.exited).toBe(0);
    }
  });
});
