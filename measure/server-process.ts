// The built server (dist/src/server.js) as its own process, so the load generator (this
// process) and the server never share an event loop. One spawner for every caller: the
// measuring programs start a server in a switch setting and wait for it; the tests spawn it
// with an environment of their own to watch start-up errors and exit codes.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { freePort } from "../src/free-port.js";
import { projectRoot } from "../src/paths.js";

export const SERVER_ENTRY = join(projectRoot, "dist", "src", "server.js");

export interface ServerProcess {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved as they came. */
  output(): string;
  exited: Promise<number | null>;
}

export interface MeasuredServer {
  url: string;
  child: ChildProcess;
  /** True once the process has ended, by a crash or by stop(). */
  hasExited(): boolean;
  stop(): Promise<void>;
}

/** Runs `node <script> <args>` with exactly `env`: nothing is inherited that is not in it. */
export function spawnServer(
  env: Record<string, string>,
  { args = [], script = SERVER_ENTRY }: { args?: string[]; script?: string } = {},
): ServerProcess {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: projectRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const keep = (chunk: Buffer) => {
    text += chunk;
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  // 'exit' can come before the last of the output is read (Node's docs: the stdio streams may
  // still be open), and a start-up error's one line was then missing from output() in one CI
  // run. 'close' comes once they are read; a grandchild that kept the pipes open (a group's
  // worker, a service) must not hold the caller past a second, though.
  const closed = once(child, "close").catch(() => undefined);
  const exited = once(child, "exit").then(async ([code]) => {
    await Promise.race([closed, delay(1_000, undefined, { ref: false })]);
    return code as number | null;
  });
  return { child, output: () => text, exited };
}

/**
 * The environment of a measured server: the shell's, with every switch variable set
 * explicitly (optimized, no bugs) so none left in the shell can skew a run, then `env`.
 */
export function measuredEnv(port: number, env: Record<string, string>): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    MODE: "optimized",
    BUGGY: "0",
    BUGS: "",
    FAULTS: "",
    HOST: "127.0.0.1",
    PORT: String(port),
    ...env,
  };
}

/**
 * Starts a server to measure on a free 127.0.0.1 port, quiet (LOG_LEVEL=warn), and waits until
 * GET /health answers (bounded). Every switch variable is set, to the defaults unless `env`
 * names them, so a MODE or BUGS left in the shell cannot skew a run; the rest of the shell's
 * environment (CPU_POOL_SIZE, NODE_OPTIONS) is passed on, so it can be tuned from outside.
 */
export async function startServer(
  env: Record<string, string>,
  script = SERVER_ENTRY,
): Promise<MeasuredServer> {
  const port = await freePort();
  const server = spawnServer(measuredEnv(port, { LOG_LEVEL: "warn", ...env }), { script });
  const { child } = server;
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (hasExited()) throw new Error(`server exited during start: ${server.output().trim()}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`server did not answer /health within 30 s: ${server.output().trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    child,
    hasExited,
    async stop() {
      if (hasExited()) return;
      child.kill("SIGTERM");
      await server.exited;
    },
  };
}

/** Runs `measure` against a server started in `env`, and stops the server whatever happens. */
export async function withServer<T>(
  env: Record<string, string>,
  measure: (server: MeasuredServer) => Promise<T>,
  script?: string,
): Promise<T> {
  const server = await startServer(env, script);
  try {
    return await measure(server);
  } finally {
    await server.stop();
  }
}

/**
 * Runs `measure` against several servers up at once (started one after another), and stops
 * every one started whatever happens: for comparisons that take turns (rotation.ts).
 */
export async function withServers<T>(
  sides: readonly { env: Record<string, string>; script?: string }[],
  measure: (servers: MeasuredServer[]) => Promise<T>,
): Promise<T> {
  const servers: MeasuredServer[] = [];
  try {
    for (const side of sides) servers.push(await startServer(side.env, side.script));
    return await measure(servers);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}
