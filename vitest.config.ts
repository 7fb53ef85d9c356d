import { defineConfig } from "vitest/config";

// .ci/run sets VITEST_JSON to read how many tests ran, failed and were skipped.
const jsonOutput = process.env.VITEST_JSON;

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Each file starts real servers and SQLite files; two cores, so keep files from fighting.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: jsonOutput ? ["default", ["json", { outputFile: jsonOutput }]] : ["default"],
  },
});
