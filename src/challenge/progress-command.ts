// The challenge command's progress, gradebook and completion codes: `progress [--csv FILE]
// [--clear]` and the code a passing `verify --student NAME` prints, from the server
// (progress-routes.ts); `check CODE --student NAME` offline, with CLASS_KEY alone.
import { writeFileSync } from "node:fs";
import { type ChallengeServer, EXIT, type Print, Refused } from "./challenge-client.js";
import { checkCompletionCode, decodeAnswers } from "./completion-code.js";
import { loadChallenges } from "./definition.js";
import type { ProgressRow } from "./progress.js";

/** The pass's completion code; a server without CLASS_KEY says so, and the pass still stands. */
export async function printCode(
  server: ChallengeServer,
  challenge: string,
  student: string,
  print: Print,
): Promise<void> {
  try {
    const made = await server.call("POST", "/admin/challenge/code", { challenge, student });
    print(`completion code for ${made.student}: ${made.code}`);
    print(
      `(give it to your instructor, who checks it with npm run challenge -- check ${made.code} --student "${made.student}")`,
    );
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    print(`no completion code: ${error.message}`);
  }
}

interface ProgressValues {
  csv?: string;
  clear?: boolean;
  student?: string;
}

export async function progress(
  server: ChallengeServer,
  { csv, clear, student }: ProgressValues,
  print: Print,
): Promise<number> {
  if (clear === true) {
    const answer = await server.call("DELETE", "/admin/challenge/progress");
    print(
      `progress cleared: ${answer.cleared} challenge${answer.cleared === 1 ? "" : "s"} forgotten`,
    );
    return EXIT.done;
  }
  const { challenges } = (await server.call("GET", "/admin/challenge/progress")) as unknown as {
    challenges: ProgressRow[];
  };
  const width = Math.max(0, ...challenges.map((c) => c.challenge.length));
  for (const row of challenges) {
    const parts: string[] = [row.state];
    if (row.seed !== undefined) parts.push(`seed ${row.seed}`, `last ${row.lastAt}`);
    if (row.runs > 0) parts.push(`${row.runs} run${row.runs === 1 ? "" : "s"}`);
    if (row.seed !== undefined) {
      parts.push(`${row.attempts} graded attempt${row.attempts === 1 ? "" : "s"}`);
    }
    if (row.passedAt !== undefined) parts.push(`passed ${row.passedAt} (seed ${row.passedSeed})`);
    if (row.code !== undefined) parts.push(`code for ${row.student}: ${row.code}`);
    print(`${row.challenge.padEnd(width)}  ${parts.join(", ")}`);
  }
  const passed = challenges.filter((c) => c.state === "passed").length;
  print(`${passed} of ${challenges.length} challenges passed on ${server.url}`);
  if (csv !== undefined) {
    writeFileSync(csv, gradebook(challenges, student));
    print(`gradebook written to ${csv}`);
  }
  return EXIT.done;
}

const GRADEBOOK_COLUMNS = [
  "student",
  "challenge",
  "title",
  "state",
  "seed",
  "runs",
  "graded_attempts",
  "first_tried",
  "last_tried",
  "passed_at",
  "passed_seed",
  "completion_code",
];

/** One row a challenge, as a spreadsheet opens it; a student given fills rows without a code's. */
export function gradebook(rows: readonly ProgressRow[], student?: string): string {
  const cell = (value: string | number | undefined) => {
    const text = value === undefined ? "" : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = rows.map((row) =>
    [
      row.student ?? student,
      row.challenge,
      row.title,
      row.state,
      row.seed,
      row.runs,
      row.attempts,
      row.firstAt,
      row.lastAt,
      row.passedAt,
      row.passedSeed,
      row.code,
    ]
      .map(cell)
      .join(","),
  );
  return `${[GRADEBOOK_COLUMNS.join(","), ...lines].join("\r\n")}\r\n`;
}

interface CheckValues {
  student?: string;
  classKey?: string;
  challengesDir: string;
}

/** Offline: the code, the student's name and CLASS_KEY; the challenge files only to name answers. */
export function check(
  code: string,
  { student, classKey, challengesDir }: CheckValues,
  print: Print,
): number {
  if (student === undefined || student.trim() === "") {
    throw new Refused("check needs the student's name: --student NAME");
  }
  if (classKey === undefined) {
    throw new Refused(
      "check needs the key the server made the code with: CLASS_KEY=... or --class-key",
    );
  }
  const result = checkCompletionCode(classKey, student, code);
  if (!result.valid) {
    print(`NOT VALID for ${student}: ${result.why}`);
    return EXIT.failed;
  }
  let answers = result.answers;
  try {
    const challenge = loadChallenges(challengesDir).find((c) => c.name === result.challenge);
    if (challenge !== undefined) answers = decodeAnswers(challenge, result.answers).join(" ");
  } catch {
    // No challenge files here: the answers stay as the code writes them.
  }
  print(
    `VALID: ${student} passed ${result.challenge} with seed ${result.seed}; answers ${answers}`,
  );
  return EXIT.done;
}
