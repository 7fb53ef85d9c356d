// Debian's `prometheus` binary on a free 127.0.0.1 port, with a temp storage folder and a
// generated prometheus.yml that scrapes the given targets every second. Prometheus is a tool
// outside npm, like Locust and Chromium: without it the dashboard test skips, unless
// REQUIRE_PROMETHEUS=1 (CI) makes that an error.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, stopTool, waitFor } from "./process.js";

export const PROMETHEUS_INSTALL_HINT = "apt-get install -y prometheus";

/** The binary's path when `prometheus --version` runs, else undefined. */
export function findPrometheus(): string | undefined {
  const probe = spawnSync("prometheus", ["--version"], { timeout: 10_000 });
  return probe.status === 0 ? "prometheus" : undefined;
}

/**
 * What Grafana sends for a panel's query: its interval variables as a concrete range (15 s
 * holds many 1 s scrapes) and a dashboard variable as "All" (the variable's allValue, ".*").
 */
export function concreteQuery(expr: string): string {
  return expr
    .replace(/\$__(rate_interval|interval|range)\b/g, "15s")
    .replace(/\$\{?\w+(:\w+)?\}?/g, ".*");
}

/** One instant query's answer, as GET /api/v1/query gives it. */
export interface QueryAnswer {
  status: string;
  error?: string;
  data?: {
    resultType: string;
    result: { metric: Record<string, string>; value: [number, string] }[];
  };
}

export interface RunningPrometheus {
  url: string;
  query(expr: string): Promise<QueryAnswer>;
  /** Seconds since the epoch of the job's latest scrape, or 0 before the first. */
  lastScrape(job: string): Promise<number>;
  output(): string;
  stop(): Promise<void>;
}

/** `targets`: job name to "127.0.0.1:PORT". */
export async function startPrometheus(
  binary: string,
  targets: Record<string, string>,
): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), "fest-lab-prometheus-"));
  const jobs = Object.entries(targets).map(
    ([job, target]) => `  - job_name: ${job}\n    static_configs:\n      - targets: ["${target}"]`,
  );
  // One second, the shortest sensible interval: the test waits for a few scrapes, not minutes.
  const config = `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n${jobs.join("\n")}\n`;
  writeFileSync(join(dir, "prometheus.yml"), config);
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
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

  const query = async (expr: string): Promise<QueryAnswer> => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`, {
      signal: AbortSignal.timeout(5_000),
    });
    return (await res.json()) as QueryAnswer;
  };

  // Prometheus flushes its head block on SIGTERM; a temp folder needs none of it.
  const stop = () => stopTool(child, exited, dir);

  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited:\n${text}`);
        const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) }).catch(
          () => undefined,
        );
        return res?.status === 200;
      },
      20_000,
      "prometheus to be ready",
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url,
    query,
    async lastScrape(job) {
      const answer = await query(`timestamp(up{job="${job}"})`);
      return Number(answer.data?.result[0]?.value[1] ?? 0);
    },
    output: () => text,
    stop,
  };
}
