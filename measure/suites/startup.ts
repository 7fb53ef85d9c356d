// A laptop's first impression: from a fresh folder (no database, no model), how long the built
// server takes from its spawn to the first 200 on /health while it seeds every lab and trains
// the digits model, and how much memory it holds once idle. Then a second start on the files
// the first one wrote, for comparison: what every start after the first costs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../src/free-port.js";
import { measuredEnv, type ServerProcess, spawnServer } from "../server-process.js";
import { atMost, defineSuite, type MeasureContext } from "../suite.js";

/** Far above the target: a start that takes longer is reported as failed, not waited for. */
const START_LIMIT_MS = 180_000;
const POLL_MS = 20;
/** "Idle" is this long after the first 200: the start's garbage collected, nothing asked. */
const IDLE_WAIT_MS = 5_000;

interface StartupRun {
  firstStartMs: number;
  /** Lines the first start printed before its banner: the progress a person sees waiting. */
  progressLines: number;
  idleRssMb: number;
  nextStartMs: number;
  nextIdleRssMb: number;
}

interface Started {
  server: ServerProcess;
  url: string;
  ms: number;
}

/** Spawns the built server on `dir`'s files at the default level (info) and times it. */
async function startIn(dir: string): Promise<Started> {
  const port = await freePort();
  const spawned = performance.now();
  const server = spawnServer(
    measuredEnv(port, {
      DB_PATH: join(dir, "fest.db"),
      MODEL_PATH: join(dir, "digits-model.json"),
      LOG_LEVEL: "info",
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    const { child } = server;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited during start: ${server.output().trim()}`);
    }
    try {
      if ((await fetch(`${url}/health`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (performance.now() - spawned > START_LIMIT_MS) {
      await stop(server);
      throw new Error(`no 200 on /health within ${START_LIMIT_MS / 1000} s: ${server.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return { server, url, ms: performance.now() - spawned };
}

async function stop(server: ServerProcess): Promise<void> {
  if (server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill("SIGTERM");
  }
  await server.exited;
}

/** The resident memory the server reports itself (prom-client's process metrics), in MB. */
async function rssMb(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("process_resident_memory_bytes "));
  if (line === undefined) throw new Error("/metrics has no process_resident_memory_bytes");
  return Number(line.split(" ")[1]) / 1024 / 1024;
}

async function measure({ progress }: MeasureContext): Promise<StartupRun> {
  const dir = mkdtempSync(join(tmpdir(), "fest-lab-first-start-"));
  try {
    progress("startup: first start from an empty folder (seeding every lab, training the model)");
    const first = await startIn(dir);
    let idleRssMb: number;
    try {
      progress(`startup: idle for ${IDLE_WAIT_MS / 1000} s, then its memory`);
      await new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_MS));
      idleRssMb = await rssMb(first.url);
    } finally {
      await stop(first.server);
    }
    const beforeBanner = first.server.output().split("Fest Lab ")[0] ?? "";
    const progressLines = beforeBanner.split("\n").filter((l) => l.startsWith("INFO:")).length;
    progress("startup: second start, on the database and model the first one wrote");
    const next = await startIn(dir);
    let nextIdleRssMb: number;
    try {
      await new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_MS));
      nextIdleRssMb = await rssMb(next.url);
    } finally {
      await stop(next.server);
    }
    return {
      firstStartMs: first.ms,
      progressLines,
      idleRssMb,
      nextStartMs: next.ms,
      nextIdleRssMb,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const startupSuite = defineSuite<StartupRun>({
  name: "startup",
  measure,
  title: (run) =>
    `Start-up: the built server from an empty folder (default data size, model trained), ${run.progressLines} progress lines before the banner; idle memory ${IDLE_WAIT_MS / 1000} s after the first answer`,
  figures: [
    {
      label: "first start to the first 200 on /health",
      unit: "ms",
      value: (run) => Math.round(run.firstStartMs),
      target: atMost(30_000, "ms"),
    },
    {
      label: "idle RSS after the first start",
      unit: "MB",
      value: (run) => Math.round(run.idleRssMb),
      target: atMost(300, "MB"),
    },
    {
      label: "next start (database and model there)",
      unit: "ms",
      value: (run) => Math.round(run.nextStartMs),
    },
    {
      label: "idle RSS after the next start",
      unit: "MB",
      value: (run) => Math.round(run.nextIdleRssMb),
      target: atMost(300, "MB"),
    },
  ],
});
