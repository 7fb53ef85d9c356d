// Debian's nginx as a reverse proxy in front of a test server: a non-daemon child on a free
// 127.0.0.1 port, its config, pid file, logs and temp folders in a temp folder of its own, so
// the test owns the process and leaves nothing behind. Like Locust, Chromium and Prometheus,
// nginx is a tool outside npm: without it the proxy test skips, unless REQUIRE_NGINX=1 (CI)
// makes that an error.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { accessSync, constants, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { projectRoot } from "../../src/paths.js";
import { freePort, stopTool, waitFor } from "./process.js";

export const NGINX_INSTALL_HINT = "apt-get install -y nginx-light";

/** Debian's /usr/sbin/nginx, or an nginx on PATH; undefined when there is none. */
export function findNginx(): string | undefined {
  for (const dir of ["/usr/sbin", ...(process.env.PATH ?? "").split(delimiter)]) {
    if (dir === "") continue;
    try {
      accessSync(join(dir, "nginx"), constants.X_OK);
      return join(dir, "nginx");
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** The default line a first nginx config has: nothing forwarded, Host is the upstream's. */
export function defaultServerBlock(upstreamPort: number): string {
  return `server {\n    listen 80;\n    server_name fest.example.edu;\n    location / {\n        proxy_pass http://127.0.0.1:${upstreamPort};\n    }\n}\n`;
}

/** The server block docs/behind-a-proxy.md gives, as written there, for the server at `upstreamPort`. */
export function documentedServerBlock(upstreamPort: number): string {
  const page = readFileSync(join(projectRoot, "docs", "behind-a-proxy.md"), "utf8");
  const block = /```nginx\n([\s\S]*?)```/.exec(page)?.[1];
  if (block === undefined) throw new Error("docs/behind-a-proxy.md has no ```nginx block");
  return block.replace("http://127.0.0.1:8000", `http://127.0.0.1:${upstreamPort}`);
}

export interface RunningNginx {
  url: string;
  port: number;
  output(): string;
  stop(): Promise<void>;
}

/** Runs `serverBlock` (its `listen 80;` moved to a free loopback port) until stop(). */
export async function startNginx(binary: string, serverBlock: string): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), "fest-lab-nginx-"));
  const port = await freePort();
  const listening = serverBlock.replace(/listen 80;/, `listen 127.0.0.1:${port};`);
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((kind) => `    ${kind}_temp_path ${join(dir, kind)};`)
    .join("\n");
  const config = [
    // In the foreground, one process: the test's child is nginx itself, and SIGTERM ends it.
    "daemon off;",
    "master_process off;",
    "worker_processes 1;",
    `pid ${join(dir, "nginx.pid")};`,
    `error_log ${join(dir, "error.log")} warn;`,
    "events { worker_connections 256; }",
    "http {",
    "    access_log off;",
    temp,
    listening,
    "}",
    "",
  ].join("\n");
  writeFileSync(join(dir, "nginx.conf"), config);
  const child: ChildProcess = spawn(
    binary,
    ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", join(dir, "error.log")],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let text = "";
  const keep = (chunk: Buffer) => {
    text += chunk;
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = once(child, "exit");
  const url = `http://127.0.0.1:${port}`;
  const output = () => {
    try {
      return `${text}${readFileSync(join(dir, "error.log"), "utf8")}`;
    } catch {
      return text;
    }
  };

  const stop = () => stopTool(child, exited, dir);

  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`nginx exited:\n${output()}\n${config}`);
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) }).catch(
          () => undefined,
        );
        return res?.status === 200;
      },
      20_000,
      "nginx to pass /health on",
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, output, stop };
}
