// `npm run bench`: measures ratios in one run and prints them as tables.
//   npm run bench                 every suite
//   npm run bench -- fest         one suite (fest: the monolith, bench: /health, /io, /cpu,
//                                 workers: WORKERS=2 against one process)
//   npm run bench -- --seconds 3  shorter runs (noisier figures)
import { parseArgs } from "node:util";
import { benchLabSuite } from "./bench-lab.js";
import { festSuite } from "./fest.js";
import { clearProgress, showProgress } from "./progress.js";
import type { Suite } from "./suite.js";
import { workersSuite } from "./workers.js";

const SUITES: Record<string, Suite> = {
  fest: festSuite,
  bench: benchLabSuite,
  workers: workersSuite,
};

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { seconds: { type: "string", default: "5" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(`Usage: npm run bench -- [${Object.keys(SUITES).join("|")} ...] [--seconds N]`);
    return;
  }
  const seconds = Number(values.seconds);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 120) {
    throw new Error(`--seconds ${values.seconds} is not allowed: use a number from 1 to 120`);
  }
  const names = positionals.length > 0 ? positionals : Object.keys(SUITES);
  const unknown = names.filter((name) => !(name in SUITES));
  if (unknown.length > 0)
    throw new Error(
      `unknown suite ${unknown.join(", ")}: known are ${Object.keys(SUITES).join(", ")}`,
    );

  const verdicts: string[] = [];
  for (const name of names) {
    const result = await (SUITES[name] as Suite)({ seconds, progress: showProgress });
    clearProgress();
    console.log(`\n${result.title}\n\n${result.table}\n`);
    verdicts.push(...result.verdicts);
  }
  console.log("Targets:");
  for (const line of verdicts) console.log(`  ${line}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exit(1);
});
