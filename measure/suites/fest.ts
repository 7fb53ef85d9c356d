// The fest monolith's figures, on one database of the default size seeded for the run:
//   each route's cost, one request at a time, naive against optimized (the lesson's ratio);
//   each optimized page's throughput as HTML against the same data as JSON, 10 connections,
//   closed loop, on one server, the two in turn second by second: what rendering costs on top
//   of Express and SQLite;
//   and that page's p99 against its p50 under that load (no stalls hiding behind a good median).
import { alternatingLoad, type VariantResult } from "../alternating-load.js";
import { withRunDatabase } from "../run-database.js";
import { withServer } from "../server-process.js";
import { atLeast, atMost, defineSuite, type Figure, type MeasureContext } from "../suite.js";
import { formatTable } from "../table.js";
import { type LatencySample, sequentialLatency } from "../timed-get.js";

const ROUTES = ["/events?user=locust_user", "/my-events?user=locust_user", "/checkout"] as const;
type Route = (typeof ROUTES)[number];
/**
 * Each page's HTML against its JSON, in requests a second: what rendering may cost on top of
 * Express, SQLite and the data. The events page prints 80 rows through a {% for %}, so its
 * template has the most to do; the other two print a handful of rows.
 */
const HTML_PER_JSON: Record<Route, number> = {
  "/events?user=locust_user": 0.8,
  "/my-events?user=locust_user": 0.9,
  "/checkout": 0.9,
};
const PAGE_CONNECTIONS = 10;

interface FestRun {
  sequential: Record<Route, { naive: LatencySample; optimized: LatencySample }>;
  pages: Record<Route, Record<"html" | "json", VariantResult>>;
}

async function measure(context: MeasureContext): Promise<FestRun> {
  return withRunDatabase(async (dbPath) => {
    const sequential = {} as FestRun["sequential"];
    for (const route of ROUTES) {
      const sample = (mode: "naive" | "optimized") =>
        withServer({ DB_PATH: dbPath, MODE: mode }, (server) => {
          context.progress(`fest ${mode.padEnd(9)} ${route}`);
          return sequentialLatency(server.url + route, {
            seconds: context.seconds,
            maxRequests: 5_000,
          });
        });
      sequential[route] = { naive: await sample("naive"), optimized: await sample("optimized") };
    }
    const pages = await withServer({ DB_PATH: dbPath }, async (server) => {
      const variants = (route: Route) => ({
        html: { url: server.url + route, headers: { accept: "text/html" } },
        json: { url: server.url + route, headers: { accept: "application/json" } },
      });
      // Every page in both formats warms up first: a fresh server's first seconds are slower
      // (the JIT has not compiled its paths yet), and whichever came first would pay for it.
      for (const route of ROUTES) {
        context.progress(`fest optimized ${route}, HTML and JSON, warming up`);
        await alternatingLoad(variants(route), { connections: PAGE_CONNECTIONS, seconds: 1 });
      }
      const result = {} as FestRun["pages"];
      for (const route of ROUTES) {
        context.progress(
          `fest optimized ${route}, HTML and JSON in turn, ${PAGE_CONNECTIONS} connections`,
        );
        result[route] = await alternatingLoad(variants(route), {
          connections: PAGE_CONNECTIONS,
          seconds: context.seconds,
        });
      }
      return result;
    });
    return { sequential, pages };
  });
}

/** Each page's figures: HTML and JSON throughput, their ratio, and HTML's p99 against its p50. */
function pageFigures(route: Route): Figure<FestRun>[] {
  const page = (run: FestRun) => run.pages[route];
  const failed = (run: FestRun) => page(run).html.failed + page(run).json.failed;
  return [
    {
      label: `${route} HTML req/s`,
      unit: "req/s",
      value: (run) => page(run).html.okPerSecond,
      failed: (run) => page(run).html.failed,
    },
    {
      label: `${route} JSON req/s`,
      unit: "req/s",
      value: (run) => page(run).json.okPerSecond,
      failed: (run) => page(run).json.failed,
    },
    {
      label: `${route} HTML / JSON req/s`,
      unit: "x",
      value: (run) => page(run).html.okPerSecond / page(run).json.okPerSecond,
      failed,
      target: atLeast(HTML_PER_JSON[route], "x"),
    },
    {
      label: `${route} HTML p99 / p50`,
      unit: "x",
      value: (run) => page(run).html.latencyMs.p99 / page(run).html.latencyMs.p50,
      failed: (run) => page(run).html.failed,
      target: atMost(4, "x"),
    },
  ];
}

export const festSuite = defineSuite<FestRun>({
  name: "fest",
  measure,
  title: () =>
    `Fest monolith: naive against optimized, and each page as HTML against JSON at ${PAGE_CONNECTIONS} connections, default data size`,
  tables: (run) => [
    formatTable(
      [
        "route (1 connection, sequential)",
        "naive p50 ms",
        "naive p99 ms",
        "opt p50 ms",
        "opt p99 ms",
        "naive/opt",
        "requests",
        "failed",
      ],
      ROUTES.map((route) => {
        const { naive, optimized } = run.sequential[route];
        return [
          route,
          naive.medianMs,
          naive.p99Ms,
          optimized.medianMs,
          optimized.p99Ms,
          `${(naive.medianMs / optimized.medianMs).toFixed(1)}x`,
          naive.requests + optimized.requests,
          naive.failures + optimized.failures,
        ];
      }),
    ),
  ],
  figures: [
    {
      label: "/events naive / optimized p50",
      unit: "x",
      value: (run) => {
        const { naive, optimized } = run.sequential["/events?user=locust_user"];
        return naive.medianMs / optimized.medianMs;
      },
      failed: (run) => {
        const { naive, optimized } = run.sequential["/events?user=locust_user"];
        return naive.failures + optimized.failures;
      },
      target: atLeast(20, "x"),
    },
    ...ROUTES.flatMap(pageFigures),
  ],
});
