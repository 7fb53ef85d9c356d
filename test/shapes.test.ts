// npm test only, not test:quick: it starts a WORKERS=2 group and a --services group, twice each.
// One behaviour suite, run in the three shapes of the server (one process, WORKERS=2,
// SERVICES=1): the truth is the group's, faults set live act and are counted, a reset puts
// every member back, a challenge hides what it switched on from everybody without the
// credential and its hints and grading are the group's, and a crash costs the group a member
// for a moment (one process: the process). Each shape is started once per block, and once more
// with the settings only a start can give.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pickVariant } from "../src/challenge/challenges.js";
import { loadChallenges } from "../src/challenge/definition.js";
import type { LivePoint } from "../src/live/live-figures.js";
import { MONITOR_COLUMNS } from "../src/observe/monitor.js";
import { projectRoot } from "../src/paths.js";
import type { TruthReport } from "../src/truth/truth.js";
import { send } from "./helpers/fresh-connection.js";
import { seededFolderForTests, waitFor } from "./helpers/process.js";
import { adminOf, type RunningShape, SHAPE_ADMIN, SHAPES, startShape } from "./helpers/shapes.js";

const JSON_HEADERS = { "Content-Type": "application/json", Accept: "application/json" };

type RouteCount = TruthReport["routes"][number];

describe.each(SHAPES)("the server as %s", (shape) => {
  const folder = seededFolderForTests("fest-lab-shape-");
  const limitedFolder = seededFolderForTests("fest-lab-shape-limited-");
  let running: RunningShape;
  /** The same shape started with FAULTS on a fest page, FAULT_HEADERS and a capacity limit. */
  let limited: RunningShape;
  const monitorPath = () => join(folder(), "monitor.csv");
  beforeAll(async () => {
    // One after the other: two --services groups starting at once (ten processes) once took
    // more than a minute on a loaded machine.
    running = await startShape(shape, folder(), { MONITOR_CSV: monitorPath() });
    limited = await startShape(shape, limitedFolder(), {
      FAULTS: "error:503@100%:/events",
      FAULT_HEADERS: "1",
      MAX_IN_FLIGHT: "1",
      MAX_WAITING: "0",
    });
  }, 150_000);
  afterAll(async () => {
    await Promise.all([running?.stop(), limited?.stop()]);
  });

  /** `count` GETs of `paths` in turn, `paths.length` at a time, each on its own connection. */
  const sendEach = async (
    paths: readonly string[],
    count: number,
    options: Parameters<typeof send>[1] = {},
  ) => {
    const answers = [];
    for (let n = 0; n < count; n += paths.length) {
      const round = paths.slice(0, Math.min(paths.length, count - n));
      answers.push(
        ...(await Promise.all(round.map((path) => send(`${running.url}${path}`, options)))),
      );
    }
    return answers;
  };

  const { admin, adminJson } = adminOf(() => running.url);
  const routesOfTruth = async (): Promise<RouteCount[]> =>
    (await adminJson("GET", "/admin/truth")).routes;
  const countOf = (routes: readonly RouteCount[], route: string) =>
    routes.find((r) => r.method === "GET" && r.route === route);

  it("GET /admin/truth counts every request the group got, as one document", async () => {
    await adminJson("POST", "/admin/truth/reset");
    // The fest pages too: under --services each is counted by the service that answered it
    // (/checkout once, though checkout asked events for its lines).
    const paths = [
      "/",
      "/health",
      "/io?ms=1",
      "/api/id?id=1",
      "/events?user=locust_user",
      "/checkout?user=locust_user",
    ];
    const sent = 42;
    for (const answer of await sendEach(paths, sent)) expect(answer.status).toBeLessThan(500);
    const truth = (await adminJson("GET", "/admin/truth")) as TruthReport;
    for (const route of ["/", "/health", "/io", "/events", "/checkout"]) {
      expect(countOf(truth.routes, route)?.requests, route).toBe(sent / paths.length);
      expect(countOf(truth.routes, route)?.statuses["200"], route).toBe(sent / paths.length);
    }
    expect(truth.routes.filter((r) => r.route.startsWith("/internal"))).toEqual([]);
    // The percentiles too are the group's, read from every member's samples: exact.
    expect(truth.latency).toMatch(/^exact:/);
    expect(countOf(truth.routes, "/health")?.latencyMs.answered).toBe(sent / paths.length);
  });

  it("the live view's seconds are the group's: its window counts what the group's truth counts, route by route, and a change is marked once", async () => {
    // Read as the page reads it: server-sent events, each answer short and bounded.
    const livePoints = async (after: number): Promise<LivePoint[]> => {
      const answer = await send(`${running.url}/admin/live/events?after=${after}`, {
        headers: SHAPE_ADMIN,
      });
      expect(answer.status, answer.body).toBe(200);
      return answer.body
        .split("\n")
        .filter((line) => line.startsWith("data: "))
        .map((line) => JSON.parse(line.slice("data: ".length)) as LivePoint);
    };
    // Watching starts every member's sampling; the seconds before the load are left out.
    let seen = 0;
    await waitFor(
      async () => {
        seen = Math.max(seen, ...(await livePoints(seen)).map((p) => p.id));
        return seen > 0;
      },
      20_000,
      "the live view's first second",
    );
    await adminJson("POST", "/admin/truth/reset");
    // Under --services /events is a fest service's: its share is in the group's seconds too.
    const paths = ["/health", "/io?ms=1", "/events?user=locust_user"];
    const sent = 30;
    for (const answer of await sendEach(paths, sent)) expect(answer.status).toBe(200);
    // A change is a mark, once in the group's seconds though every member follows it.
    await adminJson("PUT", "/admin/faults", { faults: "" });
    const loadEnded = Date.now();
    const window: LivePoint[] = [];
    await waitFor(
      async () => {
        const points = await livePoints(Math.max(seen, ...window.map((p) => p.id)));
        window.push(...points);
        // A second that ends after the last answer holds every member's count of the load.
        return window.some((p) => p.t > loadEnded + 1000);
      },
      20_000,
      "a live second after the load",
    );
    const truth = (await adminJson("GET", "/admin/truth")) as TruthReport;
    for (const route of ["/health", "/io", "/events"]) {
      const counted = window.reduce((sum, p) => sum + (p.routes[`GET ${route}`]?.requests ?? 0), 0);
      expect(counted, route).toBe(sent / paths.length);
      expect(counted, route).toBe(countOf(truth.routes, route)?.requests);
    }
    const marks = window.flatMap((p) => p.marks);
    expect(
      marks.filter((m) => m.kind === "fault" && m.text.startsWith("faults cleared")),
    ).toHaveLength(1);
    if (shape !== "one process") {
      expect(window.every((p) => (p.members ?? 0) >= 1)).toBe(true);
      expect(Math.max(...window.map((p) => p.members ?? 0)), "members added up").toBeGreaterThan(1);
    }
  });

  it("MONITOR_CSV is one file for the group: a line for every member, the group's requests in it", async () => {
    const members = { "one process": 1, workers: 2, services: 4 }[shape];
    const lines = () =>
      existsSync(monitorPath()) ? readFileSync(monitorPath(), "utf8").trim().split("\n") : [];
    const column = (name: (typeof MONITOR_COLUMNS)[number]) => MONITOR_COLUMNS.indexOf(name);
    const busy = () =>
      lines()
        .slice(1)
        .map((line) => line.split(","))
        .some(
          (values) =>
            Number(values[column("workers")]) === members &&
            Number(values[column("requests_per_second")]) > 0,
        );
    let sending = true;
    const load = (async () => {
      while (sending) await send(`${running.url}/health`);
    })();
    try {
      await waitFor(busy, 10_000, `a line with ${members} members and requests`);
    } finally {
      sending = false;
      await load;
    }
    expect(lines()[0]).toBe(MONITOR_COLUMNS.join(","));
  });

  it("faults set live act in every member, on a fest page too, and the truth names each one injected", async () => {
    await adminJson("PUT", "/admin/faults", {
      faults: "error:503@100%:/io;error:502@100%:/events",
    });
    await adminJson("POST", "/admin/truth/reset");
    for (const [path, status] of [
      ["/io?ms=1", 503],
      ["/events?user=locust_user", 502],
    ] as const) {
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => send(`${running.url}${path}`)),
      );
      expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(status));
    }
    const routes = await routesOfTruth();
    expect(countOf(routes, "/io")?.faults.error).toBe(10);
    expect(countOf(routes, "/io")?.statuses["503"]).toBe(10);
    expect(countOf(routes, "/events")?.faults.error).toBe(10);
    expect(countOf(routes, "/events")?.statuses["502"]).toBe(10);
    await adminJson("PUT", "/admin/faults", { faults: "" });
    expect((await send(`${running.url}/io?ms=1`)).status).toBe(200);
    expect((await send(`${running.url}/events?user=locust_user`)).status).toBe(200);
  });

  it("a fault rule naming a route no member has is refused with 400, and changes nothing", async () => {
    const refused = await admin("PUT", "/admin/faults", { faults: "error:503@100%:/nowhere" });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain("/nowhere");
    expect((await adminJson("GET", "/admin/faults")).faults).toBe("");
  });

  it("was-it-the-network: the resets it sets on the fest pages are the server's, each one in the run's truth", async () => {
    const challenge = challengeNamed("was-it-the-network");
    // The variant that resets 6 %: 150 requests see some resets, bar a 1 in 10,000 chance.
    const seed = Array.from({ length: 100 }, (_, n) => n).find(
      (n) => pickVariant(challenge, n).faults === "reset@6%:*",
    );
    const started = await adminJson("POST", "/admin/challenge/start", {
      name: "was-it-the-network",
      seed,
    });
    const runId = started.runId as string;
    expect(runId).toMatch(/^was-it-the-network-/);
    let reset = 0;
    let answered = 0;
    for (let n = 0; n < 150; n++) {
      // Under --services the gateway carries out the service's reset: no answer, not a 502.
      const answer = await send(`${running.url}/events?user=locust_user`, {
        headers: { "X-Run-Id": runId },
      }).catch((error: NodeJS.ErrnoException) => error.code ?? error.message);
      if (answer === "ECONNRESET") {
        reset++; // no answer at all: what Locust calls a connection reset
        continue;
      }
      expect(typeof answer === "string" ? answer : answer.status).toBe(200);
      answered++;
    }
    // The faults by kind answer "what share got no answer": withheld from the truth and
    // /metrics of every member while the challenge runs; every count stays.
    const shown = await adminJson("GET", `/admin/truth?run=${runId}`);
    expect(shown.withheld).toContain("hidden while challenge was-it-the-network runs");
    expect(JSON.stringify(shown)).not.toMatch(/"reset":\d|resetByFault/);
    expect(countOf(shown.routes, "/events")?.requests).toBe(150);
    for (let n = 0; n < 4; n++) {
      const metrics = await send(`${running.url}/metrics`);
      expect(metrics.body).not.toMatch(/^(# (HELP|TYPE) )?festlab_faults_injected_total/m);
      expect(metrics.body).toContain("festlab_http_request_duration_seconds");
    }
    // The instructor's view, asked for by name with the credential, shows them.
    const truth = (await adminJson(
      "GET",
      `/admin/truth?run=${runId}&view=instructor`,
    )) as TruthReport;
    await adminJson("POST", "/admin/challenge/stop");
    const events = countOf(truth.routes, "/events");
    expect(reset).toBeGreaterThan(0);
    expect(events?.requests).toBe(150);
    expect(events?.faults.reset).toBe(reset);
    expect(events?.statuses["200"]).toBe(answered);
  });

  it("POST /admin/reset puts the switches, the faults, the data and the truth back in every member", async () => {
    const account = JSON.stringify({ username: "shape_user", password: "shape-pass" });
    const signUp = () =>
      send(`${running.url}/signup`, { method: "POST", headers: JSON_HEADERS, body: account });
    expect((await signUp()).status).toBe(201);
    expect((await signUp()).status).toBe(409);
    await adminJson("PUT", "/admin/switches/events-slow-loop", { on: true });
    await adminJson("PUT", "/admin/faults", { faults: "delay:1ms@100%:/health" });
    for (let n = 0; n < 6; n++) await send(`${running.url}/health`);

    const report = await adminJson("POST", "/admin/reset");
    expect(report.faults).toMatchObject({ was: "delay:1ms@100%:/health", now: "" });
    expect(report.switches.turnedOff).toContain("events-slow-loop");
    // The data of each member as seeded: the name is free again.
    expect((await signUp()).status).toBe(201);
    // Asked on fresh connections, so each member of a group answers some of them.
    for (let n = 0; n < 6; n++) {
      const switches = await adminJson("GET", "/admin/switches");
      const slow = switches.switches.find((s: { name: string }) => s.name === "events-slow-loop");
      expect(slow.on).toBe(false);
      expect((await adminJson("GET", "/admin/faults")).faults).toBe("");
    }
    expect(countOf(await routesOfTruth(), "/health")).toBeUndefined();
    await adminJson("POST", "/admin/reset");
  });

  it("a challenge hides what it switched on from every page, /metrics and the log without the credential; hints, grading and stop are the group's", async () => {
    const logBefore = running.server.output().length;
    const started = await adminJson("POST", "/admin/challenge/start", {
      name: "slow-listing",
      seed: 7,
    });
    expect(started.running).toBe(true);

    const seen: string[] = [];
    for (let n = 0; n < 4; n++) {
      for (const path of ["/events", "/my-events?user=locust_user", "/", "/metrics"]) {
        const answer = await send(`${running.url}${path}`, {
          headers: { Accept: "text/html", "X-Run-Id": started.runId },
        });
        seen.push(`${path}: ${answer.body}`);
      }
    }
    const withoutToken = await send(`${running.url}/admin/switches`, { headers: JSON_HEADERS });
    expect(withoutToken.status).toBe(401);
    // The admin does not see it either (every student's own commands hold the credential):
    // the test knows the answer from the seed, as the instructor's copy of the challenge does.
    const withToken = await adminJson("GET", "/admin/switches");
    expect(withToken.switches.some((s: { on?: boolean }) => s.on === true)).toBe(false);
    const on = pickVariant(challengeNamed("slow-listing"), 7).switches;
    expect(on).toHaveLength(1);

    // The hints and the grading come from whichever member answers: one count for the group.
    expect((await adminJson("POST", "/admin/challenge/hint")).number).toBe(1);
    expect((await adminJson("POST", "/admin/challenge/hint")).number).toBe(2);
    // A choice is graded only with every figure right (src/challenge/grade.ts).
    const counted = (await adminJson("GET", `/admin/truth?run=${started.runId}`)).routes;
    const requests = counted.reduce((n: number, r: RouteCount) => n + r.requests, 0);
    const verdict = await adminJson("POST", "/admin/challenge/verify", {
      answers: {
        switch: on[0],
        page: pickVariant(challengeNamed("slow-listing"), 7).answers.page,
        requests: String(requests),
      },
    });
    expect(verdict.questions.find((q: { id: string }) => q.id === "switch").pass).toBe(true);
    const log = running.server.output().slice(logBefore);
    const stopped = await adminJson("POST", "/admin/challenge/stop");
    expect(stopped.broke).toContain(on[0]);

    for (const body of seen) {
      expect(body).not.toMatch(new RegExp(`festlab_switch_on\\{[^}]*${on[0]}[^}]*\\} 1`));
      expect(body).not.toContain(`switches on: <strong>${on[0]}`);
    }
    expect(log).not.toContain(on[0]);
    const after = await send(`${running.url}/events`, { headers: { Accept: "text/html" } });
    expect(after.body).toContain("switches on: <strong>none");
  });

  it("checkout-crash-process: a group serves again, one process exits", async () => {
    await adminJson("PUT", "/admin/switches/checkout-crash-process", { on: true });
    const login = await send(`${running.url}/login`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ username: "locust_user", password: "locust-pass" }),
    });
    const cookie = String(login.headers["set-cookie"] ?? "").split(";")[0] ?? "";
    await send(`${running.url}/checkout`, { headers: { ...JSON_HEADERS, Cookie: cookie } }).catch(
      () => undefined, // the connection dies with the process that held it
    );
    if (shape === "one process") {
      expect(await running.server.exited).toBe(1);
      return;
    }
    await waitFor(() => running.server.output().includes("is back: pid"), 20_000, "a new member");
    await adminJson("PUT", "/admin/switches/checkout-crash-process", { on: false });
    const again = await send(`${running.url}/checkout`, {
      headers: { ...JSON_HEADERS, Cookie: cookie },
    });
    expect(again.status).toBe(200);
  });

  describe("started with FAULTS on a fest page, FAULT_HEADERS and a capacity limit", () => {
    it("FAULTS at start act on /events, and the truth counts each one", async () => {
      const answers = [];
      for (let n = 0; n < 6; n++) answers.push(await send(`${limited.url}/events`));
      expect(answers.map((answer) => answer.status)).toEqual(Array(6).fill(503));
      const truth = await send(`${limited.url}/admin/truth`, { headers: SHAPE_ADMIN });
      const events = countOf((JSON.parse(truth.body) as TruthReport).routes, "/events");
      expect(events?.requests).toBe(6);
      expect(events?.faults.error).toBe(6);
      expect((await send(`${limited.url}/health`)).status).toBe(200);
    });

    it("FAULT_HEADERS: a request to a fest page asks for its own fault, and the truth counts it", async () => {
      const asked = await send(`${limited.url}/checkout?user=locust_user`, {
        headers: { "X-Fault-Error": "504" },
      });
      expect(asked.status).toBe(504);
      expect((await send(`${limited.url}/checkout?user=locust_user`)).status).toBe(200);
      const truth = await send(`${limited.url}/admin/truth`, { headers: SHAPE_ADMIN });
      const checkout = countOf((JSON.parse(truth.body) as TruthReport).routes, "/checkout");
      expect(checkout?.requests).toBe(2);
      expect(checkout?.faults.error).toBe(1);
      expect(checkout?.statuses["504"]).toBe(1);
    });

    it("MAX_IN_FLIGHT limits each process: more requests at once than processes that serve them, and some are refused with 503", async () => {
      // /io is the labs service's alone under --services; with WORKERS=2 three requests at once
      // are more than the two workers' one slot each.
      const answers = await Promise.all(
        Array.from({ length: 3 }, () => send(`${limited.url}/io?ms=1500`)),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses, statuses.join(",")).toContain(200);
      expect(statuses, statuses.join(",")).toContain(503);
    });
  });
});

function challengeNamed(name: string) {
  const found = loadChallenges(join(projectRoot, "challenges")).find((c) => c.name === name);
  if (found === undefined) throw new Error(`no challenge ${name}`);
  return found;
}
