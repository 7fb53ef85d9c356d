// `npm run verify -- results/events_stats.csv [--run-id ID] [--url http://127.0.0.1:8000]`:
// reads a Locust stats CSV and the server's GET /admin/truth, and prints them side by side.
import { readFileSync } from "node:fs";
import {
  ADMIN_TOKEN_OPTION,
  adminTokenFor,
  SERVER_DATA_OPTION,
  SERVER_URL_OPTION,
} from "../client-options.js";
import { type Option, OptionError, readOptions, usageLines } from "../options.js";
import { locustRows } from "./locust-csv.js";
import type { TruthReport } from "./truth.js";
import { compare, verdictTable } from "./verify.js";

const text = (value: string) => value;

const OPTIONS = {
  url: SERVER_URL_OPTION,
  runId: {
    flag: "run-id",
    arg: "ID",
    shown: "all requests",
    help: "compare with the requests that carried X-Run-Id: ID only (FEST_RUN_ID or --run-id in Locust)",
    parse: text,
  },
  adminToken: ADMIN_TOKEN_OPTION,
  dbPath: SERVER_DATA_OPTION,
} satisfies Record<string, Option<unknown>>;

const USAGE = [
  "Usage: npm run verify -- <locust *_stats.csv> [flags]",
  ...usageLines(OPTIONS),
].join("\n");

async function main(): Promise<void> {
  const read = readOptions(OPTIONS, {
    argv: process.argv.slice(2),
    env: process.env,
    positionals: true,
  });
  if (read.kind === "help") {
    console.log(USAGE);
    return;
  }
  const { values, positionals } = read;
  const [csvPath, ...extra] = positionals;
  if (csvPath === undefined || extra.length > 0)
    throw new OptionError(`give one stats CSV\n${USAGE}`);
  const rows = locustRows(readFileSync(csvPath, "utf8"));
  const token = adminTokenFor(values.url, values.adminToken, values.dbPath);
  const truth = await fetchTruth(values.url, values.runId, token);
  for (const line of verdictTable(compare(rows, truth.routes))) console.log(line);
  console.log(
    `server: ${truth.connections.opened} connections opened, ${truth.connections.closed} closed${
      // Withheld while a challenge runs (src/withheld.ts).
      truth.connections.resetByFault === undefined
        ? ""
        : `, ${truth.connections.resetByFault} reset by a fault`
    }; ${truth.stalls} stalls; counting since ${truth.since}`,
  );
}

async function fetchTruth(url: string, runId: string | undefined, token: string | undefined) {
  const address = `${url.replace(/\/$/, "")}/admin/truth${runId === undefined ? "" : `?run=${encodeURIComponent(runId)}`}`;
  let res: Response;
  try {
    res = await fetch(address, {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
  } catch (error) {
    throw new OptionError(
      `cannot reach ${address}: ${(error as Error).cause ?? error}; is the server running? (--url)`,
    );
  }
  const body = (await res.json().catch(() => ({}))) as TruthReport & { error?: string };
  if (!res.ok)
    throw new OptionError(`${address} answered ${res.status}: ${body.error ?? "no details"}`);
  return body;
}

main().catch((error: unknown) => {
  process.stderr.write(`verify: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
