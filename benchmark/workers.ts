// WORKERS=2 against one process: /events throughput and the memory the whole group holds
// ("it scales as one unit"). Each server writes MONITOR_CSV, whose rss_mb is the group's
// sum with workers (supervisor included), so both sides are measured the same way.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { openDatabase } from "../src/database.js";
import { MONITOR_COLUMNS } from "../src/observe/monitor.js";
import { startServerProcess } from "./server-process.js";
import type { BenchOptions, SuiteResult } from "./suite.js";
import { type Cell, formatTable } from "./table.js";

const ROUTE = "/events?user=locust_user";
const CONNECTIONS = 20;
const WORKERS = 2;
/** 65 % of perfect scaling: the load generator shares the machine's cores with the group. */
const TARGET_RATIO = 1.3;

interface Run {
  perSecond: number;
  failed: number;
  rssMb: number;
}

export async function workersSuite(options: BenchOptions): Promise<SuiteResult> {
  const dir = mkdtempSync(join(tmpdir(), "fest-lab-bench-"));
  const dbPath = join(dir, "fest.db");
  openDatabase(dbPath).db.close();
  const cores = availableParallelism();
  try {
    const run = async (workers: number): Promise<Run> => {
      const csv = join(dir, `monitor-${workers}.csv`);
      const server = await startServerProcess({
        DB_PATH: dbPath,
        WORKERS: String(workers),
        MONITOR_CSV: csv,
      });
      try {
        const label = workers === 0 ? "one process" : `WORKERS=${workers}`;
        options.progress(`workers ${label.padEnd(11)} ${ROUTE}, ${CONNECTIONS} connections`);
        const url = server.url + ROUTE;
        await autocannon({ url, connections: CONNECTIONS, duration: 1 });
        const result = await autocannon({
          url,
          connections: CONNECTIONS,
          duration: options.seconds,
        });
        return {
          perSecond: result["2xx"] / result.duration,
          failed: result.non2xx + result.errors,
          rssMb: lastRssMb(csv),
        };
      } finally {
        await server.stop();
      }
    };
    const one = await run(0);
    const group = await run(WORKERS);
    const ratio = group.perSecond / one.perSecond;
    const memoryRatio = group.rssMb / one.rssMb;
    const held = ratio >= TARGET_RATIO;
    const rows: Cell[][] = [
      ["one process", one.perSecond, one.rssMb, "", one.failed],
      [
        `WORKERS=${WORKERS} (supervisor + ${WORKERS} workers)`,
        group.perSecond,
        group.rssMb,
        "",
        group.failed,
      ],
      [
        `WORKERS=${WORKERS} / one`,
        `${ratio.toFixed(2)}x`,
        `${memoryRatio.toFixed(2)}x`,
        `>= ${TARGET_RATIO}x req/s: ${held ? "held" : "MISSED"}`,
        "",
      ],
    ];
    return {
      title: `Workers: ${ROUTE}, ${CONNECTIONS} connections, ${cores} cores, ${options.seconds} s each`,
      table: formatTable(["server", "req/s", "RSS MB (group)", "target", "failed"], rows),
      verdicts: [
        `WORKERS=${WORKERS} ${ratio.toFixed(2)}x one process's /events req/s for ${memoryRatio.toFixed(2)}x its memory, ${cores} cores (target >= ${TARGET_RATIO}x): ${held ? "held" : "MISSED"}`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The last line's rss_mb: memory after the load, the group's sum with workers. */
function lastRssMb(csv: string): number {
  if (!existsSync(csv)) return Number.NaN;
  const lines = readFileSync(csv, "utf8").trim().split("\n").slice(1);
  const last = lines.at(-1)?.split(",") ?? [];
  return Number(last[MONITOR_COLUMNS.indexOf("rss_mb")]);
}
