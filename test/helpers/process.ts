// Runs the built server (`node dist/src/server.js`) as its own process, for what only a
// process shows: start-up errors, exit codes, and a crash that kills it.

import type { ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, inject } from "vitest";
import {
  type ServerProcess,
  spawnServer as spawnServerWith,
} from "../../measure/server-process.js";
import type { SeedSize } from "../../src/database.js";
import { freePort } from "../../src/free-port.js";
import { TEST_ADMIN_TOKEN } from "./admin-api.js";
import { isSmallSeed } from "./small-seed.js";

export { SERVER_ENTRY, type ServerProcess } from "../../measure/server-process.js";
export { freePort } from "../../src/free-port.js";

/** The server with only PATH and `env`, quiet unless `env` says otherwise: nothing leaks in. */
export function spawnServer(env: Record<string, string>, args: string[] = []): ServerProcess {
  // The tiny model trained before the tests (test/global-setup.ts), unless a test names one:
  // a full training at every server start would cost each test seconds.
  return spawnServerWith(
    {
      PATH: process.env.PATH ?? "",
      LOG_LEVEL: "warn",
      MODEL_PATH: inject("tinyModelPath"),
      // The credential test/helpers/admin-api.ts sends; ADMIN_TOKEN: "" leaves it to be generated.
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      // One /cpu thread and one /predict thread per process (as a WORKERS=2 group's members
      // have on 2 cores): every thread is CPU at each start; a test that needs more says so.
      CPU_POOL_SIZE: "1",
      ...env,
    },
    { args },
  );
}

/** Polls until `condition` holds, at most `timeoutMs`; no blind sleeps in tests. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * A temp folder holding a small seeded fest.db, for the server processes of the enclosing
 * block (or file): seeded once before them, so each process starts in milliseconds, and
 * removed after. Call the returned function inside a test for the folder's path.
 */
export function seededFolderForTests(prefix: string): () => string {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    await seedSmallDatabase(join(dir, "fest.db"));
  });
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (dir === undefined) throw new Error("the seeded folder is made before the tests run");
    return dir;
  };
}

/**
 * The path of a small fest.db seeded before the block's servers start, removed after them. An
 * in-process test server given it as DB_PATH opens it as it is: no first-start child process to
 * seed a database of its own, which costs each start most of its time. For servers that read
 * the data, or put it back with POST /admin/reset. The path is known at once, so it can go in
 * the env of serverForTests and serverForEachTest.
 */
export function seededDatabaseForTests(prefix: string, size?: SeedSize): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const path = join(dir, "fest.db");
  beforeAll(() => seedSmallDatabase(path, size));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return path;
}

/**
 * Puts the small seed at `path`: a copy of the database test/global-setup.ts seeded once for
 * the whole run (seeding costs a process's worth of modules and two deliberate scrypt hashes).
 */
export function copySmallSeed(path: string): void {
  copyFileSync(inject("smallSeedDbPath"), path);
}

/** Seeds `path` at `size`, the small seed unless a test needs more rows. */
async function seedSmallDatabase(path: string, size?: SeedSize): Promise<void> {
  if (size === undefined || isSmallSeed(size)) {
    copySmallSeed(path);
    return;
  }
  // Imported here, not above: the tests that only spawn processes need not load the app.
  const { openDatabase } = await import("../../src/database.js");
  openDatabase(path, size).db.close();
}

/** Spawns the server on a free 127.0.0.1 port and waits, bounded, for the banner it prints once listening. */
export async function spawnListening(
  env: Record<string, string>,
): Promise<{ server: ServerProcess; url: string }> {
  const port = await freePort();
  const server = spawnServer({ PORT: String(port), ...env });
  try {
    await waitFor(() => server.output().includes("stop:"), 60_000, "the banner");
  } catch (error) {
    server.child.kill("SIGKILL");
    throw error;
  }
  return { server, url: `http://127.0.0.1:${port}` };
}

/** Whether a process of that id still runs (signal 0 tests for it and sends nothing). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops a tool the test started (nginx, Prometheus): SIGTERM, SIGKILL if it is still there
 * after 5 s, then removes its temp folder.
 */
export async function stopTool(
  child: ChildProcess,
  exited: Promise<unknown>,
  dir: string,
): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dir, { recursive: true, force: true });
}
