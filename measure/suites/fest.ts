// The fest monolith's figures, on one database of the default size seeded for the run:
//   each route's cost, one request at a time, naive against optimized (the lesson's ratio);
//   each optimized page's throughput as HTML against the same data as JSON, 10 connections,
//   closed loop, on one server in one run: what rendering costs on top of Express and SQLite;
//   and that page's p99 against its p50 under that load (no stalls hiding behind a good median).
import { type LoadResult, okPerSecond, runLoad } from "../load.js";
import { withRunDatabase } from "../run-database.js";
import { withServer } from "../server-process.js";
import { atLeast, atMost, defineSuite, type Figure, type MeasureContext } from "../suite.js";
import { formatTable } from "../table.js";
import { type LatencySample, sequentialLatency } from "../timed-get.js";

const ROUTES = ["/events?user=locust_user", "/my-events?user=locust_user", "/checkout"] as const;
type Route = (typeof ROUTES)[number];
const PAGE_CONNECTIONS = 10;
const ACCEPT = { html: "text/html", json: "application/json" } as const;
type Format = keyof typeof ACCEPT;
const FORMATS: Format[] = ["html", "json"];

interface FestRun {
  sequential: Record<Route, { naive: LatencySample; optimized: LatencySample }>;
  pages: Record<Route, { html: LoadResult; json: LoadResult }>;
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
      const load = (route: Route, format: Format, duration: number) =>
        runLoad({
          url: server.url + route,
          connections: PAGE_CONNECTIONS,
          duration,
          headers: { accept: ACCEPT[format] },
        });
      // Every page in both formats warms up first: a fresh server's first seconds are slower
      // (the JIT has not compiled its paths yet), and whichever format came first would pay.
      for (const route of ROUTES) {
        for (const format of FORMATS) {
          context.progress(`fest optimized ${route} as ${format}, warming up`);
          await load(route, format, 1);
        }
      }
      const result = {} as FestRun["pages"];
      for (const route of ROUTES) {
        const measured = async (format: Format) => {
          context.progress(`fest optimized ${route} as ${format}, ${PAGE_CONNECTIONS} connections`);
          return load(route, format, context.seconds);
        };
        result[route] = { html: await measured("html"), json: await measured("json") };
      }
      return result;
    });
    return { sequential, pages };
  });
}

/** Each page's figures: HTML and JSON throughput, their ratio, and HTML's p99 against its p50. */
function pageFigures(route: Route): Figure<FestRun>[] {
  const page = (run: FestRun) => run.pages[route];
  const failed = (run: FestRun) => page(run).html.errors.total + page(run).json.errors.total;
  return [
    {
      label: `${route} HTML req/s`,
      unit: "req/s",
      value: (run) => okPerSecond(page(run).html),
      failed: (run) => page(run).html.errors.total,
    },
    {
      label: `${route} JSON req/s`,
      unit: "req/s",
      value: (run) => okPerSecond(page(run).json),
      failed: (run) => page(run).json.errors.total,
    },
    {
      label: `${route} HTML / JSON req/s`,
      unit: "x",
      value: (run) => okPerSecond(page(run).html) / okPerSecond(page(run).json),
      failed,
      // Rendering may cost at most as much again as Express, SQLite and the data together.
      target: atLeast(0.6, "x"),
    },
    {
      label: `${route} HTML p99 / p50`,
      unit: "x",
      value: (run) => page(run).html.latencyMs.p99 / page(run).html.latencyMs.p50,
      failed: (run) => page(run).html.errors.total,
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
