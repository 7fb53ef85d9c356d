// The fest lab's figures: each route's cost in naive and optimized mode, and their ratio.
// Both servers read one database file of the default size, seeded once for the run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../src/database.js";
import { measureLatency } from "./latency.js";
import { startServerProcess } from "./server-process.js";
import type { BenchOptions, SuiteResult } from "./suite.js";
import { formatTable } from "./table.js";

const ROUTES = ["/events?user=locust_user", "/my-events?user=locust_user", "/checkout"];
/** The bar for /events: naive at least 20 times slower than optimized. */
const EVENTS_TARGET_RATIO = 20;

export async function festSuite(options: BenchOptions): Promise<SuiteResult> {
  const dir = mkdtempSync(join(tmpdir(), "fest-lab-bench-"));
  const dbPath = join(dir, "fest.db");
  openDatabase(dbPath).db.close();
  const rows: (string | number)[][] = [];
  const verdicts: string[] = [];
  try {
    for (const route of ROUTES) {
      const results = [];
      for (const mode of ["naive", "optimized"]) {
        const server = await startServerProcess({ DB_PATH: dbPath, MODE: mode });
        try {
          options.progress(`fest ${mode.padEnd(9)} ${route}`);
          results.push(
            await measureLatency(server.url + route, {
              seconds: options.seconds,
              maxRequests: 5_000,
            }),
          );
        } finally {
          await server.stop();
        }
      }
      const [naive, optimized] = results as [
        Awaited<ReturnType<typeof measureLatency>>,
        Awaited<ReturnType<typeof measureLatency>>,
      ];
      const ratio = naive.medianMs / optimized.medianMs;
      rows.push([
        route,
        naive.medianMs,
        naive.p99Ms,
        optimized.medianMs,
        optimized.p99Ms,
        `${ratio.toFixed(1)}x`,
        naive.requests + optimized.requests,
        naive.failures + optimized.failures,
      ]);
      if (route.startsWith("/events")) {
        const held = ratio >= EVENTS_TARGET_RATIO;
        verdicts.push(
          `/events naive/optimized ${ratio.toFixed(1)}x (target >= ${EVENTS_TARGET_RATIO}x): ${held ? "held" : "MISSED"}`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const table = formatTable(
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
    rows,
  );
  return { title: "Fest monolith: naive against optimized, default data size", table, verdicts };
}
