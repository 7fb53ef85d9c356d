// `npm run smoke [-- URL]`: is it working? Each lab's main requests once, one line a check,
// a verdict, exit 0 or 1.
import {
  ADMIN_TOKEN_OPTION,
  adminTokenFor,
  DEFAULT_SERVER_URL,
  SERVER_DATA_OPTION,
} from "../src/client-options.js";
import { readOptions, usageLines } from "../src/options.js";
import { reportLines, runSmoke } from "../src/smoke/run-smoke.js";

const OPTIONS = { adminToken: ADMIN_TOKEN_OPTION, dbPath: SERVER_DATA_OPTION };

async function main(): Promise<number> {
  const read = readOptions(OPTIONS, {
    argv: process.argv.slice(2),
    env: process.env,
    positionals: true,
  });
  if (read.kind === "help") {
    console.log(
      [
        `Usage: npm run smoke -- [URL] [options]   (URL defaults to ${DEFAULT_SERVER_URL})`,
        ...usageLines(OPTIONS),
      ].join("\n"),
    );
    return 0;
  }
  const [url = DEFAULT_SERVER_URL, ...extra] = read.positionals;
  if (extra.length > 0) throw new Error(`one URL only, got ${read.positionals.join(" ")}`);
  if (!/^https?:\/\/[^/]+/.test(url)) {
    throw new Error(`${url} is not a URL: give one like ${DEFAULT_SERVER_URL}`);
  }
  const adminToken = adminTokenFor(url, read.values.adminToken, read.values.dbPath);
  const report = await runSmoke(url, { adminToken });
  for (const line of reportLines(report)) console.log(line);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`smoke: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
