// The three shapes under real Locust: a short run and the group's truth of it agree exactly,
// route by route. Apart from test/shapes.test.ts because it needs Locust (the quick tier,
// npm run test:quick, leaves the tools out).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TruthReport } from "../src/truth/truth.js";
import {
  describeRun,
  findLocust,
  rowNamed,
  runLocustDistributed,
} from "./helpers/locust-runner.js";
import { freePort, seededFolderForTests } from "./helpers/process.js";
import { adminOf, type RunningShape, SHAPES, startShape } from "./helpers/shapes.js";

const LOCUST = findLocust();

type RouteCount = TruthReport["routes"][number];

describe.skipIf(LOCUST === undefined).each(SHAPES)("the server as %s under Locust", (shape) => {
  const folder = seededFolderForTests("fest-lab-shape-locust-");
  let running: RunningShape;
  beforeAll(async () => {
    running = await startShape(shape, folder());
  }, 90_000);
  afterAll(async () => {
    await running?.stop();
  });

  const { adminJson } = adminOf(() => running.url);
  const countOf = (routes: readonly RouteCount[], route: string) =>
    routes.find((r) => r.method === "GET" && r.route === route);

  it("a short Locust run (--stop-timeout 5) and the group's truth of its run agree exactly, route by route, on the labs' routes and the fest's", async () => {
    // checkout.py's /checkout: under --services the checkout service asks events for its
    // lines, and the truth still counts each request once.
    // The two runs have their own run ids and are checked against their own counts: at once.
    const runs = [
      ["bench_mix.py", ["/health", "/io", "/cpu"]],
      ["checkout.py", ["/checkout"]],
    ] as const;
    await Promise.all(
      runs.map(async ([scenario, paths]) => {
        const runId = `shape-${shape.replace(" ", "-")}-${scenario.replace(".py", "")}`;
        const run = await runLocustDistributed({
          workers: 1,
          masterPort: await freePort(),
          locust: LOCUST ?? "locust",
          scenario,
          host: running.url,
          load: { users: 4, spawnRate: 4 },
          seconds: 4,
          csvPrefix: `${folder()}/${runId}`,
          cwd: folder(),
          extraArgs: ["--run-id", runId, "--stop-timeout", "5"],
        });
        const truth = (await adminJson("GET", `/admin/truth?run=${runId}`)) as TruthReport;
        for (const path of paths) {
          const locust = rowNamed(run, path);
          expect(locust?.requests, describeRun(run)).toBeGreaterThan(0);
          expect(countOf(truth.routes, path)?.requests, `${path}\n${describeRun(run)}`).toBe(
            locust?.requests,
          );
        }
      }),
    );
  }, 90_000);
});
