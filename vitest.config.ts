import { readdirSync, readFileSync, statSync } from "node:fs";
import { relative } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// .ci/run sets VITEST_JSON to read how many tests ran, failed and were skipped.
const jsonOutput = process.env.VITEST_JSON;

// A test file that drives a tool from outside npm (Locust, Chromium, Prometheus, nginx) says so
// by importing its helper. `npm run test:quick` (vitest --mode quick) leaves those files out,
// for the inner loop; `npm test` runs everything.
const TOOL_HELPER = /from "\.\/helpers\/(locust-runner|chromium|prometheus|nginx)\.js"/;
const toolFiles = readdirSync("test")
  .filter((file) => file.endsWith(".test.ts"))
  .filter((file) => TOOL_HELPER.test(readFileSync(`test/${file}`, "utf8")))
  .map((file) => `test/${file}`);

/**
 * The tool files first (each is a few seconds of a tool's load, end to end, and they are the
 * longest), then the rest, larger files first: the long ones do not end up alone at the end.
 */
class ToolsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const weight = (spec: TestSpecification) => {
      const path = relative(process.cwd(), spec.moduleId);
      return (toolFiles.includes(path) ? 1e9 : 0) + statSync(spec.moduleId).size;
    };
    return [...files].sort((a, b) => weight(b) - weight(a));
  }
}

export default defineConfig(({ mode }) => ({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: mode === "quick" ? toolFiles : [],
    globalSetup: ["test/global-setup.ts"],
    // Most of a file's time is waiting: on the servers it starts (their start, their timers, a
    // child's exit) and on a tool's few seconds of load. Three files at once keep two cores
    // busy; each file's servers are its own (their own ports, folders and databases). Four
    // was a little faster and made the ratio tests (a stall against a healthy run) flaky.
    maxWorkers: 3,
    sequence: { sequencer: ToolsFirst },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: jsonOutput ? ["default", ["json", { outputFile: jsonOutput }]] : ["default"],
  },
}));
