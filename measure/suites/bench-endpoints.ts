// The bench endpoints' figures (/health, /io, /cpu), each beside the target issue 3 set for it:
//   /health against a bare node:http server (autocannon, 50 connections, access log off), and
//   the bare server with the ground truth and the fault check around it: what those two cost;
//   /cpu throughput on the worker pool against cpu-inline (8 connections), and the share of the
//   cores this process (the load client) used meanwhile. The sides of each comparison are up
//   at once and take turns in rotation; each ratio is the median of its per-round ratios, the
//   rounds shown in a table above the figures (measure/rotation.ts says why);
//   /health p99 while /cpu is saturated, pool against inline (the lesson: a blocked event loop
//   makes even the cheapest route wait);
//   400 concurrent /io?ms=200 with a timer, and a few with io-blocking, which serialize.
// Every server runs as its own process with LOG_LEVEL=warn; this process is the client.
import { Agent } from "node:http";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../src/paths.js";
import { healthTailFigures, healthUnderLoad } from "../health-under-load.js";
import { type LoadResult, okPerSecond, runLoad } from "../load.js";
import { inRotation, type RoundRatios, roundRatios } from "../rotation.js";
import { withRunDatabase } from "../run-database.js";
import { type MeasuredServer, withServer, withServers } from "../server-process.js";
import { atLeast, atMost, defineSuite, type Figure, type MeasureContext } from "../suite.js";
import { formatRatio, formatTable } from "../table.js";
import { timedGet } from "../timed-get.js";

const BARE_HTTP = join(projectRoot, "dist", "measure", "bare-http.js");
const HEALTH_CONNECTIONS = 50;
const CPU_CONNECTIONS = 8;
/** Seconds of each /health turn: shorter than the VM's phases, long enough to fill 50 connections. */
const HEALTH_TURN_SECONDS = 2;
/** Rounds of /cpu turns (each side's turn lasts a measurement's seconds). */
const CPU_ROUNDS = 3;
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
  /** Each side's /health turns, in round order. */
  bare: LoadResult[];
  /** The bare server with Fest Lab's ground truth and idle fault check around it. */
  counted: LoadResult[];
  health: LoadResult[];
  /** Each side's /cpu turns, in round order. */
  poolTurns: CpuUnderLoad[];
  inlineTurns: CpuUnderLoad[];
  /** /health's tail with /cpu saturated: of each side's turn with the most /cpu answers. */
  pool: Pick<CpuUnderLoad, "healthP99Ms" | "healthFailed">;
  inline: Pick<CpuUnderLoad, "healthP99Ms" | "healthFailed">;
  io: Concurrent;
  blocking: Concurrent;
}

async function measure({ seconds, progress }: MeasureContext): Promise<EndpointsRun> {
  return withRunDatabase(async (dbPath) => {
    const health = (server: MeasuredServer, duration: number) =>
      runLoad({ url: `${server.url}/health`, connections: HEALTH_CONNECTIONS, duration });
    // 1. /health on bare node:http, on it with the truth and fault checks, and on Fest Lab:
    // all three up at once, each warmed up, then short turns in rotation (rotation.ts). Each
    // ratio is read within a round and the median of the rounds is the figure. Measured one
    // whole run after the other, the ratio read this VM's phase instead: its bare node:http
    // swings 24k to 47k req/s in phases longer than a run (0.84x and 0.88x for the same build).
    const rounds = healthRounds(seconds);
    const sides = [
      { name: "bare node:http", env: {}, script: BARE_HTTP },
      {
        name: "bare node:http with the truth and fault checks",
        env: { COUNTED: "1" },
        script: BARE_HTTP,
      },
      { name: "Fest Lab", env: { DB_PATH: dbPath }, script: undefined },
    ] as const;
    const healthTurns = await withServers(sides, async (servers) => {
      progress(`bench /health: warming up ${servers.length} servers`);
      for (const server of servers) await health(server, 1);
      return inRotation(
        servers.map((server, i) => (round: number) => {
          progress(
            `bench /health on ${sides[i]?.name}, ${HEALTH_CONNECTIONS} connections (round ${round} of ${rounds})`,
          );
          return health(server, HEALTH_TURN_SECONDS);
        }),
        rounds,
      );
    });
    const [bare, counted, lab] = healthTurns as [LoadResult[], LoadResult[], LoadResult[]];

    // 2 and 3. /cpu saturated by 8 connections, on the pool and inline; meanwhile one client
    // asks /health on a fixed schedule and times each answer. The pool needs every core and
    // inline one, so whatever else runs costs the pool and not inline: the load client (its
    // row below), the server's event loop, and each thread's wait for its next task, which
    // the event loop hands over only once it is scheduled again (a median 2.5 ms a task, 4 to
    // 5 % of a thread's time, measured on a loaded 2-core machine; 0.4 ms when the next task
    // already waits at the thread). A neighbour's burst in one run moved the ratio from 1.84
    // to 1.68. So both servers stay up and take turns in rotation, and the ratio is read
    // within each round and the rounds' median kept, as for /health.
    const { poolTurns, inlineTurns } = await withServer({ DB_PATH: dbPath }, (poolServer) =>
      withServer({ DB_PATH: dbPath, BUGS: "cpu-inline" }, async (inlineServer) => {
        const sides = [
          { server: poolServer, name: "the worker pool" },
          { server: inlineServer, name: "cpu-inline" },
        ];
        // Both warm up first, as /health's servers do: the pool's first /cpu turn ran its
        // threads' code cold and read 1.56x in a round whose next two read 1.97x and 1.83x.
        progress(`bench /cpu: warming up ${sides.length} servers`);
        for (const { server } of sides) await cpuUnderLoad(server, 1);
        const [poolTurns, inlineTurns] = await inRotation(
          sides.map(({ server, name }) => (round: number) => {
            progress(
              `bench /cpu on ${name}, ${CPU_CONNECTIONS} connections (round ${round} of ${CPU_ROUNDS})`,
            );
            return cpuUnderLoad(server, seconds);
          }),
          CPU_ROUNDS,
        );
        return {
          poolTurns: poolTurns as CpuUnderLoad[],
          inlineTurns: inlineTurns as CpuUnderLoad[],
        };
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
      poolTurns,
      inlineTurns,
      pool: tailOf(poolTurns),
      inline: tailOf(inlineTurns),
      io,
      blocking,
    };
  }, TINY_DATA);
}

/**
 * Rounds of /health turns: at least 9, more for a longer bench, an odd count for a plain median.
 * Five were too few: a round's ratio swung from 0.59x to 1.34x with this VM's phases (the same
 * build), and a median of five moved about 0.06 from run to run, as much as the target's margin.
 */
function healthRounds(seconds: number): number {
  const rounds = Math.max(9, seconds);
  return rounds % 2 === 0 ? rounds + 1 : rounds;
}

/** 2xx a second over all of a side's turns. */
function okPerSecondOver(turns: readonly LoadResult[]): number {
  const ok = turns.reduce((sum, t) => sum + t.requests - t.errors.non2xx, 0);
  return ok / turns.reduce((sum, t) => sum + t.durationSeconds, 0);
}

function failedOver(turns: readonly LoadResult[]): number {
  return turns.reduce((sum, t) => sum + t.errors.total, 0);
}

/** A side's 2xx a second over all its turns, with the failures among them. */
function requestsPerSecond(
  label: string,
  turns: (run: EndpointsRun) => readonly LoadResult[],
): Figure<EndpointsRun> {
  return {
    label,
    unit: "req/s",
    value: (run) => okPerSecondOver(turns(run)),
    failed: (run) => failedOver(turns(run)),
  };
}

/** Each round's ratio of one side's /health to bare node:http's. */
function healthRatios(run: EndpointsRun, side: "counted" | "health"): RoundRatios {
  return roundRatios(run[side].map(okPerSecond), run.bare.map(okPerSecond));
}

function cpuRatios(run: EndpointsRun): RoundRatios {
  return roundRatios(
    run.poolTurns.map((t) => okPerSecond(t.cpu)),
    run.inlineTurns.map((t) => okPerSecond(t.cpu)),
  );
}

/** The /health tail of a side's turn with the most /cpu answers a second, as one figure shows it. */
function tailOf(
  turns: readonly CpuUnderLoad[],
): Pick<CpuUnderLoad, "healthP99Ms" | "healthFailed"> {
  const best = turns.reduce((kept, t) => (okPerSecond(t.cpu) > okPerSecond(kept.cpu) ? t : kept));
  return { healthP99Ms: best.healthP99Ms, healthFailed: best.healthFailed };
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
  tables: (run) => [healthRoundsTable(run), cpuRoundsTable(run)],
  figures: [
    requestsPerSecond("/health req/s, bare node:http", (run) => run.bare),
    requestsPerSecond("/health req/s, bare + truth and fault checks", (run) => run.counted),
    {
      label: "/health, truth and fault checks cost (median round)",
      unit: "%",
      value: (run) => 100 * (1 - healthRatios(run, "counted").median),
      target: atMost(10, "%"),
    },
    requestsPerSecond("/health req/s, Fest Lab", (run) => run.health),
    {
      label: "/health Fest Lab / bare (median round)",
      unit: "x",
      value: (run) => healthRatios(run, "health").median,
      target: atLeast(0.9, "x"),
    },
    {
      label: "/health Fest Lab / bare, lowest round",
      unit: "x",
      value: (run) => healthRatios(run, "health").lowest,
    },
    {
      label: "/health Fest Lab / bare, highest round",
      unit: "x",
      value: (run) => healthRatios(run, "health").highest,
    },
    requestsPerSecond("/cpu req/s, worker pool", (run) => run.poolTurns.map((t) => t.cpu)),
    requestsPerSecond("/cpu req/s, cpu-inline", (run) => run.inlineTurns.map((t) => t.cpu)),
    {
      label: "/cpu pool / inline (median round)",
      unit: "x",
      value: (run) => cpuRatios(run).median,
      // 1.8 on 2 cores: 90 % of perfect scaling over the threads 8 connections can keep busy;
      // the rest is the event loop's own share and the load client's (the next rows).
      target: (run) => atLeast(0.9 * Math.min(run.threads, CPU_CONNECTIONS), "x"),
    },
    {
      label: "/cpu pool / inline, lowest round",
      unit: "x",
      value: (run) => cpuRatios(run).lowest,
    },
    {
      // What the load client (this process) took from the cores while the pool was loaded:
      // a pool on every core scales only over what the client leaves it.
      label: "/cpu pool: the load client's share of the cores",
      unit: "%",
      value: (run) =>
        (100 * run.poolTurns.reduce((sum, t) => sum + t.clientShare, 0)) / run.poolTurns.length,
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

/** Each /health round: each side's req/s and its ratio to bare node:http's in that round. */
function healthRoundsTable(run: EndpointsRun): string {
  const counted = healthRatios(run, "counted").rounds;
  const lab = healthRatios(run, "health").rounds;
  return formatTable(
    [
      "/health round",
      "bare req/s",
      "+ checks req/s",
      "checks / bare",
      "Fest Lab req/s",
      "Fest Lab / bare",
    ],
    run.bare.map((bare, i) => [
      i + 1,
      okPerSecond(bare),
      okPerSecond(run.counted[i] as LoadResult),
      formatRatio(counted[i] as number),
      okPerSecond(run.health[i] as LoadResult),
      formatRatio(lab[i] as number),
    ]),
  );
}

/** Each /cpu round: the pool's and inline's req/s, their ratio, and the client's share. */
function cpuRoundsTable(run: EndpointsRun): string {
  const ratios = cpuRatios(run).rounds;
  return formatTable(
    ["/cpu round", "pool req/s", "inline req/s", "pool / inline", "client share, pool turn"],
    run.poolTurns.map((pool, i) => [
      i + 1,
      okPerSecond(pool.cpu),
      okPerSecond((run.inlineTurns[i] as CpuUnderLoad).cpu),
      formatRatio(ratios[i] as number),
      `${(100 * pool.clientShare).toFixed(1)} %`,
    ]),
  );
}
