// Runs the built server (`node dist/src/server.js`) as its own process, for what only a
// process shows: start-up errors, exit codes, and a crash that kills it.

import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { inject } from "vitest";
import { projectRoot } from "../../src/paths.js";

export { freePort } from "../../benchmark/server-process.js";

export const SERVER_ENTRY = join(projectRoot, "dist", "src", "server.js");

export interface ServerProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export function spawnServer(env: Record<string, string>, args: string[] = []): ServerProcess {
  const child = spawn(process.execPath, [SERVER_ENTRY, ...args], {
    cwd: projectRoot,
    // The tiny model trained before the tests (test/global-setup.ts), unless a test names one:
    // a full training at every server start would cost each test seconds.
    env: {
      PATH: process.env.PATH ?? "",
      LOG_LEVEL: "warn",
      MODEL_PATH: inject("tinyModelPath"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout?.on("data", (chunk) => {
    text += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    text += chunk;
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  return { child, output: () => text, exited };
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
