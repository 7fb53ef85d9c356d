// `npm run lab`: the same load against the server in two switch settings, side by side.
//   npm run lab                                           naive against optimized, /events
//   npm run lab -- --a "bugs=events-slow-loop" --b optimized --route /events?user=locust_user
// Prints a table, and writes report.html (charts, opens from disk) and results.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { compareSettings, Interrupted } from "../measure/compare.js";
import { summaryTable } from "../measure/compare-table.js";
import { clearProgress, showProgress } from "../measure/progress.js";
import { renderReport } from "../measure/report.js";
import { parseSetting, SETTING_SYNTAX } from "../measure/setting.js";
import { DEFAULT_SEED_SIZE, type SeedSize } from "../src/database.js";
import { readOptions, usageLines } from "../src/options.js";
import { NotAllowed, oneOf, wholeNumber } from "../src/parsers.js";

/** `small` seeds in milliseconds (for tests and quick tries); `default` is `npm start`'s data. */
const SEED_SIZES: Record<string, SeedSize> = {
  default: DEFAULT_SEED_SIZE,
  small: { events: 12, users: 30, registrations: 150, movies: 400 },
};

/** A path on the lab's own server: it must stay on that server and be a plain GET target. */
function routeOption(text: string): string {
  const base = "http://127.0.0.1";
  const url = text.startsWith("/") && !text.startsWith("//") ? new URL(text, base) : undefined;
  if (url === undefined || url.origin !== base || text.length > 2000 || /\s|#/.test(text)) {
    throw new NotAllowed("use a path on the server, such as /events?user=locust_user or /health");
  }
  return url.pathname + url.search;
}

const OPTIONS = {
  a: {
    flag: "a",
    arg: "SETTING",
    default: "naive",
    shown: "naive",
    help: "the first setting",
    parse: (text: string) => parseSetting("--a", text),
  },
  b: {
    flag: "b",
    arg: "SETTING",
    default: "optimized",
    shown: "optimized",
    help: "the second setting",
    parse: (text: string) => parseSetting("--b", text),
  },
  route: {
    flag: "route",
    arg: "PATH",
    default: "/events?user=locust_user",
    shown: "/events?user=locust_user",
    help: "the GET request to load",
    parse: routeOption,
  },
  connections: {
    flag: "connections",
    arg: "N",
    default: "10",
    shown: "10",
    help: "concurrent connections, 1 to 1000",
    parse: (text: string) => wholeNumber(text, 1, 1000),
  },
  duration: {
    flag: "duration",
    arg: "S",
    default: "10",
    shown: "10",
    // 300 s a side keeps a forgotten run from holding the machine for an afternoon.
    help: "seconds of load for each setting, 1 to 300",
    parse: (text: string) => wholeNumber(text, 1, 300),
  },
  probeRate: {
    flag: "probe-rate",
    arg: "N",
    default: "20",
    shown: "20",
    help: "requests a second of the fixed-rate probe of the same route beside the load, 0 to 1000 (0: none)",
    parse: (text: string) => wholeNumber(text, 0, 1000),
  },
  seedSize: {
    flag: "seed-size",
    arg: "NAME",
    default: "default",
    shown: "default",
    help: "data for the run: default (as npm start) or small",
    parse: (text: string) => {
      const name = oneOf(text, Object.keys(SEED_SIZES));
      return { name, size: SEED_SIZES[name] as SeedSize };
    },
  },
  out: {
    flag: "out",
    arg: "DIR",
    shown: "lab-reports/<time>",
    help: "where report.html and results.json go",
    parse: (text: string) => text,
  },
};

function timestamp(date: Date): string {
  return date.toISOString().replace(/\..*$/, "Z").replace(/:/g, "-");
}

function progress(setting: string, elapsed: number, total: number, requests: number): void {
  showProgress(`${setting}  ${elapsed}/${total} s  ${requests} requests`);
}

async function main(): Promise<void> {
  const read = readOptions(OPTIONS, { argv: process.argv.slice(2) });
  if (read.kind === "help") {
    console.log(["Usage: npm run lab -- [options]", ...usageLines(OPTIONS)].join("\n"));
    console.log(SETTING_SYNTAX);
    console.log(
      "Each setting runs against its own fresh server on 127.0.0.1, one after the other.",
    );
    return;
  }
  const { a, b, route, connections, duration, probeRate, seedSize, out } = read.values;
  const outDir = resolve(out ?? join("lab-reports", timestamp(new Date())));

  // Ctrl-C ends the run cleanly: the server stopped, the temp database deleted.
  const interrupt = new AbortController();
  process.once("SIGINT", () => interrupt.abort());
  const comparison = await compareSettings({
    route,
    connections,
    duration,
    probeRate,
    settings: [a, b],
    seedSize,
    signal: interrupt.signal,
    progress,
  });
  clearProgress();

  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "results.json"), `${JSON.stringify(comparison, null, 2)}\n`);
  writeFileSync(join(outDir, "report.html"), renderReport(comparison));
  console.log(`\nGET ${route}, ${connections} connections, ${duration} s each\n`);
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
  const message = (error as Error).message;
  if (error instanceof Interrupted) {
    process.stderr.write(`lab: ${message}\n`);
    process.exit(130);
  }
  const hint = message.includes("--help") ? "" : "\nRun with --help for the options.";
  process.stderr.write(`lab: ${message}${hint}\n`);
  process.exit(1);
});
