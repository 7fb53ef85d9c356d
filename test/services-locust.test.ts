// The seed labs' locustfiles, unchanged, against SERVICES=1: the contract holds through the
// gateway. Locust is Python: without it on PATH this skips, unless REQUIRE_LOCUST=1 (CI).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeRun, findLocust, INSTALL_HINT, runLocust } from "./helpers/locust-runner.js";
import {
  copySmallSeed,
  freePort,
  type ServerProcess,
  spawnServer,
  waitFor,
} from "./helpers/process.js";

const LOCUST = findLocust();
if (LOCUST === undefined && process.env.REQUIRE_LOCUST === "1") {
  throw new Error(`REQUIRE_LOCUST=1 but no \`locust\` on PATH: ${INSTALL_HINT}`);
}
if (LOCUST === undefined) console.warn(`services-locust.test.ts: skipped; ${INSTALL_HINT}`);

describe.skipIf(LOCUST === undefined)("the seed labs' locustfiles against SERVICES=1", () => {
  let dir: string;
  let services: ServerProcess;
  let host: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "fest-lab-services-locust-"));
    const dbPath = join(dir, "fest.db");
    copySmallSeed(dbPath);
    const port = await freePort();
    host = `http://127.0.0.1:${port}`;
    services = spawnServer({
      SERVICES: "1",
      PORT: String(port),
      DB_PATH: dbPath,
      CPU_POOL_SIZE: "1",
    });
    await waitFor(() => services.output().includes("stop:"), 60_000, "the services' banner");
  }, 90_000);

  afterAll(async () => {
    if (services.child.exitCode === null) services.child.kill("SIGTERM");
    await services.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  // Each run counts only its own requests: the three at once against the one gateway.
  for (const scenario of ["checkout.py", "events.py", "journey.py"]) {
    it.concurrent(`${scenario} runs without a failure`, async () => {
      const run = await runLocust({
        locust: LOCUST ?? "locust",
        scenario,
        host,
        load: { users: 3, spawnRate: 3 },
        seconds: 4,
        csvPrefix: join(dir, scenario.replace(".py", "")),
        cwd: dir,
      });
      expect(run.aggregated.requests, describeRun(run)).toBeGreaterThan(0);
      expect(run.aggregated.failures, describeRun(run)).toBe(0);
    }, 60_000);
  }
});
