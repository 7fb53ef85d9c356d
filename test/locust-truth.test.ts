// A load tool checked against the server's own counts: Locust's events scenario and
// GET /admin/truth agree exactly per route; with a reset fault, Locust's failures are the
// truth's resets, and `npm run verify` says the server reset them.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../src/paths.js";
import type { RouteReport, TruthReport } from "../src/truth/truth.js";
import { adminHeader } from "./helpers/admin-api.js";
import {
  describeRun,
  findLocust,
  rowNamed,
  runLocustDistributed,
} from "./helpers/locust-runner.js";
import { freePort, seededFolderForTests, spawnServer, waitFor } from "./helpers/process.js";

const LOCUST = findLocust();
const VERIFY = join(projectRoot, "dist", "src", "truth", "verify-cli.js");

// The two tests run at once, each on its own server with its own copy of a small seeded
// database (a first start's default seed, 50,000 movies, would take most of a minute of CPU)
// and its own admin token beside it: each reads only its own server's counts.
describe.skipIf(LOCUST === undefined)("Locust against the ground truth", () => {
  const seeded = seededFolderForTests("fest-lab-truth-");

  async function withServer(
    name: string,
    env: Record<string, string>,
    body: (url: string, dir: string) => Promise<void>,
  ) {
    const dir = join(seeded(), name);
    mkdirSync(dir);
    copyFileSync(join(seeded(), "fest.db"), join(dir, "fest.db"));
    const port = await freePort();
    const server = spawnServer({
      PORT: String(port),
      DB_PATH: join(dir, "fest.db"),
      // No ADMIN_TOKEN: the server keeps the one it makes beside fest.db, where verify reads it.
      ADMIN_TOKEN: "",
      ...env,
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor(
        () =>
          fetch(`${url}/health`).then(
            (r) => r.ok,
            () => false,
          ),
        60_000,
        `the server to answer\n${server.output()}`,
      );
      await body(url, dir);
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  }

  async function truthOf(dir: string, url: string, runId: string): Promise<TruthReport> {
    const token = readFileSync(join(dir, "admin-token"), "utf8").trim();
    const res = await fetch(`${url}/admin/truth?run=${runId}`, { headers: adminHeader(token) });
    expect(res.status).toBe(200);
    return (await res.json()) as TruthReport;
  }

  /** events.py, 10 users for 6 s, its CSV files and its run id (`<name>-1`) named `name`. */
  async function eventsScenario(dir: string, url: string, name: string) {
    // A master and a worker: a worker reports the requests of users stopped at the end of
    // the run, which a lone headless Locust 2.12 may leave out of its CSV.
    return runLocustDistributed({
      workers: 1,
      masterPort: await freePort(),
      locust: LOCUST ?? "locust",
      scenario: "events.py",
      host: url,
      load: { users: 10, spawnRate: 10 },
      seconds: 6,
      csvPrefix: join(dir, name),
      cwd: dir,
      extraArgs: ["--run-id", `${name}-1`],
    });
  }

  /**
   * `npm run verify` on that run's CSV against the server's truth, bounded; a child process
   * waited for without blocking, as the other test's run goes on meanwhile.
   */
  function verifyRun(
    dir: string,
    url: string,
    name: string,
  ): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [VERIFY, join(dir, `${name}_stats.csv`), "--url", url, "--run-id", `${name}-1`],
        // Nobody types a token: verify reads the one beside the server's DB_PATH.
        {
          encoding: "utf8",
          timeout: 20_000,
          env: { PATH: process.env.PATH ?? "", DB_PATH: join(dir, "fest.db") },
        },
        (error, stdout, stderr) => {
          const code = (error as { code?: unknown } | null)?.code;
          resolve({
            status: error === null ? 0 : typeof code === "number" ? code : null,
            stdout,
            stderr,
          });
        },
      );
    });
  }

  const route = (truth: TruthReport, path: string) =>
    truth.routes.find((r) => r.method === "GET" && r.route === path) as RouteReport;

  it.concurrent("a clean run of events.py: the same request count per route as the server's", async () => {
    await withServer("clean", {}, async (url, dir) => {
      const run = await eventsScenario(dir, url, "clean");
      const truth = await truthOf(dir, url, "clean-1");
      for (const path of ["/events", "/my-events"]) {
        const locust = rowNamed(run, path);
        expect(locust?.requests, describeRun(run)).toBeGreaterThan(0);
        expect(route(truth, path).requests, describeRun(run)).toBe(locust?.requests);
        expect(locust?.failures).toBe(0);
      }
      const verify = await verifyRun(dir, url, "clean");
      expect(verify.status, verify.stderr).toBe(0);
      // Counts agree; the times may not on a busy machine, where Locust itself queues.
      expect(verify.stdout, verify.stdout).toMatch(
        /GET \/events +(\d+) \/ \1 +0 \/ 0 .*(match|queued before the server read them)$/m,
      );
    });
  }, 120_000);

  it.concurrent("with a reset fault, Locust's failures are the truth's resets, and verify says the server reset them", async () => {
    await withServer("reset", { FAULTS: "reset@20%:*", FAULT_SEED: "7" }, async (url, dir) => {
      const run = await eventsScenario(dir, url, "reset");
      const truth = await truthOf(dir, url, "reset-1");
      let resets = 0;
      for (const path of ["/events", "/my-events"]) {
        const locust = rowNamed(run, path);
        const server = route(truth, path);
        expect(server.requests, `${describeRun(run)}\n${JSON.stringify(server)}`).toBe(
          locust?.requests,
        );
        expect(locust?.failures, describeRun(run)).toBe(server.faults.reset);
        resets += server.faults.reset;
      }
      expect(resets).toBeGreaterThan(0);
      const verify = await verifyRun(dir, url, "reset");
      expect(verify.status, verify.stderr).toBe(0);
      expect(verify.stdout, verify.stdout).toMatch(/GET \/events .* the server reset these$/m);
    });
  }, 120_000);
});
