// Runs the built server (`node dist/src/server.js`) as its own process, for what only a
// process shows: start-up errors, exit codes, and a crash that kills it.

import { inject } from "vitest";
import {
  type ServerProcess,
  spawnServer as spawnServerWith,
} from "../../measure/server-process.js";

export { freePort, SERVER_ENTRY, type ServerProcess } from "../../measure/server-process.js";

/** The server with only PATH and `env`, quiet unless `env` says otherwise: nothing leaks in. */
export function spawnServer(env: Record<string, string>, args: string[] = []): ServerProcess {
  // The tiny model trained before the tests (test/global-setup.ts), unless a test names one:
  // a full training at every server start would cost each test seconds.
  return spawnServerWith(
    {
      PATH: process.env.PATH ?? "",
      LOG_LEVEL: "warn",
      MODEL_PATH: inject("tinyModelPath"),
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
