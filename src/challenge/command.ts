// `npm run challenge -- list | start NAME [--seed N] | status | hint | verify [id=answer ...]
// [--json FILE] [--student NAME] | stop | progress [--csv FILE] [--clear] | check CODE --student
// NAME`: a client of a running server's challenge API (routes.ts, progress-routes.ts), for a
// student's terminal and a course's autograder; check alone needs no server, only CLASS_KEY.
// Exit codes: 0 done (verify: every answer passed; check: the code is good), 1 verify: some
// answer did not (check: the code is not good), 2 the command, the server or an answer's form
// was wrong, or nothing answered.
import { writeFileSync } from "node:fs";
import {
  ADMIN_TOKEN_OPTION,
  adminTokenFor,
  SERVER_DATA_OPTION,
  SERVER_URL_OPTION,
} from "../client-options.js";
import { SETTINGS } from "../config.js";
import { OptionError, readOptions, usageLines } from "../options.js";
import { wholeNumber } from "../parsers.js";
import { ChallengeServer, EXIT, type Print, Refused } from "./challenge-client.js";
import type { Verification } from "./challenges.js";
import { loadCommand } from "./load-command.js";
import { check, printCode, progress } from "./progress-command.js";

export { EXIT };

const OPTIONS = {
  url: SERVER_URL_OPTION,
  adminToken: ADMIN_TOKEN_OPTION,
  dbPath: SERVER_DATA_OPTION,
  seed: {
    flag: "seed",
    arg: "N",
    shown: "drawn by the server",
    help: "start: the seed that picks the variant; the same seed, the same variant",
    parse: (text: string) => wholeNumber(text, 0, 4_294_967_295),
  },
  instructor: {
    flag: "instructor",
    shown: "off",
    help: "status: the instructor's view, with what the running challenge broke and its answers",
    parse: (text: string) => text === "1",
  },
  json: {
    flag: "json",
    arg: "FILE",
    default: "challenge-result.json",
    shown: "challenge-result.json",
    help: "verify: where to write the result as JSON",
    parse: (text: string) => text,
  },
  student: {
    flag: "student",
    arg: "NAME",
    shown: "none",
    help: "verify: a pass prints a completion code for NAME (the server needs CLASS_KEY); check: whose code it is",
    parse: (text: string) => text,
  },
  csv: {
    flag: "csv",
    arg: "FILE",
    shown: "none",
    help: "progress: also write the gradebook as CSV to FILE",
    parse: (text: string) => text,
  },
  clear: {
    flag: "clear",
    shown: "off",
    help: "progress: forget every challenge's progress on the server (nothing else clears it)",
    parse: () => true,
  },
  classKey: SETTINGS.classKey,
  challengesDir: SETTINGS.challengesDir,
};

const USAGE = [
  "Usage: npm run challenge -- COMMAND [options]",
  "  list                      the challenges this server has",
  "  start NAME [--seed N]     break what the challenge breaks, start its run id",
  "  status [--instructor]     the running challenge: its task, run id, questions, hints given",
  "  hint                      the next hint",
  "  verify [ID=ANSWER ...]    grade the answers: a line a question, a JSON file; exit 0 all passed, 1 not",
  "  stop                      put back what start changed, and show what it was",
  "  progress [--csv FILE]     each challenge: not tried, tried or passed; seed, dates, attempts",
  "  progress --clear          forget it all (a reset or restart keeps it)",
  "  check CODE --student NAME is this completion code NAME's? offline, with CLASS_KEY",
  "Options:",
  ...usageLines(OPTIONS),
  "Exit codes: 0 done (verify: all passed; check: a good code), 1 verify: not all passed (check: not a good code), 2 usage, server refused or unreachable.",
].join("\n");

export async function runChallengeCommand(
  argv: string[],
  env: NodeJS.ProcessEnv,
  print: Print,
): Promise<number> {
  try {
    const read = readOptions(OPTIONS, { argv, env, positionals: true });
    if (read.kind === "help") {
      print(USAGE);
      return EXIT.done;
    }
    const [command, ...rest] = read.positionals;
    const { url, adminToken, dbPath } = read.values;
    // check needs no server: the code and the key say all.
    if (command === "check") {
      const [code, ...extra] = rest;
      if (code === undefined || extra.length > 0) {
        throw new Refused("check takes one code: npm run challenge -- check CODE --student NAME");
      }
      return check(code, read.values, print);
    }
    const server = new ChallengeServer(url, adminTokenFor(url, adminToken, dbPath));
    const noMore = () => {
      if (rest.length > 0)
        throw new Refused(`${command} takes no arguments, got ${rest.join(" ")}`);
    };
    // Each command awaited here, so a refusal from the server (Refused) is printed as one line
    // and exits 2 by the catch below, whoever runs the command (the program or a test).
    switch (command) {
      case "list":
        noMore();
        return await list(server, print);
      case "start": {
        const [name, ...extra] = rest;
        if (name === undefined || extra.length > 0) {
          throw new Refused("start takes one challenge name: npm run challenge -- start NAME");
        }
        return await start(server, name, read.values.seed, print);
      }
      case "status":
        noMore();
        return await status(server, read.values.instructor === true, print);
      case "hint":
        noMore();
        return await hint(server, print);
      case "verify":
        return await verify(server, answersOf(rest), read.values.json, read.values.student, print);
      case "progress":
        noMore();
        return await progress(server, read.values, print);
      case "stop":
        noMore();
        return await stop(server, print);
      default:
        throw new Refused(
          `${command === undefined ? "no command" : `unknown command "${command}"`}: use list, start NAME, status, hint, verify ID=ANSWER..., stop, progress, or check CODE (--help for more)`,
        );
    }
  } catch (error) {
    if (error instanceof Refused || error instanceof OptionError) {
      print(`challenge: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
}

interface ListedChallenge {
  name: string;
  title: string;
  lesson: string;
  questions: number;
  hints: number;
  variants: number;
}

async function list(server: ChallengeServer, print: Print): Promise<number> {
  const { challenges } = (await server.call("GET", "/admin/challenges")) as {
    challenges: ListedChallenge[];
  };
  const width = Math.max(0, ...challenges.map((c) => c.name.length));
  for (const c of challenges) {
    print(
      `${c.name.padEnd(width)}  ${c.title}: ${c.lesson} (${c.questions} questions, ${c.hints} hints, ${c.variants} variant${c.variants === 1 ? "" : "s"})`,
    );
  }
  print(
    `${challenges.length} challenges; start one with npm run challenge -- start NAME [--seed N]`,
  );
  return EXIT.done;
}

interface ChallengeState {
  running: boolean;
  name?: string;
  title?: string;
  brief?: string;
  load?: string;
  seed?: number;
  runId?: string;
  hints?: string[];
  hintsLeft?: number;
  broke?: string;
  attempts?: { used: number; left: number; of: number };
  instructor?: { broke: string; answers: Record<string, unknown> };
  questions?: { id: string; ask: string; kind: string; options?: string[]; tolerance?: string }[];
}

function describe(state: ChallengeState, url: string, print: Print): void {
  print(`${state.title} (seed ${state.seed}, run id ${state.runId})`);
  print(state.brief ?? "");
  // The load goes where this command went: the server --url names.
  print(`load: ${loadCommand(state.load ?? "", url)}`);
  print("questions (answer with npm run challenge -- verify ID=ANSWER ...):");
  const questions = state.questions ?? [];
  const width = Math.max(0, ...questions.map((q) => q.id.length));
  for (const q of questions) {
    const form = q.options ? `one of ${q.options.join(", ")}` : `a number, ${q.tolerance}`;
    print(`  ${q.id.padEnd(width)}  ${q.ask} (${form})`);
  }
}

async function start(
  server: ChallengeServer,
  name: string,
  seed: number | undefined,
  print: Print,
): Promise<number> {
  const state = (await server.call("POST", "/admin/challenge/start", {
    name,
    ...(seed === undefined ? {} : { seed }),
  })) as unknown as ChallengeState;
  print(`challenge ${state.name} started against ${server.url}`);
  describe(state, server.url, print);
  print(`hints: npm run challenge -- hint (${state.hintsLeft} available)`);
  return EXIT.done;
}

async function status(server: ChallengeServer, instructor: boolean, print: Print): Promise<number> {
  // The instructor's view only when asked for: a student's own status shows no answer.
  const path = instructor ? "/admin/challenge?view=instructor" : "/admin/challenge";
  const state = (await server.call("GET", path)) as unknown as ChallengeState;
  if (state.name === undefined) {
    print("no challenge is running: start one with npm run challenge -- start NAME");
    return EXIT.done;
  }
  print(
    `challenge ${state.name} ${state.running ? "is running" : `has stopped: it ${state.broke}`}`,
  );
  describe(state, server.url, print);
  (state.hints ?? []).forEach((hint, at) => {
    print(`hint ${at + 1}: ${hint}`);
  });
  if (state.attempts !== undefined && state.running) {
    print(`graded attempts: ${state.attempts.used} used, ${state.attempts.left} left`);
  }
  if (state.instructor !== undefined) {
    print(`instructor's view: it ${state.instructor.broke}`);
    print(`answers: ${JSON.stringify(state.instructor.answers)}`);
  }
  return EXIT.done;
}

async function hint(server: ChallengeServer, print: Print): Promise<number> {
  const answer = await server.call("POST", "/admin/challenge/hint");
  if (typeof answer.hint === "string")
    print(`hint ${answer.number} of ${answer.of}: ${answer.hint}`);
  else print(String(answer.message));
  return EXIT.done;
}

async function stop(server: ChallengeServer, print: Print): Promise<number> {
  const answer = await server.call("POST", "/admin/challenge/stop");
  print(`challenge ${answer.stopped} stopped: it ${answer.broke}; all put back`);
  print(`npm run challenge -- verify ... now shows every expected answer for run ${answer.runId}`);
  return EXIT.done;
}

/** ID=ANSWER words; an answer may hold "=" and spaces (quote it in the shell). */
function answersOf(words: string[]): Record<string, string> {
  const answers: Record<string, string> = {};
  for (const word of words) {
    const at = word.indexOf("=");
    if (at <= 0) {
      throw new Refused(`answers are ID=ANSWER, like page=/events or share=3.2, got "${word}"`);
    }
    answers[word.slice(0, at)] = word.slice(at + 1);
  }
  return answers;
}

async function verify(
  server: ChallengeServer,
  answers: Record<string, string>,
  jsonFile: string,
  student: string | undefined,
  print: Print,
): Promise<number> {
  const result = (await server.call("POST", "/admin/challenge/verify", {
    answers,
  })) as unknown as Verification;
  const width = Math.max(0, ...result.questions.map((q) => q.id.length));
  for (const q of result.questions) {
    const given = q.given === "" ? "no answer" : `given ${q.given}`;
    const expected = q.expected === undefined ? "" : `, expected ${q.expected}`;
    // A choice not graded yet (some figure is off) is neither right nor wrong.
    const verdict = q.withheld ? "----" : q.pass ? "PASS" : "FAIL";
    print(`${verdict}  ${q.id.padEnd(width)}  ${given}${expected}: ${q.why}`);
  }
  print(result.message);
  writeFileSync(jsonFile, `${JSON.stringify({ url: server.url, ...result }, null, 2)}\n`);
  const verdict = result.pass ? "passed" : "FAILED";
  print(
    `challenge ${result.challenge} (seed ${result.seed}, run id ${result.runId}): ${verdict}, ${result.passed} of ${result.of} answers right${result.ended ? " (stopped: expected answers shown)" : ""}; result in ${jsonFile}`,
  );
  if (result.pass && !result.ended && student !== undefined) {
    await printCode(server, result.challenge, student, print);
  }
  return result.pass ? EXIT.done : EXIT.failed;
}
