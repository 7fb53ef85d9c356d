// dashboards/fest-lab.json against a real Prometheus: Debian's `prometheus` scrapes a live
// server, a WORKERS=2 group and a SERVICES=1 gateway every second while they take a short load with errors, a fault,
// refusals at the capacity limit, /cpu and a prediction; then every panel's query must parse
// and return data. A query that names a metric the server does not export, or a label it
// does not set, comes back empty and fails here, not in a classroom.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../src/paths.js";
import {
  copySmallSeed,
  freePort,
  type ServerProcess,
  spawnServer,
  waitFor,
} from "./helpers/process.js";
import {
  concreteQuery,
  findPrometheus,
  PROMETHEUS_INSTALL_HINT,
  type RunningPrometheus,
  startPrometheus,
} from "./helpers/prometheus.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

const PROMETHEUS = findPrometheus();
const REQUIRED = process.env.REQUIRE_PROMETHEUS === "1";
const DASHBOARD_PATH = join(projectRoot, "dashboards", "fest-lab.json");

interface Target {
  expr: string;
  refId: string;
}
interface Panel {
  type: string;
  title: string;
  targets?: Target[];
}
const dashboard = JSON.parse(readFileSync(DASHBOARD_PATH, "utf8")) as {
  schemaVersion: number;
  panels: Panel[];
  __inputs: { name: string; pluginId: string }[];
};
const queryPanels = dashboard.panels.filter((panel) => panel.type !== "row");

/** Answers from `url`, bounded; the status is all the load needs. */
async function send(url: string, init: RequestInit = {}): Promise<number> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer();
  return res.status;
}

describe("the dashboard file", () => {
  it("imports into Grafana asking for a Prometheus source, and every panel has a query", () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(38);
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({ name: "DS_PROMETHEUS", pluginId: "prometheus" }),
    ]);
    expect(queryPanels.length).toBeGreaterThanOrEqual(10);
    for (const panel of queryPanels) expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
  });

  it("is described panel by panel in the Dashboard section of docs/metrics.md", () => {
    const page = readFileSync(join(projectRoot, "docs", "metrics.md"), "utf8");
    const section = page.slice(page.indexOf("## Dashboard"), page.indexOf("## Resource monitor"));
    for (const panel of queryPanels) expect(section, panel.title).toContain(`| ${panel.title} `);
  });

  it("turns Grafana's variables into a query Prometheus can run", () => {
    const grafana =
      'rate(x_count{route=~"$route"}[$__rate_interval]) + y{a=~"$' + '{route:regex}"}';
    expect(concreteQuery(grafana)).toBe('rate(x_count{route=~".*"}[15s]) + y{a=~".*"}');
  });
});

if (PROMETHEUS === undefined && !REQUIRED) {
  console.warn(`dashboard.test.ts: skipped, no \`prometheus\` on PATH; ${PROMETHEUS_INSTALL_HINT}`);
}

// Registered only when it applies: a runIf'd test would count as skipped, and CI fails on any skip.
if (PROMETHEUS === undefined && REQUIRED) {
  describe("the dashboard against Prometheus (REQUIRE_PROMETHEUS=1)", () => {
    it("treats a missing prometheus as an error", () => {
      throw new Error(
        `REQUIRE_PROMETHEUS=1 but no \`prometheus\` on PATH: ${PROMETHEUS_INSTALL_HINT}`,
      );
    });
  });
}

describe.skipIf(PROMETHEUS === undefined)(
  `the dashboard against a real Prometheus${PROMETHEUS === undefined ? ` (skipped: ${PROMETHEUS_INSTALL_HINT})` : ""}`,
  () => {
    let server: TestServer | undefined;
    let group: ServerProcess | undefined;
    let groupUrl = "";
    let services: ServerProcess | undefined;
    let servicesUrl = "";
    const JOBS = ["fest-lab", "fest-lab-workers", "fest-lab-services"];
    let prometheus: RunningPrometheus | undefined;
    let dir = "";

    /** Waits (bounded) until Prometheus has scraped every job after this moment. */
    async function scrapedAfterNow(): Promise<void> {
      const now = Date.now() / 1000;
      for (const job of JOBS) {
        await waitFor(
          async () => ((await prometheus?.lastScrape(job)) ?? 0) > now,
          15_000,
          `a scrape of ${job} after the load`,
        );
      }
    }

    /** Requests to several routes: successes, a crash bug's 500s, 404s, a fault, /cpu. */
    async function loadRound(url: string): Promise<void> {
      for (let i = 0; i < 3; i++) {
        for (const path of [
          "/health",
          "/events?user=locust_user",
          "/checkout",
          "/no/such/page",
          "/cpu",
          "/io?ms=10",
          "/status",
        ]) {
          await send(`${url}${path}`);
        }
      }
      const pixels = server?.model.examples[3]?.pixels ?? [];
      const predicted = await send(`${url}/predict`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ pixels }),
      });
      expect(predicted).toBe(200);
      // Eight at once past a limit of four with no waiting line: some are refused.
      const burst = await Promise.all(Array.from({ length: 8 }, () => send(`${url}/io?ms=300`)));
      expect(burst).toContain(503);
      await send(`${groupUrl}/health`);
      await send(`${groupUrl}/events?user=locust_user`);
      await send(`${servicesUrl}/health`);
      await send(`${servicesUrl}/events?user=locust_user`);
      // A name events has not met: events asks accounts, a call between services.
      await send(`${servicesUrl}/events?user=nobody-events-has-met`);
    }

    /** Through the gateway, a checkout that takes its service down: a 502, "down", a restart. */
    async function crashCheckout(): Promise<void> {
      const login = await fetch(`${servicesUrl}/login`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ username: "locust_user", password: "locust-pass" }),
      });
      const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      expect(await send(`${servicesUrl}/checkout`, { headers: { cookie } })).toBe(502);
      const started = services;
      await waitFor(() => started?.output().includes("is back") ?? false, 20_000, "checkout back");
    }

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "fest-lab-dashboard-"));
      // The three servers start at once (each its own port and database): most of a start is
      // waiting for a process to come up.
      const dbPath = join(dir, "group.db");
      copySmallSeed(dbPath);
      copySmallSeed(join(dir, "services.db"));
      const port = await freePort();
      const servicesPort = await freePort();
      // The workers panel needs a group: its /metrics adds the supervisor's figures.
      group = spawnServer({
        WORKERS: "2",
        CPU_POOL_SIZE: "1",
        PORT: String(port),
        DB_PATH: dbPath,
      });
      // The gateway panels need the services: its /metrics adds theirs, labelled by service.
      services = spawnServer({
        SERVICES: "1",
        CPU_POOL_SIZE: "1",
        PORT: String(servicesPort),
        DB_PATH: join(dir, "services.db"),
        BUGS: "checkout-crash-process",
      });
      const [groupStarted, servicesStarted] = [group, services];
      [server] = await Promise.all([
        startTestServer({
          LOG_LEVEL: "warn",
          BUGS: "checkout-crash",
          FAULTS: "delay:20ms@100%:/status",
          MAX_IN_FLIGHT: "4",
          MAX_WAITING: "0",
        }),
        // Each bound as long as the slowest start's: the three share the cores as they start.
        waitFor(() => groupStarted.output().includes("stop:"), 60_000, "the group's banner"),
        waitFor(() => servicesStarted.output().includes("stop:"), 60_000, "the services' banner"),
      ]);
      groupUrl = `http://127.0.0.1:${port}`;
      servicesUrl = `http://127.0.0.1:${servicesPort}`;

      prometheus = await startPrometheus(PROMETHEUS ?? "prometheus", {
        "fest-lab": new URL(server.url).host,
        "fest-lab-workers": `127.0.0.1:${port}`,
        "fest-lab-services": `127.0.0.1:${servicesPort}`,
      });
      const running = prometheus;
      for (const job of JOBS) {
        await waitFor(
          async () => (await running.query(`up{job="${job}"}`)).data?.result[0]?.value[1] === "1",
          20_000,
          `prometheus to scrape ${job}`,
        );
      }
      // Two rounds with a scrape between them, so rates cover requests on both sides of a scrape.
      await loadRound(server.url);
      await crashCheckout();
      await scrapedAfterNow();
      await loadRound(server.url);
      await scrapedAfterNow();
      await scrapedAfterNow();
    }, 120_000);

    afterAll(async () => {
      await prometheus?.stop();
      for (const running of [group, services]) {
        if (running === undefined || running.child.exitCode !== null) continue;
        running.child.kill("SIGTERM");
        const timer = setTimeout(() => running.child.kill("SIGKILL"), 10_000);
        await running.exited;
        clearTimeout(timer);
      }
      await server?.stop();
      if (dir !== "") rmSync(dir, { recursive: true, force: true });
    }, 30_000);

    it.each(
      queryPanels.flatMap((panel) =>
        (panel.targets ?? []).map((target) => ({ title: panel.title, ...target })),
      ),
    )("$title ($refId): the query parses and returns data", async ({ expr }) => {
      const answer = await prometheus?.query(concreteQuery(expr));
      expect(answer?.error, expr).toBeUndefined();
      expect(answer?.status, expr).toBe("success");
      const values = (answer?.data?.result ?? []).map((series) => Number(series.value[1]));
      expect(values.length, `no series for ${expr}`).toBeGreaterThan(0);
      expect(values.some(Number.isFinite), `only NaN for ${expr}`).toBe(true);
    });

    it("has a panel for every festlab_ metric the server and the groups export", async () => {
      const exported = new Set<string>();
      for (const url of [server?.url, groupUrl, servicesUrl]) {
        const text = await (await fetch(`${url}/metrics`)).text();
        for (const match of text.matchAll(/^# TYPE (festlab_\w+)/gm)) exported.add(match[1] ?? "");
      }
      const exprs = queryPanels.flatMap((panel) => panel.targets ?? []).map((t) => t.expr);
      const missing = [...exported].filter((name) => !exprs.some((expr) => expr.includes(name)));
      expect(missing).toEqual([]);
    });
  },
);
