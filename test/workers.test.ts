// npm test only, not test:quick: it starts WORKERS groups, each a supervisor and its worker processes.
// WORKERS=N: a supervisor and its workers, run as `npm start` runs them. What only a group
// shows: a crash costs one worker for a moment, one switch state and one /metrics for all,
// exact registrations across processes (a SIGKILL included), and a drain on SIGTERM.
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restartDelayMs } from "../src/group/backoff.js";
import { groupSample } from "../src/group/group-monitor.js";
import { MONITOR_COLUMNS, type ResourceSample } from "../src/observe/monitor.js";
import { type Answer, send as sendFresh } from "./helpers/fresh-connection.js";
import {
  copySmallSeed,
  freePort,
  isAlive,
  type ServerProcess,
  spawnServer,
  waitFor,
} from "./helpers/process.js";

/**
 * One request on its own connection (test/helpers/fresh-connection.ts). The groups start
 * without ADMIN_TOKEN: an /admin URL carries the token they generated and share, unless the
 * test leaves it out.
 */
function send(
  url: string,
  options: Parameters<typeof sendFresh>[1] & { noCredential?: boolean } = {},
): Promise<Answer> {
  const headers =
    url.includes("/admin") && options.noCredential !== true
      ? { authorization: `Bearer ${groupToken()}`, ...options.headers }
      : options.headers;
  return sendFresh(url, { ...options, headers });
}

function putSwitch(base: string, name: string, on: boolean): Promise<Answer> {
  return send(`${base}/admin/switches/${name}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ on }),
  });
}

/** The value of one series in Prometheus text, summed over lines that match. */
function metricValue(text: string, series: string): number {
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${series} `))
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
}

/**
 * Sends `path` on fresh connections until both workers have answered (the kernel picks which
 * accepts each), at most 200 times; returns every answer.
 */
async function untilBothAnswer(
  base: string,
  path: string,
  options: Parameters<typeof send>[1] = {},
): Promise<Answer[]> {
  const answers: Answer[] = [];
  const pids = new Set<string>();
  while (pids.size < 2 && answers.length < 200) {
    const batch = await Promise.all(
      Array.from({ length: 10 }, () => send(`${base}${path}`, options)),
    );
    for (const answer of batch) pids.add(String(answer.headers["x-fest-worker"]));
    answers.push(...batch);
  }
  expect(pids.size, "answers from both workers").toBe(2);
  return answers;
}

function countOf(text: string, piece: string): number {
  return text.split(piece).length - 1;
}

let dir: string;
/**
 * The file's three groups, started together before the first test (a start is mostly waiting
 * for the workers to listen); each block awaits its own and stops it. They share `dir`, so the
 * admin token one of them generates is the one every group reads.
 */
let starting: Record<"crash" | "register" | "capacity", Promise<Group>>;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "fest-lab-workers-"));
  starting = {
    crash: startGroup("crash", { MONITOR_CSV: join(dir, "group.csv") }),
    register: startGroup("register"),
    capacity: startGroup("capacity", { MAX_IN_FLIGHT: "1", MAX_WAITING: "0" }),
  };
  // A block that never runs must not leave its group's failure unhandled.
  for (const group of Object.values(starting)) group.catch(() => {});
});
afterAll(async () => {
  // Whatever a block left running (it failed before its own stop).
  await Promise.all(Object.values(starting).map((group) => group.then(stopGroup, () => undefined)));
  rmSync(dir, { recursive: true, force: true });
});

interface Group {
  server: ServerProcess;
  base: string;
  dbPath: string;
  /** Every worker pid the log has named: the banner's and each replacement's. */
  pids(): number[];
}

async function startGroup(name: string, env: Record<string, string> = {}): Promise<Group> {
  const dbPath = join(dir, `${name}.db`);
  copySmallSeed(dbPath);
  const port = await freePort();
  const server = spawnServer({
    WORKERS: "2",
    CPU_POOL_SIZE: "1",
    PORT: String(port),
    DB_PATH: dbPath,
    ADMIN_TOKEN: "",
    ...env,
  });
  await waitFor(() => server.output().includes("stop:"), 60_000, "the group's banner");
  const pids = () => {
    const text = server.output();
    const banner = /pids ([\d, ]+)\)/.exec(text)?.[1]?.split(", ").map(Number) ?? [];
    const back = [...text.matchAll(/is back: pid (\d+)/g)].map((m) => Number(m[1]));
    return [...banner, ...back];
  };
  return { server, base: `http://127.0.0.1:${port}`, dbPath, pids };
}

/** The admin token the groups generated beside their databases (all in `dir`). */
function groupToken(): string {
  return readFileSync(join(dir, "admin-token"), "utf8").trim();
}

async function stopGroup(group: Group): Promise<number | null> {
  if (group.server.child.exitCode === null) group.server.child.kill("SIGTERM");
  return group.server.exited;
}

describe("the restart backoff", () => {
  it("restarts at once after one crash, then waits longer each time, up to 4 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 10].map(restartDelayMs)).toEqual([
      0, 250, 500, 1000, 2000, 4000, 4000, 4000,
    ]);
  });
});

describe("the group's monitor line", () => {
  it("adds up CPU, memory and load, keeps the worst delay and the mean utilization", () => {
    const sample = (n: number): ResourceSample => ({
      cpuPercent: n,
      rssMb: 10 * n,
      heapUsedMb: n,
      eventLoopDelayP99Ms: n,
      eventLoopUtilization: n / 10,
      requestsPerSecond: 100 * n,
      inFlight: n,
      cpuPoolQueue: n,
    });
    const group = groupSample(sample(1), [sample(2), sample(4)]);
    expect(group.eventLoopUtilization).toBeCloseTo(0.3);
    expect({ ...group, eventLoopUtilization: 0 }).toEqual({
      cpuPercent: 7,
      rssMb: 70,
      heapUsedMb: 7,
      eventLoopDelayP99Ms: 4,
      eventLoopUtilization: 0,
      requestsPerSecond: 600,
      inFlight: 6,
      cpuPoolQueue: 6,
    });
  });
});

describe("WORKERS=2: crashes, switches and metrics", () => {
  let group: Group;
  let csv: string;
  beforeAll(async () => {
    csv = join(dir, "group.csv");
    group = await starting.crash;
  }, 90_000);
  afterAll(async () => {
    await stopGroup(group);
  });

  it("the banner says how many workers and their pids", () => {
    expect(group.server.output()).toMatch(/workers: +2 processes \(pids \d+, \d+\)/);
    expect(group.pids()).toHaveLength(2);
  });

  it("the supervisor starts no lab, yet the banner has the digits lab's line, as one process's", () => {
    expect(group.server.output()).toMatch(
      new RegExp(
        `^ {2}digits: +${group.base}/predict, model \\S+: \\d+\\.\\d % right on \\d+ held-out digits$`,
        "m",
      ),
    );
  });

  it("every worker refuses an admin request without the credential, and takes the one token the group generated", async () => {
    const refused = await untilBothAnswer(group.base, "/admin/switches/checkout-crash", {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ on: true }),
      noCredential: true,
    });
    for (const answer of refused) expect(answer.status).toBe(401);
    // Both workers (untilBothAnswer waits for both) accept the token in the file.
    for (const answer of await untilBothAnswer(group.base, "/admin/switches")) {
      expect(answer.status).toBe(200);
    }
    expect(group.server.output()).toContain(`/admin?token=${groupToken()}`);
  });

  it("a switch changed through one worker is the state of every worker, logged once", async () => {
    const changed = await putSwitch(group.base, "events-slow-loop", true);
    expect(changed.status).toBe(200);
    expect(JSON.parse(changed.body)).toMatchObject({ name: "events-slow-loop", on: true });
    const states = await untilBothAnswer(group.base, "/admin/switches");
    for (const state of states) {
      const on = JSON.parse(state.body).switches.find(
        (s: { name: string }) => s.name === "events-slow-loop",
      ).on;
      expect(on).toBe(true);
    }
    expect(countOf(group.server.output(), "switch events-slow-loop turned on")).toBe(1);

    expect((await putSwitch(group.base, "events-slow-loop", false)).status).toBe(200);
    const after = await untilBothAnswer(group.base, "/admin/switches");
    for (const state of after) expect(state.body).not.toMatch(/"events-slow-loop"[^}]*"on":true/);
  });

  it("MONITOR_CSV is one file for the whole group, written by the supervisor", async () => {
    const rows = () =>
      existsSync(csv)
        ? readFileSync(csv, "utf8")
            .split("\n")
            .slice(1, -1)
            .map((line) => line.split(","))
        : [];
    const workers = MONITOR_COLUMNS.indexOf("workers");
    await waitFor(
      () => rows().some((row) => row[workers] === "2"),
      10_000,
      "a line with 2 workers",
    );
    const text = readFileSync(csv, "utf8");
    expect(text.split("\n")[0]).toBe(MONITOR_COLUMNS.join(","));
    expect(countOf(text, "time,")).toBe(1);
    const line = rows().find((row) => row[workers] === "2") ?? [];
    expect(line).toHaveLength(MONITOR_COLUMNS.length);
    // Three processes' memory: more than one Node process holds.
    expect(Number(line[MONITOR_COLUMNS.indexOf("rss_mb")])).toBeGreaterThan(80);
  });

  it("/metrics counts the requests of every worker together", async () => {
    const series =
      'festlab_http_request_duration_seconds_count{method="GET",route="/health",status="200"}';
    const before = metricValue((await send(`${group.base}/metrics`)).body, series);
    const answers = await untilBothAnswer(group.base, "/health");
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const text = (await send(`${group.base}/metrics`)).body;
    // Both workers answered some: one worker's figures alone would fall short.
    expect(metricValue(text, series) - before).toBe(answers.length);
    expect(metricValue(text, "festlab_cpu_pool_threads")).toBe(2);
    expect(metricValue(text, "festlab_workers_listening")).toBe(2);
    // Each series once: the workers' lines are added up, not listed one after another.
    expect(countOf(text, "# TYPE festlab_cpu_pool_threads gauge")).toBe(1);
  });

  it("repeated checkout-crash-process crashes leave /health answering and each worker replaced", async () => {
    expect((await putSwitch(group.base, "checkout-crash-process", true)).status).toBe(200);
    const health: (number | string)[] = [];
    let polling = true;
    // A fresh connection every few ms for the whole run: every one must be answered 200.
    const poller = (async () => {
      while (polling) {
        try {
          health.push((await send(`${group.base}/health`)).status);
        } catch (error) {
          health.push((error as Error).message);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    try {
      for (let crash = 1; crash <= 3; crash++) {
        await expect(send(`${group.base}/checkout`)).rejects.toThrow();
        await waitFor(
          () => countOf(group.server.output(), "is back: pid") >= crash,
          15_000,
          `replacement ${crash}`,
        );
      }
    } finally {
      polling = false;
      await poller;
    }
    expect(health.length).toBeGreaterThan(10);
    // The group kept answering: no probe was refused or went unanswered. A probe whose fresh
    // connection the dying worker had just accepted dies with it (a reset), as every request
    // in flight on that worker does: at most one such probe per crash.
    const lost = health.filter((status) => status !== 200);
    expect(
      lost.every((status) => status === "read ECONNRESET"),
      String(lost),
    ).toBe(true);
    expect(lost.length).toBeLessThanOrEqual(3);
    const output = group.server.output();
    expect(countOf(output, "exited with code 1")).toBe(3);
    expect(group.pids()).toHaveLength(5);
    expect(new Set(group.pids()).size).toBe(5);

    // The replacements answer, and started with the supervisor's state, not the start settings.
    const states = await untilBothAnswer(group.base, "/admin/switches");
    const answeredBy = new Set(states.map((state) => Number(state.headers["x-fest-worker"])));
    const [, , ...replacements] = group.pids();
    expect([...answeredBy].some((pid) => replacements.includes(pid))).toBe(true);
    for (const state of states) {
      expect(state.body).toMatch(/"name":"checkout-crash-process"[^}]*"on":true/);
    }
    const metrics = (await send(`${group.base}/metrics`)).body;
    expect(metricValue(metrics, "festlab_worker_restarts_total")).toBe(3);
    expect((await putSwitch(group.base, "checkout-crash-process", false)).status).toBe(200);
  });
});

describe("WORKERS=2: registrations from two processes", () => {
  let group: Group;
  const cookies = new Map<string, string>();
  const users = Array.from({ length: 8 }, (_, i) => `user${String(i + 1).padStart(4, "0")}`);

  beforeAll(async () => {
    group = await starting.register;
    for (const username of users) {
      const login = await send(`${group.base}/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ username, password: "fest-pass" }),
      });
      const cookie = String(login.headers["set-cookie"]).split(";")[0] ?? "";
      cookies.set(username, cookie);
    }
  }, 90_000);
  afterAll(async () => {
    await stopGroup(group);
  });

  const register = (username: string, eventId: number) =>
    send(`${group.base}/events/${eventId}/register`, {
      method: "POST",
      headers: { Accept: "application/json", Cookie: cookies.get(username) ?? "" },
    });

  function database() {
    return new BetterSqlite3(group.dbPath, { readonly: true, timeout: 5_000 });
  }

  it("a session from one worker is honoured by the other", async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        send(`${group.base}/my-events`, {
          headers: { Accept: "application/json", Cookie: cookies.get("user0001") ?? "" },
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    for (const a of answers) expect(a.body).toContain("user0001");
  });

  it("a crowd registering through both workers never overbooks an event", async () => {
    const writer = new BetterSqlite3(group.dbPath, { timeout: 5_000 });
    const events = (
      writer.prepare("SELECT id FROM events ORDER BY id DESC LIMIT 3").all() as { id: number }[]
    ).map((e) => e.id);
    // Exactly two seats free in each, and none of the crowd already registered.
    for (const id of events) {
      writer
        .prepare(
          "DELETE FROM registrations WHERE event_id = ? AND user_id IN (SELECT id FROM users WHERE username LIKE 'user000%')",
        )
        .run(id);
      writer
        .prepare(
          "UPDATE events SET seats_taken = (SELECT COUNT(*) FROM registrations WHERE event_id = ?), capacity = (SELECT COUNT(*) FROM registrations WHERE event_id = ?) + 2 WHERE id = ?",
        )
        .run(id, id, id);
    }
    writer.close();
    const answers = await Promise.all(
      events.flatMap((id) => users.map((username) => register(username, id))),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(2 * events.length);
    expect(statuses.filter((s) => s === 409)).toHaveLength((users.length - 2) * events.length);
    const db = database();
    try {
      for (const id of events) {
        const row = db
          .prepare(
            "SELECT capacity, seats_taken, (SELECT COUNT(*) FROM registrations WHERE event_id = e.id) AS n FROM events e WHERE id = ?",
          )
          .get(id) as { capacity: number; seats_taken: number; n: number };
        expect(row.n).toBe(row.capacity);
        expect(row.seats_taken).toBe(row.capacity);
      }
    } finally {
      db.close();
    }
  });

  it("a worker SIGKILLed mid-write loses no acknowledged registration", async () => {
    const db = database();
    const eventIds = (db.prepare("SELECT id FROM events ORDER BY id").all() as { id: number }[])
      .map((e) => e.id)
      .slice(0, 9);
    db.close();
    const jobs = eventIds.flatMap((id) => users.map((username) => ({ username, id })));
    const acknowledged: { username: string; id: number }[] = [];
    let failed = 0;
    let next = 0;
    const [victim] = group.pids();
    let killed = false;
    // Eight clients at once, each on fresh connections to both workers in turn.
    const client = async () => {
      while (next < jobs.length) {
        const job = jobs[next++] as { username: string; id: number };
        if (!killed && acknowledged.length >= 10 && victim !== undefined) {
          killed = true;
          process.kill(victim, "SIGKILL");
        }
        try {
          const answer = await register(job.username, job.id);
          if (answer.status === 201 || answer.status === 200) acknowledged.push(job);
        } catch {
          failed++; // cut by the kill: never acknowledged, so either outcome is allowed
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, client));
    expect(killed).toBe(true);
    await waitFor(() => group.server.output().includes("killed by SIGKILL"), 10_000, "the log");
    expect(acknowledged.length).toBeGreaterThan(jobs.length / 2);
    expect(failed).toBeLessThan(jobs.length / 2);

    const check = database();
    try {
      const has = check.prepare(
        "SELECT 1 FROM registrations r JOIN users u ON u.id = r.user_id WHERE u.username = ? AND r.event_id = ?",
      );
      const missing = acknowledged.filter((job) => has.get(job.username, job.id) === undefined);
      expect(missing).toEqual([]);
      // Every seat count matches its rows: no write was half done.
      const drift = check
        .prepare(
          "SELECT e.id FROM events e WHERE e.seats_taken != (SELECT COUNT(*) FROM registrations r WHERE r.event_id = e.id)",
        )
        .all();
      expect(drift).toEqual([]);
    } finally {
      check.close();
    }
  });

  it("SIGTERM to the supervisor drains every worker and exits 0", async () => {
    await waitFor(() => group.server.output().includes("is back: pid"), 15_000, "the replacement");
    const pids = group.pids();
    expect(await stopGroup(group)).toBe(0);
    expect(group.server.output()).toMatch(/SIGTERM: draining 2 workers/);
    expect(countOf(group.server.output(), "starting a new one")).toBe(1); // the SIGKILL's only
    await waitFor(() => pids.every((pid) => !isAlive(pid)), 5_000, "every worker gone");
  });
});

describe("WORKERS=2 that cannot start", () => {
  it("stops the group with exit code 1 instead of restarting forever", async () => {
    const blocker = createServer().listen(0, "127.0.0.1");
    await once(blocker, "listening");
    const port = (blocker.address() as { port: number }).port;
    const dbPath = join(dir, "blocked.db");
    copySmallSeed(dbPath);
    try {
      const server = spawnServer({ WORKERS: "2", PORT: String(port), DB_PATH: dbPath });
      expect(await server.exited).toBe(1);
      expect(server.output()).toContain(`port ${port} on 127.0.0.1 is in use`);
      expect(server.output()).toContain("stopping the group");
    } finally {
      blocker.close();
    }
  });
});

describe("WORKERS=2 with MAX_IN_FLIGHT=1: the limit is per process", () => {
  let group: Group;
  beforeAll(async () => {
    group = await starting.capacity;
  }, 90_000);
  afterAll(async () => {
    await stopGroup(group);
  });

  it("each worker runs one request at once and refuses the next, so the group runs two", async () => {
    // The kernel picks the worker of each connection: batches until one batch reached both.
    let bothRan = false;
    for (let batch = 0; batch < 20 && !bothRan; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 4 }, () => send(`${group.base}/io?ms=300`)),
      );
      const ranOn = answers
        .filter((answer) => answer.status === 200)
        .map((answer) => String(answer.headers["x-fest-worker"]));
      // Never two at once in one worker: its own limit holds.
      expect(new Set(ranOn).size).toBe(ranOn.length);
      expect(answers.every((answer) => answer.status === 200 || answer.status === 503)).toBe(true);
      bothRan = ranOn.length === 2;
    }
    expect(bothRan).toBe(true);
  });
});
