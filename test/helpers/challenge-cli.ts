// Runs the built `npm run challenge` program (dist/cmd/challenge.js) as a student or an
// autograder would, bounded; resolves with its exit code and output whatever the code.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
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
  // The result file is read before its folder goes, so no run leaves a folder behind.
  const finish = (code: number, output: string): CliRun => {
    const written = existsSync(json) ? readFileSync(json, "utf8") : undefined;
    rmSync(dir, { recursive: true, force: true });
    const result = () => {
      if (written === undefined) throw new Error(`the run wrote no result file:\n${output}`);
      return JSON.parse(written) as Record<string, unknown>;
    };
    return { code, output, result };
  };
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [CHALLENGE, ...args, "--url", url, "--json", json],
      { timeout: 30_000, env: { PATH: process.env.PATH ?? "", ...env }, cwd: dir },
    );
    return finish(0, stdout + stderr);
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return finish(failed.code, failed.stdout + failed.stderr);
  }
}
