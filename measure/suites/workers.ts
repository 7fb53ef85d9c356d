// WORKERS=2 against one process: /events throughput and the memory the whole group holds,
// the lesson "it scales as one unit". Each server writes MONITOR_CSV, whose rss_mb is the
// group's sum with workers (supervisor included), so both sides are measured the same way.
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { MONITOR_COLUMNS } from "../../src/observe/monitor.js";
import { type LoadResult, loadRoute, okPerSecond, throughputFigure } from "../load.js";
import { withRunDatabase } from "../run-database.js";
import { withServer } from "../server-process.js";
import { defineSuite, type MeasureContext } from "../suite.js";

const ROUTE = "/events?user=locust_user";
const CONNECTIONS = 20;
const WORKERS = 2;

interface Side {
  load: LoadResult;
  rssMb: number;
}

interface WorkersRun {
  one: Side;
  group: Side;
}

async function measure(context: MeasureContext): Promise<WorkersRun> {
  return withRunDatabase(async (dbPath) => {
    const side = (workers: number) => {
      const csv = join(dirname(dbPath), `monitor-${workers}.csv`);
      const env = { DB_PATH: dbPath, WORKERS: String(workers), MONITOR_CSV: csv };
      return withServer(env, async (server) => {
        const label = workers === 0 ? "one process" : `WORKERS=${workers}`;
        const load = await loadRoute(server.url, ROUTE, {
          ...context,
          connections: CONNECTIONS,
          label: `workers ${label.padEnd(11)}`,
        });
        return { load, rssMb: lastRssMb(csv) };
      });
    };
    return { one: await side(0), group: await side(WORKERS) };
  });
}

/** The last line's rss_mb: memory after the load, the group's sum with workers. */
function lastRssMb(csv: string): number {
  if (!existsSync(csv)) return Number.NaN;
  const lines = readFileSync(csv, "utf8").trim().split("\n").slice(1);
  const last = lines.at(-1)?.split(",") ?? [];
  return Number(last[MONITOR_COLUMNS.indexOf("rss_mb")]);
}

export const workersSuite = defineSuite<WorkersRun>({
  name: "workers",
  measure,
  title: (_run, context) =>
    `Workers: ${ROUTE}, ${CONNECTIONS} connections, ${availableParallelism()} cores, ${context.seconds} s each`,
  figures: [
    throughputFigure<WorkersRun>("one process req/s", (run) => run.one.load),
    throughputFigure<WorkersRun>(`WORKERS=${WORKERS} req/s`, (run) => run.group.load),
    {
      label: `WORKERS=${WORKERS} / one process req/s`,
      unit: "x",
      value: (run) => okPerSecond(run.group.load) / okPerSecond(run.one.load),
      // No target: on two cores the load generator takes one, so a second worker has little
      // left to run on (about 1x here); the lesson is the memory, which grows with each worker.
    },
    { label: "one process RSS MB", unit: "MB", value: (run) => run.one.rssMb },
    { label: `WORKERS=${WORKERS} RSS MB (group)`, unit: "MB", value: (run) => run.group.rssMb },
    {
      label: `WORKERS=${WORKERS} / one process memory`,
      unit: "x",
      value: (run) => run.group.rssMb / run.one.rssMb,
    },
  ],
});
