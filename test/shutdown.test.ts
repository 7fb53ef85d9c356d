// The drain on SIGTERM or Ctrl+C: requests in flight finish and say `Connection: close`, a
// request that comes after gets 503 or a closed connection, a grace too short cuts and says
// how many, idle keep-alive connections do not hold the exit, and a second signal exits now.

import { Agent, type IncomingHttpHeaders, request } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type ServerProcess,
  seededDatabaseForTests,
  seededFolderForTests,
  spawnListening,
  waitFor,
} from "./helpers/process.js";
import { openRaw } from "./helpers/raw-http.js";
import { startTestServer } from "./helpers/server.js";

type Answer = { status: number; headers: IncomingHttpHeaders; body: string } | "closed";

/** One GET, bounded: its answer, "closed" when the connection failed, an error when it hangs. */
function get(url: string, agent: Agent | false, timeoutMs = 20_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let body = "";
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on("error", () => resolve("closed"));
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      reject(new Error(`GET ${url} hung for ${timeoutMs} ms`));
    });
    req.on("error", () => resolve("closed"));
    req.end();
  });
}

const status = (answer: Answer) => (answer === "closed" ? "closed" : answer.status);

// The in-process servers read the data only: one seeded database for all of them.
const dbPath = seededDatabaseForTests("fest-lab-drain-in-process-");

// Each test drains a server of its own: the tests of a block run at once.
describe.concurrent("the drain, in process", () => {
  it("an answer written after the drain began says Connection: close", async () => {
    const server = await startTestServer({ DB_PATH: dbPath, LOG_LEVEL: "warn" });
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    try {
      const answer = get(`${server.url}/io?ms=500`, agent);
      await waitFor(() => server.metrics.inFlight === 1, 5_000, "the /io request in flight");
      const closing = server.close();
      const res = await answer;
      expect(status(res)).toBe(200);
      expect(res !== "closed" && res.headers.connection).toBe("close");
      expect(await closing).toEqual({ inFlight: 1, cut: 0 });
    } finally {
      agent.destroy();
      await server.stop();
    }
  });

  it("a request that arrives after the drain began gets 503 with Retry-After and is not run", async () => {
    const server = await startTestServer({ DB_PATH: dbPath, LOG_LEVEL: "warn" });
    try {
      // A connection whose request is half sent when the drain begins, the rest after.
      const raw = await openRaw(server.url);
      raw.socket.write("GET /io?ms=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      const slow = get(`${server.url}/io?ms=1500`, false);
      await waitFor(() => server.metrics.inFlight === 1, 5_000, "the slow request in flight");
      const closing = server.close();
      raw.socket.write("Accept: application/json\r\n\r\n");
      const text = await raw.closed(5_000);
      expect(text).toMatch(/^HTTP\/1\.1 503 /);
      expect(text).toMatch(/connection: close/i);
      expect(text).toMatch(/retry-after: \d+/i);
      expect(text).toContain("shutting down");
      expect(text).not.toContain("waitedMs"); // /io's own answer: the route never ran
      expect(status(await slow)).toBe(200);
      await closing;
    } finally {
      await server.stop();
    }
  });

  it("a grace shorter than a request cuts it, and the log counts it", async () => {
    const server = await startTestServer({ DB_PATH: dbPath, LOG_LEVEL: "warn" });
    try {
      const answer = get(`${server.url}/io?ms=5000`, false);
      await waitFor(() => server.metrics.inFlight === 1, 5_000, "the /io request in flight");
      expect(await server.close(100)).toEqual({ inFlight: 1, cut: 1 });
      expect(await answer).toBe("closed");
      expect(server.logs.join("")).toContain("cut 1 request(s) still in flight");
    } finally {
      await server.stop();
    }
  });

  it("idle keep-alive connections do not hold the close for the grace period", async () => {
    // A minute of grace: were the idle connections waited for, the test would time out.
    const server = await startTestServer({
      DB_PATH: dbPath,
      LOG_LEVEL: "warn",
      SHUTDOWN_GRACE_MS: "60000",
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    try {
      await Promise.all([1, 2, 3].map(() => get(`${server.url}/health`, agent)));
      expect(Object.values(agent.freeSockets).flat().length).toBeGreaterThan(0);
      expect(await server.close()).toEqual({ inFlight: 0, cut: 0 });
    } finally {
      agent.destroy();
      await server.stop();
    }
  });
});

describe.concurrent("the drain, as a process", () => {
  const dir = seededFolderForTests("fest-lab-drain-");

  async function start(env: Record<string, string> = {}): Promise<[ServerProcess, string]> {
    const { server, url } = await spawnListening({ DB_PATH: join(dir(), "fest.db"), ...env });
    return [server, url];
  }

  /** Polls /metrics on its own connection until `count` requests (besides itself) are in flight. */
  async function inFlight(url: string, count: number): Promise<void> {
    await waitFor(
      async () => {
        const res = await get(`${url}/metrics`, false, 5_000);
        const line = res === "closed" ? undefined : /^festlab_http_requests_in_flight (\d+)/m;
        const match = res !== "closed" && line ? line.exec(res.body) : null;
        return match !== null && Number(match[1]) >= count + 1;
      },
      10_000,
      `${count} requests in flight`,
    );
  }

  it("SIGTERM during 50 /io?ms=1000: each answers 200 with Connection: close, follow-ups get 503 or a closed connection, exit 0", async () => {
    const [server, url] = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 50 });
    try {
      // Each request, once answered, sends its keep-alive follow-up on the same agent.
      const pairs = Array.from({ length: 50 }, async () => {
        const first = await get(`${url}/io?ms=1000`, agent);
        const followUp = await get(`${url}/io?ms=0`, agent, 10_000);
        return { first, followUp };
      });
      await inFlight(url, 50);
      server.child.kill("SIGTERM");
      const results = await Promise.all(pairs);

      expect(results.map((r) => status(r.first))).toEqual(Array(50).fill(200));
      for (const { first } of results)
        expect(first !== "closed" && first.headers.connection).toBe("close");
      for (const { followUp } of results) expect([503, "closed"]).toContain(status(followUp));
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain("SIGTERM: draining");
    } finally {
      agent.destroy();
      server.child.kill("SIGKILL");
    }
  });

  it("a grace shorter than a request cuts it, says how many in the log, and still exits 0", async () => {
    const [server, url] = await start({ SHUTDOWN_GRACE_MS: "200" });
    try {
      const answer = get(`${url}/io?ms=5000`, false);
      await inFlight(url, 1);
      server.child.kill("SIGTERM");
      expect(await answer).toBe("closed");
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain("cut 1 request(s) still in flight");
    } finally {
      server.child.kill("SIGKILL");
    }
  });

  it("idle keep-alive connections do not delay the exit", async () => {
    const [server, url] = await start({ SHUTDOWN_GRACE_MS: "60000" });
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    try {
      await Promise.all([1, 2, 3, 4].map(() => get(`${url}/health`, agent)));
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0); // within the test's timeout, far below the grace
    } finally {
      agent.destroy();
      server.child.kill("SIGKILL");
    }
  });

  it("a second Ctrl+C exits at once, with code 1", async () => {
    const [server, url] = await start();
    try {
      const answer = get(`${url}/io?ms=8000`, false);
      await inFlight(url, 1);
      server.child.kill("SIGINT");
      await waitFor(() => server.output().includes("SIGINT: draining"), 5_000, "the drain");
      server.child.kill("SIGINT");
      expect(await server.exited).toBe(1);
      expect(await answer).toBe("closed");
      expect(server.output()).toContain("SIGINT again: exiting now");
    } finally {
      server.child.kill("SIGKILL");
    }
  });
});
