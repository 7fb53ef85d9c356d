// `npm run bench`: measures ratios in one run and prints them as tables.
//   npm run bench                 every suite
//   npm run bench -- fest         one suite (fest: the monolith, bench: /health, /io, /cpu,
//                                 catalogue, digits: those labs' switches against their fixes,
//                                 workers: WORKERS=2 against one process, services: SERVICES=1
//                                 against the monolith, startup: the first start from an empty
//                                 folder and the idle memory)
//   npm run bench -- --seconds 3  shorter runs (noisier figures)

import { clearProgress, showProgress } from "../measure/progress.js";
import type { RunnableSuite } from "../measure/suite.js";
import { benchEndpointsSuite } from "../measure/suites/bench-endpoints.js";
import { catalogueSuite } from "../measure/suites/catalogue.js";
import { digitsSuite } from "../measure/suites/digits.js";
import { festSuite } from "../measure/suites/fest.js";
import { servicesSuite } from "../measure/suites/services.js";
import { startupSuite } from "../measure/suites/startup.js";
import { workersSuite } from "../measure/suites/workers.js";
import { OptionError, readOptions, usageLines } from "../src/options.js";
import { wholeNumber } from "../src/parsers.js";

const SUITES: RunnableSuite[] = [
  festSuite,
  benchEndpointsSuite,
  catalogueSuite,
  digitsSuite,
  workersSuite,
  servicesSuite,
  startupSuite,
];
const NAMES = SUITES.map((suite) => suite.name);

const OPTIONS = {
  seconds: {
    flag: "seconds",
    arg: "N",
    default: "5",
    shown: "5",
    help: "seconds of load for each measurement, 1 to 120",
    parse: (text: string) => wholeNumber(text, 1, 120),
  },
};

async function main(): Promise<void> {
  const read = readOptions(OPTIONS, { argv: process.argv.slice(2), positionals: true });
  if (read.kind === "help") {
    console.log(`Usage: npm run bench -- [${NAMES.join("|")} ...] [options]`);
    console.log(usageLines(OPTIONS).join("\n"));
    return;
  }
  const names = read.positionals.length > 0 ? read.positionals : NAMES;
  const unknown = names.filter((name) => !NAMES.includes(name));
  if (unknown.length > 0) {
    throw new OptionError(`unknown suite ${unknown.join(", ")}: known are ${NAMES.join(", ")}`);
  }

  const verdicts: string[] = [];
  for (const name of names) {
    const suite = SUITES.find((s) => s.name === name) as RunnableSuite;
    const report = await suite.run({ seconds: read.values.seconds, progress: showProgress });
    clearProgress();
    console.log(`\n${report.title}\n\n${report.tables.join("\n\n")}\n`);
    verdicts.push(...report.verdicts);
  }
  console.log("Targets:");
  for (const line of verdicts) console.log(`  ${line}`);
}

main().catch((error: unknown) => {
  clearProgress();
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exit(1);
});
