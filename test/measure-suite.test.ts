// A bench suite's figures are declared once: the table and the verdicts both come from that
// declaration, and a figure measured on failed requests does not hold.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { atLeast, atMost, reportSuite, type Suite } from "../measure/suite.js";
import { projectRoot } from "../src/paths.js";

interface Run {
  fast: number;
  slow: number;
  failed: number;
}

const suite: Suite<Run> = {
  name: "example",
  measure: async () => ({ fast: 2, slow: 50, failed: 0 }),
  title: (_run, { seconds }) => `Example, ${seconds} s`,
  figures: [
    { label: "fast ms", unit: "ms", value: (run) => run.fast, target: atMost(5, "ms") },
    { label: "slow req/s", unit: "req/s", value: (run) => run.slow },
    {
      label: "slow / fast",
      unit: "x",
      value: (run) => run.slow / run.fast,
      failed: (run) => run.failed,
      target: atLeast(20, "x"),
    },
  ],
};
const context = { seconds: 3, progress: () => {} };

describe("a bench suite's report", () => {
  it("prints each target once in the table and once in its verdict", () => {
    const report = reportSuite(suite, { fast: 2, slow: 50, failed: 0 }, context);
    expect(report.title).toBe("Example, 3 s");
    const table = report.tables.at(-1) ?? "";
    expect(table).toMatch(/^figure\s+measured\s+target\s+verdict\s+failed$/m);
    expect(table).toMatch(/^fast ms\s+2\s+<= 5 ms\s+held\s+0$/m);
    expect(table).toMatch(/^slow req\/s\s+50\s+0$/m);
    expect(table).toMatch(/^slow \/ fast\s+25\.00x\s+>= 20x\s+held\s+0$/m);
    expect(report.verdicts).toEqual([
      "fast ms: 2 ms (target <= 5 ms): held",
      "slow / fast: 25.00x (target >= 20x): held",
    ]);
  });

  it("misses a target the value does not meet, or that was measured on failures", () => {
    const missed = reportSuite(suite, { fast: 10, slow: 100, failed: 3 }, context);
    expect(missed.verdicts).toEqual([
      "fast ms: 10 ms (target <= 5 ms): MISSED",
      "slow / fast: 10.00x (target >= 20x): MISSED (3 failed)",
    ]);
  });
});

describe("npm run bench with bad options", () => {
  const bench = (args: string[]) =>
    promisify(execFile)(process.execPath, [join(projectRoot, "dist", "cmd", "bench.js"), ...args])
      .then(() => "")
      .catch((error: { stderr: string }) => error.stderr);

  it("refuses a length that is not a whole number of seconds, and an unknown suite", async () => {
    expect(await bench(["--seconds", "0"])).toBe(
      "bench: --seconds 0 is not allowed: use a whole number from 1 to 120\n",
    );
    expect(await bench(["nope"])).toBe(
      "bench: unknown suite nope: known are fest, bench, catalogue, digits, workers, services, startup\n",
    );
  });
});
