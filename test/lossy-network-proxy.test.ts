// The lossy network's proxy on its own, in front of a plain node:http server that counts what
// reaches it: resets and hangs lose their share of requests (the server never sees them), a
// seed replays the same losses, delays hold requests, kept-alive connections are framed
// request by request (bodies included), a server's own reset reaches the client as a reset,
// and close() cuts every connection and frees the port.
import { Agent, createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LossyProxy, parseNetworkRules } from "../src/network/lossy-proxy.js";

interface Outcome {
  status?: number;
  body?: string;
  error?: string;
  ms: number;
}

let server: Server;
let port: number;
/** Bodies the server received, per run id. */
const seen = new Map<string, string[]>();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const run = String(req.headers["x-run-id"] ?? "");
      seen.set(run, [...(seen.get(run) ?? []), body]);
      if (req.url === "/reset") {
        req.socket.resetAndDestroy();
        return;
      }
      res.end(`got ${req.method} ${body.length}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function send(
  url: string,
  run: string,
  agent: Agent | false,
  options: { path?: string; body?: string } = {},
): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = httpRequest(
      `${url}${options.path ?? "/"}`,
      {
        method: options.body === undefined ? "GET" : "POST",
        agent,
        headers: { "x-run-id": run },
        timeout: 10_000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode, body, ms: performance.now() - started }),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error("no answer within 10 s")));
    req.on("error", (error: NodeJS.ErrnoException) =>
      resolve({ error: error.code ?? error.message, ms: performance.now() - started }),
    );
    req.end(options.body);
  });
}

async function proxyWith(rules: string, run: string, seed = 7) {
  return LossyProxy.start({ rules, seed, runId: run, target: { host: "127.0.0.1", port } });
}

async function sendMany(url: string, run: string, count: number, agent: Agent | false) {
  const outcomes: Outcome[] = [];
  for (let n = 0; n < count; n++) outcomes.push(await send(url, run, agent));
  return outcomes;
}

describe("the lossy network's proxy", () => {
  it("resets its share of requests, on kept-alive connections too; the server never sees them", async () => {
    const proxy = await proxyWith("reset@20%:*", "lossy-a");
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const outcomes = await sendMany(proxy.url, "lossy-a", 100, agent);
    agent.destroy();
    const reset = outcomes.filter((o) => o.error !== undefined);
    expect(reset.length).toBeGreaterThan(5);
    expect(reset.length).toBeLessThan(40);
    expect(new Set(reset.map((o) => o.error))).toEqual(new Set(["ECONNRESET"]));
    expect(outcomes.filter((o) => o.status === 200)).toHaveLength(100 - reset.length);
    expect(seen.get("lossy-a")).toHaveLength(100 - reset.length);
    expect(proxy.counts()).toEqual({
      requests: 100,
      lost: reset.length,
      reset: reset.length,
      dropped: 0,
      delayed: 0,
    });
    await proxy.close();
  });

  it("the same seed loses the same requests; another seed others", async () => {
    const lostOf = async (seed: number, run: string) => {
      const proxy = await proxyWith("reset@20%:*", run, seed);
      const outcomes = await sendMany(proxy.url, run, 60, false);
      await proxy.close();
      return outcomes.map((o, n) => (o.error === undefined ? "" : String(n))).join(",");
    };
    const first = await lostOf(11, "lossy-seed-1");
    expect(await lostOf(11, "lossy-seed-2")).toBe(first);
    expect(await lostOf(12, "lossy-seed-3")).not.toBe(first);
  });

  it("counts the run's requests apart from everyone else's", async () => {
    const proxy = await proxyWith("reset@50%:*", "lossy-mine");
    await sendMany(proxy.url, "lossy-mine", 10, false);
    await sendMany(proxy.url, "someone-else", 6, false);
    expect(proxy.counts().requests).toBe(10);
    expect(proxy.counts("all").requests).toBe(16);
    expect(proxy.counts("all").lost).toBeGreaterThanOrEqual(proxy.counts().lost);
    await proxy.close();
  });

  it("delays its share, passes bodies whole on a kept-alive connection, and counts the delays", async () => {
    const proxy = await proxyWith("delay:150ms@100%:POST", "lossy-delay");
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const body = "x".repeat(70_000);
    const posted = await send(proxy.url, "lossy-delay", agent, { body });
    const got = await send(proxy.url, "lossy-delay", agent);
    agent.destroy();
    expect(posted).toMatchObject({ status: 200, body: "got POST 70000" });
    expect(posted.ms).toBeGreaterThanOrEqual(140);
    expect(got).toMatchObject({ status: 200, body: "got GET 0" });
    expect(seen.get("lossy-delay")?.map((b) => b.length)).toEqual([70_000, 0]);
    expect(proxy.counts()).toMatchObject({ requests: 2, delayed: 1, lost: 0 });
    await proxy.close();
  });

  it("drops (hangs) its share: no answer, the connection closed after the hang", async () => {
    const proxy = await proxyWith("hang:200ms@100%:*", "lossy-hang");
    const outcome = await send(proxy.url, "lossy-hang", false);
    expect(outcome.error).toBe("ECONNRESET"); // Node's "socket hang up": closed unanswered
    expect(outcome.ms).toBeGreaterThanOrEqual(190);
    expect(seen.get("lossy-hang")).toBeUndefined();
    expect(proxy.counts()).toMatchObject({ requests: 1, lost: 1, dropped: 1 });
    await proxy.close();
  });

  it("passes the server's own reset on as a reset", async () => {
    const proxy = await proxyWith("", "lossy-server");
    const outcome = await send(proxy.url, "lossy-server", false, { path: "/reset" });
    expect(outcome.error).toBe("ECONNRESET");
    expect(seen.get("lossy-server")).toHaveLength(1);
    expect(proxy.counts()).toMatchObject({ requests: 1, lost: 0 });
    await proxy.close();
  });

  it("close() cuts open connections and frees the port", async () => {
    const proxy = await proxyWith("", "lossy-close");
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await send(proxy.url, "lossy-close", agent)).status).toBe(200);
    await proxy.close(); // resolves with the kept-alive connection still open
    const after = await send(proxy.url, "lossy-close", false);
    expect(after.error).toBe("ECONNREFUSED");
    agent.destroy();
  });

  it("refuses what a network cannot do: an HTTP error, a stall, a route", () => {
    expect(() => parseNetworkRules("error:503@10%:*")).toThrow(/kind/);
    expect(() => parseNetworkRules("stall:100ms/1s")).toThrow(/kind/);
    expect(() => parseNetworkRules("reset@10%:/events")).toThrow(/target/);
    expect(parseNetworkRules("reset@3%:*; delay:80ms@25%:GET").requests).toHaveLength(2);
  });
});
