// Starts the real server in this process on a random port, with a fresh SQLite file in a
// temp folder, exactly as `npm start` builds it. Log lines are kept for assertions.
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, inject } from "vitest";
import { readConfig } from "../../src/config.js";
import type { SeedSize } from "../../src/database.js";
import { createLogger } from "../../src/observe/log.js";
import { type RunningServer, type StartOptions, startServer } from "../../src/start.js";
import type { SwitchName } from "../../src/switches.js";
import { TEST_ADMIN_TOKEN } from "./admin-api.js";
import { isSmallSeed, SMALL_SEED } from "./small-seed.js";

export { SMALL_SEED } from "./small-seed.js";

export interface TestServer extends RunningServer {
  dbPath: string;
  logs: string[];
  stop(): Promise<void>;
}

export async function startTestServer(
  env: Record<string, string> = {},
  seedSize: SeedSize = SMALL_SEED,
  options: Pick<StartOptions, "cpuPoolStats" | "trainingPlan"> = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "fest-lab-test-"));
  const dbPath = join(dir, "fest.db");
  // A copy of the small seed made before the tests (test/global-setup.ts): otherwise each
  // start forks a first-start process that loads the app and seeds, about a second of CPU. A
  // test of the first start itself names a DB_PATH of its own.
  if (env.DB_PATH === undefined && isSmallSeed(seedSize)) {
    copyFileSync(inject("smallSeedDbPath"), dbPath);
  }
  const result = readConfig({
    env: {
      PORT: "0",
      DB_PATH: dbPath,
      // One tiny model trained before the tests (test/global-setup.ts), read by every server.
      MODEL_PATH: inject("tinyModelPath"),
      LOG_LEVEL: "info",
      SESSION_SECRET: "test-secret",
      // Every admin request needs a credential: this one is sent by test/helpers/admin-api.ts.
      // A test that needs the generated one passes ADMIN_TOKEN: "" (unset).
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      // One /cpu thread and one /predict thread, not one of each per core: every thread is
      // CPU at each of the suite's many starts, and a test that needs more sets its own.
      CPU_POOL_SIZE: "1",
      ...env,
    },
    argv: [],
    cpuCount: 2,
  });
  if (result.kind !== "config") throw new Error("unexpected --help");
  const logs: string[] = [];
  const log = createLogger(result.config.logLevel, (line) => logs.push(line));
  let server: RunningServer;
  try {
    server = await startServer(result.config, { log, seedSize, ...options });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    ...server,
    dbPath,
    logs,
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type ServerArgs = Parameters<typeof startTestServer>;

/**
 * One server for the tests of the enclosing describe block (or file): started before the
 * first test, stopped after the last. Call the returned function inside a test to reach it.
 */
export function serverForTests(...args: ServerArgs): () => TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(...args);
  });
  afterAll(() => server?.stop());
  return () => started(server);
}

/** A fresh server for each test of the enclosing block: what one test leaves cannot reach the next. */
export function serverForEachTest(...args: ServerArgs): () => TestServer {
  let server: TestServer | undefined;
  beforeEach(async () => {
    server = await startTestServer(...args);
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });
  return () => started(server);
}

function started(server: TestServer | undefined): TestServer {
  if (server === undefined) {
    throw new Error("the test server has not started (read it inside a test)");
  }
  return server;
}

/**
 * Runs `work` with one switch set to `on` in this server's registry (by "test"), and puts the
 * switch back as it was afterwards, whether or not `work` throws.
 */
export async function withSwitch<T>(
  server: TestServer,
  name: SwitchName,
  on: boolean,
  work: () => Promise<T>,
): Promise<T> {
  const was = server.switches.isOn(name);
  server.switches.set(name, on, "test");
  try {
    return await work();
  } finally {
    server.switches.set(name, was, "test");
  }
}
