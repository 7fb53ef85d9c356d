// The bench endpoints' figures (/health, /io, /cpu), each beside the target issue 3 set for it:
//   /health against a bare node:http server (autocannon, 50 connections, access log off), and
//   the bare server with the ground truth and the fault check around it: what those two cost;
//   /cpu throughput on the worker pool against cpu-inline (8 connections), and the share of the
//   cores this process (the load client) used meanwhile;
//   /health p99 while /cpu is saturated, pool against inline (the lesson: a blocked event loop
//   makes even the cheapest route wait);
//   400 concurrent /io?ms=200 with a timer, and a few with io-blocking, which serialize.
// Every server runs as its own process with LOG_LEVEL=warn; this process is the client.
import { Agent } from "node:http";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../src/paths.js";
import { healthTailFigures, healthUnderLoad } from "../health-under-load.js";
import { type LoadResult, okPerSecond, runLoad, throughputFigure } from "../load.js";
import { withRunDatabase } from "../run-database.js";
import { type MeasuredServer, withServer } from "../server-process.js";
import { atLeast, atMost, defineSuite, type MeasureContext } from "../suite.js";
import { timedGet } from "../timed-get.js";

const BARE_HTTP = join(projectRoot, "dist", "measure", "bare-http.js");
const HEALTH_CONNECTIONS = 50;
const CPU_CONNECTIONS = 8;
/** Turns each /cpu side takes, the two servers alternating; each side's best is kept. */
const CPU_TURNS = [1, 2, 3] as const;
const IO_CONCURRENT = 400;
const IO_MS = 200;
/** io-blocking serializes, so a few requests show it: 400 would take 400 × 200 ms. */
const IO_BLOCKING_CONCURRENT = 10;
/** The bench routes read no data: the smallest database starts fastest. */
const TINY_DATA = { events: 4, users: 4, registrations: 8, movies: 20 };

interface CpuUnderLoad {
  cpu: LoadResult;
  healthP99Ms: number;
  healthFailed: number;
  /** Of all the cores, the share the load client (this process) used during the load. */
  clientShare: number;
}

interface Concurrent {
  wallMs: number;
  failed: number;
}

interface EndpointsRun {
  cores: number;
  /** The pool's threads, as the servers were started (CPU_POOL_SIZE, else one per core). */
  threads: number;
  bare: LoadResult;
  /** The bare server with Fest Lab's ground truth and idle fault check around it. */
  counted: LoadResult;
  health: LoadResult;
  pool: CpuUnderLoad;
  inline: CpuUnderLoad;
  io: Concurrent;
  blocking: Concurrent;
}

async function measure({ seconds, progress }: MeasureContext): Promise<EndpointsRun> {
  return withRunDatabase(async (dbPath) => {
    const health = (server: MeasuredServer) =>
      runLoad({
        url: `${server.url}/health`,
        connections: HEALTH_CONNECTIONS,
        duration: seconds,
        warmupSeconds: 1,
      });
    // 1. /health on bare node:http, on it with the truth and fault checks, and on Fest Lab:
    // one after the other, each warmed up first, twice in turn, and each one's better run
    // kept, so a neighbour's burst on a shared machine does not decide a ratio.
    const sides = [
      { name: "bare node:http", env: {}, script: BARE_HTTP },
      {
        name: "bare node:http with the truth and fault checks",
        env: { COUNTED: "1" },
        script: BARE_HTTP,
      },
      { name: "Fest Lab", env: { DB_PATH: dbPath }, script: undefined },
    ] as const;
    const best: (LoadResult | undefined)[] = [];
    for (const round of [1, 2]) {
      for (const [i, side] of sides.entries()) {
        progress(
          `bench /health on ${side.name}, ${HEALTH_CONNECTIONS} connections (${round} of 2)`,
        );
        const result = await withServer(side.env, health, side.script);
        const kept = best[i];
        if (kept === undefined || okPerSecond(result) > okPerSecond(kept)) best[i] = result;
      }
    }
    const [bare, counted, lab] = best as [LoadResult, LoadResult, LoadResult];

    // 2 and 3. /cpu saturated by 8 connections, on the pool and inline; meanwhile one client
    // asks /health on a fixed schedule and times each answer. The pool needs every core and
    // inline one, so whatever else runs costs the pool and not inline: the load client (its
    // row below), the server's event loop, and each thread's wait for its next task, which
    // the event loop hands over only once it is scheduled again (a median 2.5 ms a task, 4 to
    // 5 % of a thread's time, measured on a loaded 2-core machine; 0.4 ms when the next task
    // already waits at the thread). A neighbour's burst in one run moved the ratio from 1.84
    // to 1.68. So both servers stay up and take turns, three times each, each side's best
    // kept: a burst in one turn does not decide the ratio, and both sides meet the same hours.
    const cpuTurns = CPU_TURNS.length;
    const { pool, inline } = await withServer({ DB_PATH: dbPath }, (poolServer) =>
      withServer({ DB_PATH: dbPath, BUGS: "cpu-inline" }, async (inlineServer) => {
        let pool: CpuUnderLoad | undefined;
        let inline: CpuUnderLoad | undefined;
        for (const turn of CPU_TURNS) {
          progress(
            `bench /cpu on the worker pool, ${CPU_CONNECTIONS} connections (${turn} of ${cpuTurns})`,
          );
          pool = better(pool, await cpuUnderLoad(poolServer, seconds));
          progress(
            `bench /cpu with cpu-inline, ${CPU_CONNECTIONS} connections (${turn} of ${cpuTurns})`,
          );
          inline = better(inline, await cpuUnderLoad(inlineServer, seconds));
        }
        return { pool: pool as CpuUnderLoad, inline: inline as CpuUnderLoad };
      }),
    );

    // 4. Concurrent /io: a timer lets them overlap, io-blocking lines them up.
    progress(`bench ${IO_CONCURRENT} concurrent /io?ms=${IO_MS}`);
    const io = await withServer({ DB_PATH: dbPath }, (s) => concurrentIo(s.url, IO_CONCURRENT));
    progress(`bench ${IO_BLOCKING_CONCURRENT} concurrent /io?ms=${IO_MS}, io-blocking`);
    const blocking = await withServer({ DB_PATH: dbPath, BUGS: "io-blocking" }, (s) =>
      concurrentIo(s.url, IO_BLOCKING_CONCURRENT),
    );
    const cores = availableParallelism();
    const threads = Number(process.env.CPU_POOL_SIZE ?? cores);
    return {
      cores,
      threads,
      bare,
      counted,
      health: lab,
      pool,
      inline,
      io,
      blocking,
    };
  }, TINY_DATA);
}

/** The run with more /cpu answers a second. */
function better(kept: CpuUnderLoad | undefined, run: CpuUnderLoad): CpuUnderLoad {
  return kept === undefined || okPerSecond(run.cpu) > okPerSecond(kept.cpu) ? run : kept;
}

async function cpuUnderLoad(server: MeasuredServer, seconds: number): Promise<CpuUnderLoad> {
  const { load, healthP99Ms, healthFailed, clientShare } = await healthUnderLoad(
    server.url,
    { url: `${server.url}/cpu`, connections: CPU_CONNECTIONS },
    seconds,
  );
  return { cpu: load, healthP99Ms, healthFailed, clientShare };
}

/** Sends `count` GET /io?ms=200 at once, each on its own connection; times the last answer. */
async function concurrentIo(url: string, count: number): Promise<Concurrent> {
  const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const once = async () => (await timedGet(`${url}/io?ms=${IO_MS}`, agent)).ok;
  await once(); // warm-up
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: count }, once));
  const wallMs = performance.now() - started;
  agent.destroy();
  return { wallMs, failed: answers.filter((ok) => !ok).length };
}

export const benchEndpointsSuite = defineSuite<EndpointsRun>({
  name: "bench",
  measure,
  title: (run, { seconds }) =>
    `Bench endpoints: ${run.cores} cores, a /cpu pool of ${run.threads} threads, ${seconds} s a measurement, servers started with LOG_LEVEL=warn`,
  figures: [
    throughputFigure<EndpointsRun>("/health req/s, bare node:http", (run) => run.bare),
    throughputFigure<EndpointsRun>(
      "/health req/s, bare + truth and fault checks",
      (run) => run.counted,
    ),
    {
      label: "/health, truth and fault checks cost",
      unit: "%",
      value: (run) => 100 * (1 - okPerSecond(run.counted) / okPerSecond(run.bare)),
      target: atMost(10, "%"),
    },
    throughputFigure<EndpointsRun>("/health req/s, Fest Lab", (run) => run.health),
    {
      label: "/health Fest Lab / bare",
      unit: "x",
      value: (run) => okPerSecond(run.health) / okPerSecond(run.bare),
      target: atLeast(0.9, "x"),
    },
    throughputFigure<EndpointsRun>("/cpu req/s, worker pool", (run) => run.pool.cpu),
    throughputFigure<EndpointsRun>("/cpu req/s, cpu-inline", (run) => run.inline.cpu),
    {
      label: "/cpu pool / inline",
      unit: "x",
      value: (run) => okPerSecond(run.pool.cpu) / okPerSecond(run.inline.cpu),
      // 1.8 on 2 cores: 90 % of perfect scaling over the threads 8 connections can keep busy;
      // the rest is the event loop's own share and the load client's (the next row).
      target: (run) => atLeast(0.9 * Math.min(run.threads, CPU_CONNECTIONS), "x"),
    },
    {
      // What the load client (this process) took from the cores while the pool was loaded:
      // a pool on every core scales only over what the client leaves it.
      label: "/cpu pool: the load client's share of the cores",
      unit: "%",
      value: (run) => 100 * run.pool.clientShare,
    },
    ...healthTailFigures<EndpointsRun>("/cpu", "inline"),
    {
      label: `${IO_CONCURRENT} concurrent /io?ms=${IO_MS}, all done in`,
      unit: "ms",
      value: (run) => run.io.wallMs,
      failed: (run) => run.io.failed,
      target: atMost(1500, "ms"),
    },
    {
      // One after another: 400 would take 400 × 200 ms, 80 s.
      label: `${IO_BLOCKING_CONCURRENT} concurrent /io?ms=${IO_MS}, io-blocking, done in`,
      unit: "ms",
      value: (run) => run.blocking.wallMs,
      failed: (run) => run.blocking.failed,
      target: atLeast(0.8 * IO_BLOCKING_CONCURRENT * IO_MS, "ms"),
    },
  ],
});
