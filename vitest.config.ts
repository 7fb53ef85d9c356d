import { readdirSync, readFileSync, statSync } from "node:fs";
import { relative } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// .ci/run sets VITEST_JSON to read how many tests ran, failed and were skipped.
const jsonOutput = process.env.VITEST_JSON;

// `npm run test:quick` (vitest --mode quick) is the inner loop: it leaves out the files that
// drive a tool from outside npm (Locust, Chromium, Prometheus, nginx: they import its helper)
// and those whose first line says "npm test only" (they start the WORKERS or --services
// shapes, a group of node processes each, or play whole lessons with seconds of load).
// `npm test` runs everything.
const TOOL_HELPER = /from "\.\/helpers\/(locust-runner|chromium|prometheus|nginx)\.js"/;
const FULL_ONLY = /^\/\/ npm test only\b/;
const testFiles = readdirSync("test")
  .filter((file) => file.endsWith(".test.ts"))
  .map((file) => ({ path: `test/${file}`, text: readFileSync(`test/${file}`, "utf8") }));
const toolFiles = testFiles.filter((f) => TOOL_HELPER.test(f.text)).map((f) => f.path);
const fullOnlyFiles = testFiles.filter((f) => FULL_ONLY.test(f.text)).map((f) => f.path);

/**
 * The tool files first (each is a few seconds of a tool's load, end to end, and they are the
 * longest), then the other "npm test only" files (process groups, whole lessons), then the
 * rest, larger files first: the long ones do not end up alone at the end.
 */
class ToolsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const weight = (spec: TestSpecification) => {
      const path = relative(process.cwd(), spec.moduleId);
      const tier = toolFiles.includes(path) ? 3e9 : fullOnlyFiles.includes(path) ? 2e9 : 0;
      return tier + statSync(spec.moduleId).size;
    };
    return [...files].sort((a, b) => weight(b) - weight(a));
  }
}

export default defineConfig(({ mode }) => ({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: mode === "quick" ? [...toolFiles, ...fullOnlyFiles] : [],
    globalSetup: ["test/global-setup.ts"],
    // Three files at once keep two cores busy (the suite uses about 1.8 of them: process
    // starts, Locust, Chromium), since a file also waits on its servers' timers and a child's
    // exit; each file's servers are its own (their own ports, folders and databases). Four
    // made the ratio tests (a stall against a healthy run) flaky.
    maxWorkers: 3,
    // A worker keeps the modules it has loaded from one file to the next: the suite is bound
    // by its 2 cores, and loading Express, nunjucks, prom-client and the app again for each of
    // 70 files cost about a third of its CPU. No test relies on a fresh module: state lives in
    // the objects a test builds (the house rule: no module globals).
    isolate: false,
    sequence: { sequencer: ToolsFirst },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: jsonOutput ? ["default", ["json", { outputFile: jsonOutput }]] : ["default"],
  },
}));
