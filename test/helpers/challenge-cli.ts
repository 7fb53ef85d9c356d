// Runs the built `npm run challenge` program (dist/cmd/challenge.js) as a student or an
// autograder would, bounded; resolves with its exit code and output whatever the code.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { projectRoot } from "../../src/paths.js";

const CHALLENGE = join(projectRoot, "dist", "cmd", "challenge.js");

export interface CliRun {
  code: number;
  output: string;
  /** verify's JSON result file, when it wrote one. */
  result: () => Record<string, unknown>;
}

export async function challengeCli(
  url: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  const dir = mkdtempSync(join(tmpdir(), "fest-lab-challenge-"));
  const json = join(dir, "result.json");
  const result = () => JSON.parse(readFileSync(json, "utf8")) as Record<string, unknown>;
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [CHALLENGE, ...args, "--url", url, "--json", json],
      { timeout: 30_000, env: { PATH: process.env.PATH ?? "", ...env }, cwd: dir },
    );
    return { code: 0, output: stdout + stderr, result };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr, result };
  }
}
