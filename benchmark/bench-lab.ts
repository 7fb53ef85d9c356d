// The bench lab's figures, each beside the target issue 3 set for it:
//   /health against a bare node:http server (autocannon, 50 connections, access log off);
//   /cpu throughput on the worker pool against cpu-inline (8 connections);
//   /health p99 while /cpu is saturated, pool against inline (the lesson: a blocked event loop
//   makes even the cheapest route wait);
//   400 concurrent /io?ms=200 with a timer, and a few with io-blocking, which serialize.
// Every server runs as its own process with LOG_LEVEL=warn; this process is the client.
import { mkdtempSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { openDatabase } from "../src/database.js";
import { projectRoot } from "../src/paths.js";
import { timedGet } from "./latency.js";
import { probeLatency } from "./probe.js";
import { type BenchServer, startServerProcess } from "./server-process.js";
import type { BenchOptions, SuiteResult } from "./suite.js";
import { type Cell, formatTable } from "./table.js";

const BARE_HTTP = join(projectRoot, "dist", "benchmark", "bare-http.js");
const HEALTH_CONNECTIONS = 50;
const CPU_CONNECTIONS = 8;
const HEALTH_PROBE_EVERY_MS = 10;
const IO_CONCURRENT = 400;
const IO_MS = 200;
/** io-blocking serializes, so a few requests show it: 400 would take 400 × 200 ms. */
const IO_BLOCKING_CONCURRENT = 10;

const TARGET = {
  healthRatio: 0.8,
  /** 1.6 on 2 cores: 80 % of perfect scaling over the threads 8 connections can keep busy. */
  cpuRatio: (threads: number) => 0.8 * Math.min(threads, CPU_CONNECTIONS),
  healthP99PoolMs: 20,
  healthP99InlineFactor: 5,
  ioMs: 1500,
};

export async function benchLabSuite(options: BenchOptions): Promise<SuiteResult> {
  const dir = mkdtempSync(join(tmpdir(), "fest-lab-bench-"));
  const dbPath = join(dir, "fest.db");
  // The bench routes read no data: the smallest database starts fastest.
  openDatabase(dbPath, { events: 4, users: 4, registrations: 8 }).db.close();
  const cores = availableParallelism();
  const rows: Cell[][] = [];
  const verdicts: string[] = [];
  const verdict = (text: string, held: boolean) => {
    verdicts.push(`${text}: ${held ? "held" : "MISSED"}`);
    return held ? "held" : "MISSED";
  };
  const seconds = options.seconds;

  try {
    // 1. /health against bare node:http, one after the other, each warmed up first.
    const bare = await withServer({}, BARE_HTTP, async (server) => {
      options.progress(`bench /health on bare node:http, ${HEALTH_CONNECTIONS} connections`);
      return throughput(`${server.url}/health`, HEALTH_CONNECTIONS, seconds);
    });
    const lab = await withServer({ DB_PATH: dbPath }, undefined, async (server) => {
      options.progress(`bench /health on Fest Lab, ${HEALTH_CONNECTIONS} connections`);
      return throughput(`${server.url}/health`, HEALTH_CONNECTIONS, seconds);
    });
    const healthRatio = lab.perSecond / bare.perSecond;
    rows.push(
      ["/health req/s, bare node:http", bare.perSecond, "", "", bare.failed],
      ["/health req/s, Fest Lab", lab.perSecond, "", "", lab.failed],
      [
        "/health Fest Lab / bare",
        `${healthRatio.toFixed(2)}x`,
        `>= ${TARGET.healthRatio}x`,
        verdict(
          `/health ${healthRatio.toFixed(2)}x bare node:http req/s (target >= ${TARGET.healthRatio}x)`,
          healthRatio >= TARGET.healthRatio,
        ),
        "",
      ],
    );

    // 2 and 3. /cpu saturated by 8 connections, on the pool and inline; meanwhile one client
    // asks /health over and over and times each answer.
    const cpuRuns: Record<"pool" | "inline", CpuUnderLoad> = {
      pool: await withServer({ DB_PATH: dbPath }, undefined, (server) => {
        options.progress(`bench /cpu on the worker pool, ${CPU_CONNECTIONS} connections`);
        return cpuUnderLoad(server, seconds);
      }),
      inline: await withServer({ DB_PATH: dbPath, BUGS: "cpu-inline" }, undefined, (server) => {
        options.progress(`bench /cpu with cpu-inline, ${CPU_CONNECTIONS} connections`);
        return cpuUnderLoad(server, seconds);
      }),
    };
    const { pool, inline } = cpuRuns;
    const cpuRatio = pool.cpu.perSecond / inline.cpu.perSecond;
    const cpuTarget = TARGET.cpuRatio(pool.threads);
    const p99Factor = inline.healthP99Ms / pool.healthP99Ms;
    rows.push(
      [`/cpu req/s, pool of ${pool.threads} threads`, pool.cpu.perSecond, "", "", pool.cpu.failed],
      ["/cpu req/s, cpu-inline", inline.cpu.perSecond, "", "", inline.cpu.failed],
      [
        "/cpu pool / inline",
        `${cpuRatio.toFixed(2)}x`,
        `>= ${cpuTarget.toFixed(1)}x`,
        verdict(
          `/cpu pool ${cpuRatio.toFixed(2)}x inline throughput, ${CPU_CONNECTIONS} connections, ${pool.threads} threads on ${cores} cores (target >= ${cpuTarget.toFixed(1)}x)`,
          cpuRatio >= cpuTarget,
        ),
        "",
      ],
      [
        "/health p99 ms, /cpu saturated, pool",
        pool.healthP99Ms,
        `<= ${TARGET.healthP99PoolMs} ms`,
        verdict(
          `/health p99 ${pool.healthP99Ms.toFixed(1)} ms while the pool is saturated (target <= ${TARGET.healthP99PoolMs} ms)`,
          pool.healthP99Ms <= TARGET.healthP99PoolMs,
        ),
        pool.healthFailed,
      ],
      [
        "/health p99 ms, /cpu saturated, inline",
        inline.healthP99Ms,
        `>= ${TARGET.healthP99InlineFactor}x pool`,
        verdict(
          `/health p99 ${inline.healthP99Ms.toFixed(1)} ms with cpu-inline, ${p99Factor.toFixed(1)}x the pool's (target >= ${TARGET.healthP99InlineFactor}x)`,
          p99Factor >= TARGET.healthP99InlineFactor,
        ),
        inline.healthFailed,
      ],
    );

    // 4. Concurrent /io: a timer lets them overlap, io-blocking lines them up.
    const io = await withServer({ DB_PATH: dbPath }, undefined, (server) => {
      options.progress(`bench ${IO_CONCURRENT} concurrent /io?ms=${IO_MS}`);
      return concurrentIo(server.url, IO_CONCURRENT);
    });
    const blocking = await withServer({ DB_PATH: dbPath, BUGS: "io-blocking" }, undefined, (s) => {
      options.progress(`bench ${IO_BLOCKING_CONCURRENT} concurrent /io?ms=${IO_MS}, io-blocking`);
      return concurrentIo(s.url, IO_BLOCKING_CONCURRENT);
    });
    const serialMs = IO_BLOCKING_CONCURRENT * IO_MS;
    const serialized = blocking.wallMs >= 0.8 * serialMs;
    rows.push(
      [
        `${IO_CONCURRENT} concurrent /io?ms=${IO_MS}, all done in ms`,
        io.wallMs,
        `<= ${TARGET.ioMs} ms`,
        verdict(
          `${IO_CONCURRENT} concurrent /io?ms=${IO_MS} done in ${io.wallMs.toFixed(0)} ms (target <= ${TARGET.ioMs} ms)`,
          io.wallMs <= TARGET.ioMs && io.failed === 0,
        ),
        io.failed,
      ],
      [
        `${IO_BLOCKING_CONCURRENT} concurrent /io?ms=${IO_MS}, io-blocking, ms`,
        blocking.wallMs,
        `~${serialMs} ms (serial)`,
        verdict(
          `io-blocking: ${IO_BLOCKING_CONCURRENT} concurrent /io?ms=${IO_MS} took ${blocking.wallMs.toFixed(0)} ms, one after another (${IO_CONCURRENT} would take about ${((IO_CONCURRENT * IO_MS) / 1000).toFixed(0)} s)`,
          serialized,
        ),
        blocking.failed,
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const table = formatTable(["figure", "measured", "target", "verdict", "failed"], rows);
  return {
    title: `Bench endpoints: ${cores} cores, ${seconds} s a measurement, servers started with LOG_LEVEL=warn`,
    table,
    verdicts,
  };
}

async function withServer<T>(
  env: Record<string, string>,
  script: string | undefined,
  run: (server: BenchServer) => Promise<T>,
): Promise<T> {
  const server = await startServerProcess(env, script);
  try {
    return await run(server);
  } finally {
    await server.stop();
  }
}

interface Throughput {
  perSecond: number;
  failed: number;
}

/** autocannon for `seconds` on `connections` kept-alive connections, after a short warm-up. */
async function throughput(
  url: string,
  connections: number,
  seconds: number,
  warmupSeconds = 1,
): Promise<Throughput> {
  await autocannon({ url, connections, duration: warmupSeconds });
  return toThroughput(await autocannon({ url, connections, duration: seconds }));
}

function toThroughput(result: autocannon.Result): Throughput {
  return { perSecond: result["2xx"] / result.duration, failed: result.non2xx + result.errors };
}

interface CpuUnderLoad {
  cpu: Throughput;
  threads: number;
  healthP99Ms: number;
  healthFailed: number;
}

async function cpuUnderLoad(server: BenchServer, seconds: number): Promise<CpuUnderLoad> {
  const threads = Number(process.env.CPU_POOL_SIZE ?? availableParallelism());
  await autocannon({ url: `${server.url}/cpu`, connections: CPU_CONNECTIONS, duration: 1 });
  const load = autocannon({
    url: `${server.url}/cpu`,
    connections: CPU_CONNECTIONS,
    duration: seconds,
  });
  // Let the load build up, then probe /health 100 times a second inside the load's window.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const health = await probeLatency(`${server.url}/health`, {
    seconds: Math.max(0.5, seconds - 1.5),
    everyMs: HEALTH_PROBE_EVERY_MS,
  });
  const result = await load;
  return {
    cpu: toThroughput(result),
    threads,
    healthP99Ms: health.p99Ms,
    healthFailed: health.failures,
  };
}

/** Sends `count` GET /io?ms=200 at once, each on its own connection; times the last answer. */
async function concurrentIo(
  url: string,
  count: number,
): Promise<{ wallMs: number; failed: number }> {
  const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const once = async () => (await timedGet(`${url}/io?ms=${IO_MS}`, agent)).ok;
  await once(); // warm-up
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: count }, once));
  const wallMs = performance.now() - started;
  agent.destroy();
  return { wallMs, failed: answers.filter((ok) => !ok).length };
}
