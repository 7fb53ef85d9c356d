// Runs `npm run challenge` as a student or an autograder would, bounded; resolves with its exit
// code and output whatever the code. challengeCli spawns the built program
// (dist/cmd/challenge.js): one test per behaviour goes through it, end to end. challengeCall
// runs the same command (runChallengeCommand) in this process, with the same arguments and
// only the environment given: the same HTTP calls, output and exit code, without a second or
// two of a node process's start on a small machine.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { runChallengeCommand } from "../../src/challenge/command.js";
import { projectRoot } from "../../src/paths.js";

const CHALLENGE = join(projectRoot, "dist", "cmd", "challenge.js");

export interface CliRun {
  code: number;
  output: string;
  /** verify's JSON result file, when it wrote one. */
  result: () => Record<string, unknown>;
}

/** A temp folder to run in and write verify's result file to; read, then removed. */
async function inFolder(
  url: string,
  args: string[],
  run: (argv: string[], cwd: string) => Promise<{ code: number; output: string }>,
): Promise<CliRun> {
  const dir = mkdtempSync(join(tmpdir(), "fest-lab-challenge-"));
  const json = join(dir, "result.json");
  try {
    const { code, output } = await run([...args, "--url", url, "--json", json], dir);
    // The result file is read before its folder goes, so no run leaves a folder behind.
    const written = existsSync(json) ? readFileSync(json, "utf8") : undefined;
    const result = () => {
      if (written === undefined) throw new Error(`the run wrote no result file:\n${output}`);
      return JSON.parse(written) as Record<string, unknown>;
    };
    return { code, output, result };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The built program in a process of its own, as `npm run challenge` runs it. */
export async function challengeCli(
  url: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  return inFolder(url, args, async (argv, cwd) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [CHALLENGE, ...argv], {
        timeout: 30_000,
        env: { PATH: process.env.PATH ?? "", ...env },
        cwd,
      });
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, output: failed.stdout + failed.stderr };
    }
  });
}

/** The same command in this process: its printed lines and the code it returns. */
export async function challengeCall(
  url: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  return inFolder(url, args, async (argv) => {
    const lines: string[] = [];
    const code = await runChallengeCommand(argv, { ...env }, (line) => lines.push(line));
    return { code, output: lines.map((line) => `${line}\n`).join("") };
  });
}
