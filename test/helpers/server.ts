// Starts the real server in this process on a random port, with a fresh SQLite file in a
// temp folder, exactly as `npm start` builds it. Log lines are kept for assertions.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { readConfig } from "../../src/config.js";
import type { SeedSize } from "../../src/fest/seed.js";
import { createLogger } from "../../src/observe/log.js";
import { type RunningServer, type StartOptions, startServer } from "../../src/start.js";

/** Small enough to seed in milliseconds, big enough that every page has rows. */
export const SMALL_SEED: SeedSize = { events: 12, users: 30, registrations: 150, movies: 400 };

export interface TestServer extends RunningServer {
  dbPath: string;
  logs: string[];
  stop(): Promise<void>;
}

export async function startTestServer(
  env: Record<string, string> = {},
  seedSize: SeedSize = SMALL_SEED,
  options: Pick<StartOptions, "cpuPoolStats" | "headersTimeoutMs" | "trainingPlan"> = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "fest-lab-test-"));
  const dbPath = join(dir, "fest.db");
  const result = readConfig({
    env: {
      PORT: "0",
      DB_PATH: dbPath,
      // One tiny model trained before the tests (test/global-setup.ts), read by every server.
      MODEL_PATH: inject("tinyModelPath"),
      LOG_LEVEL: "info",
      SESSION_SECRET: "test-secret",
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
