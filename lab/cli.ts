// `npm run lab`: the same load against the server in two switch settings, side by side.
//   npm run lab                                           naive against optimized, /events
//   npm run lab -- --a "bugs=events-slow-loop" --b optimized --route /events?user=locust_user
// Prints a table, and writes report.html (charts, opens from disk) and results.json.

import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { clearProgress, showProgress } from "../benchmark/progress.js";
import { DEFAULT_SEED_SIZE, type SeedSize } from "../src/fest/seed.js";
import { compareSettings, Interrupted } from "./compare.js";
import { renderReport } from "./report-html.js";
import { parseSetting, SETTING_SYNTAX } from "./settings.js";
import { summaryTable } from "./summary-table.js";

/** `small` seeds in milliseconds (for tests and quick tries); `default` is `npm start`'s data. */
const SEED_SIZES: Record<string, SeedSize> = {
  default: DEFAULT_SEED_SIZE,
  small: { events: 12, users: 30, registrations: 150 },
};

const USAGE = `Usage: npm run lab -- [options]
  --a SETTING         the first setting (default "naive")
  --b SETTING         the second setting (default "optimized")
  --route PATH        the GET request to load (default /events?user=locust_user)
  --connections N     concurrent connections, 1 to 1000 (default 10)
  --duration S        seconds of load for each setting, 1 to 300 (default 10)
  --seed-size NAME    data for the run: default (as npm start) or small (default default)
  --out DIR           where report.html and results.json go (default lab-reports/<time>)
${SETTING_SYNTAX}
Each setting runs against its own fresh server on 127.0.0.1, one after the other.`;

function wholeNumber(option: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new Error(`--${option} ${text} is not allowed: use a whole number from ${min} to ${max}`);
  }
  return value;
}

/** A path on the lab's own server: it must stay on that server and be a plain GET target. */
function routeOption(text: string): string {
  const base = "http://127.0.0.1";
  const url = text.startsWith("/") && !text.startsWith("//") ? new URL(text, base) : undefined;
  if (url === undefined || url.origin !== base || text.length > 2000 || /\s|#/.test(text)) {
    throw new Error(
      `--route ${text} is not allowed: use a path on the server, such as /events?user=locust_user or /health`,
    );
  }
  return url.pathname + url.search;
}

function timestamp(date: Date): string {
  return date.toISOString().replace(/\..*$/, "Z").replace(/:/g, "-");
}

function progress(setting: string, elapsed: number, total: number, requests: number): void {
  showProgress(`${setting}  ${elapsed}/${total} s  ${requests} requests`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      a: { type: "string", default: "naive" },
      b: { type: "string", default: "optimized" },
      route: { type: "string", default: "/events?user=locust_user" },
      connections: { type: "string", default: "10" },
      duration: { type: "string", default: "10" },
      "seed-size": { type: "string", default: "default" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const seedName = values["seed-size"];
  const seedSize = SEED_SIZES[seedName];
  if (seedSize === undefined) {
    throw new Error(
      `--seed-size ${seedName} is not allowed: use one of ${Object.keys(SEED_SIZES).join(", ")}`,
    );
  }
  const options = {
    settings: [parseSetting("--a", values.a), parseSetting("--b", values.b)] as const,
    route: routeOption(values.route),
    connections: wholeNumber("connections", values.connections, 1, 1000),
    // 300 s a side keeps a forgotten run from holding the machine for an afternoon.
    duration: wholeNumber("duration", values.duration, 1, 300),
  };
  const outDir = resolve(values.out ?? join("lab-reports", timestamp(new Date())));

  // Ctrl-C ends the run cleanly: the server stopped, the temp database deleted.
  const interrupt = new AbortController();
  process.once("SIGINT", () => interrupt.abort());
  const comparison = await compareSettings({
    ...options,
    signal: interrupt.signal,
    settings: [...options.settings],
    seedSize: { name: seedName, size: seedSize },
    progress,
  });
  clearProgress();

  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "results.json"), `${JSON.stringify(comparison, null, 2)}\n`);
  writeFileSync(join(outDir, "report.html"), renderReport(comparison));
  console.log(
    `\nGET ${options.route}, ${options.connections} connections, ${options.duration} s each\n`,
  );
  console.log(summaryTable(comparison));
  for (const setting of comparison.settings.filter((s) => s.serverExited)) {
    console.log(
      `\n${setting.side}: the server exited during the run; every request after that was refused.`,
    );
  }
  console.log(
    `\nreport:  ${join(outDir, "report.html")}\nresults: ${join(outDir, "results.json")}`,
  );
}

main().catch((error: unknown) => {
  clearProgress();
  if (error instanceof Interrupted) {
    process.stderr.write(`lab: ${error.message}\n`);
    process.exit(130);
  }
  process.stderr.write(`lab: ${(error as Error).message}\nRun with --help for the options.\n`);
  process.exit(1);
});
