// Starts the built server as its own process for a benchmark, so the load generator
// (this process) and the server do not share an event loop.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { join } from "node:path";
import { projectRoot } from "../src/paths.js";

export interface BenchServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  return typeof address === "object" && address !== null ? address.port : 0;
}

/** Runs `node <script>` with `env` and waits until GET /health answers (bounded). */
export async function startServerProcess(
  env: Record<string, string>,
  script = join(projectRoot, "dist", "src", "server.js"),
): Promise<BenchServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [script], {
    cwd: projectRoot,
    // Every switch variable is set, so a MODE or BUGS left in the shell cannot skew a run.
    env: {
      ...process.env,
      MODE: "optimized",
      BUGGY: "0",
      BUGS: "",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited during start: ${stderr.trim()}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`server did not answer /health within 30 s: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
}
