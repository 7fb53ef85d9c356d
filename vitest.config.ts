import { readdirSync, readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

// .ci/run sets VITEST_JSON to read how many tests ran, failed and were skipped.
const jsonOutput = process.env.VITEST_JSON;

// A test file that drives a tool from outside npm (Locust, Chromium, Prometheus, nginx) says so
// by importing its helper. Those files are the "tools" project; every other file is "quick",
// which `npm run test:quick` runs alone for the inner loop.
const TOOL_HELPER = /from "\.\/helpers\/(locust-runner|chromium|prometheus|nginx)\.js"/;
const testFiles = readdirSync("test").filter((file) => file.endsWith(".test.ts"));
const toolFiles = testFiles
  .filter((file) => TOOL_HELPER.test(readFileSync(`test/${file}`, "utf8")))
  .map((file) => `test/${file}`);

const shared = {
  globalSetup: ["test/global-setup.ts"],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    reporters: jsonOutput ? ["default", ["json", { outputFile: jsonOutput }]] : ["default"],
    // Both projects at once: the quick files' workers beside the tools' worker.
    maxWorkers: 4,
    projects: [
      {
        test: {
          ...shared,
          name: "quick",
          include: ["test/**/*.test.ts"],
          exclude: toolFiles,
          // Most of a file's time is waiting on the servers it starts (their start, their
          // timers, a child's exit), so two files at once beside the tools keep two cores busy
          // without making any file's server fight for them.
          maxWorkers: 2,
        },
      },
      {
        test: {
          ...shared,
          name: "tools",
          include: toolFiles,
          // A tool's load (Locust's users, Chromium) is short and small (a few users for a few
          // seconds): two files at a time, beside the quick files.
          maxWorkers: 2,
        },
      },
    ],
  },
});
