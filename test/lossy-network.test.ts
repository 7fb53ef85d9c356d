// was-it-the-network's lossy network under real Locust, as a student runs it: the network
// variant passes with "network" and the server variant with "server", each told apart from the
// server's counts beside Locust's. (The network itself in every shape, request by request:
// test/challenge-shapes.test.ts; its proxy alone: test/lossy-network-proxy.test.ts.) Once, in
// one process: a shape of its own would only repeat it. The two seeds run at once, each on its
// own server: a Locust run mostly waits (its users wait a second or two between requests).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";
import { describeRun, findLocust, runLocust } from "./helpers/locust-runner.js";
import {
  NETWORK_SEED,
  SERVER_SEED,
  serverCounts,
  startNetworkChallenge,
} from "./helpers/lossy-network.js";
import { startTestServer } from "./helpers/server.js";
import { adminOf } from "./helpers/shapes.js";

const LOCUST = findLocust();

describe.skipIf(LOCUST === undefined)(
  "real Locust through was-it-the-network's lossy network",
  () => {
    it.concurrent.for([
      { seed: SERVER_SEED, expected: "server" },
      { seed: NETWORK_SEED, expected: "network" },
    ])(
      "seed $seed: Locust's failures beside the server's counts say $expected, and verify passes",
      { timeout: 90_000 },
      async ({ seed, expected }, { expect }) => {
        const server = await startTestServer({ LOG_LEVEL: "warn" });
        const dir = mkdtempSync(join(tmpdir(), "fest-lab-lossy-locust-"));
        try {
          const { adminJson } = adminOf(() => server.url);
          const { runId, host } = await startNetworkChallenge(adminJson, server.url, seed);
          const run = await runLocust({
            locust: LOCUST ?? "locust",
            scenario: "events.py",
            host,
            load: { users: 20, spawnRate: 20 },
            seconds: 8,
            csvPrefix: join(dir, runId),
            cwd: dir,
            extraArgs: ["--run-id", runId],
          });
          const { requests, failures } = run.aggregated;
          expect(failures, describeRun(run)).toBeGreaterThan(0);
          expect(
            run.failures.every((f) => /Connection|Remote/.test(f.error)),
            describeRun(run),
          ).toBe(true);
          // As a student tells them apart: did the server count requests it gave no status?
          const counts = serverCounts(await adminJson("GET", `/admin/truth?run=${runId}`));
          const who = counts.unanswered > 0 ? "server" : "network";
          expect(who, `${describeRun(run)}\nserver: ${JSON.stringify(counts)}`).toBe(expected);
          if (who === "network") expect(counts.requests).toBeLessThan(requests);
          const share = ((100 * failures) / requests).toFixed(2);
          const verdict = await adminJson("POST", "/admin/challenge/verify", {
            answers: { share, who },
          });
          expect(verdict.pass, `${describeRun(run)}\n${JSON.stringify(verdict.questions)}`).toBe(
            true,
          );
        } finally {
          rmSync(dir, { recursive: true, force: true });
          await server.stop();
        }
      },
    );
  },
);
