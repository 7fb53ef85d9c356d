// `npm run challenge -- list | start NAME [--seed N] | status | hint | verify [id=answer ...]
// [--json FILE] | stop`: a client of a running server's challenge API (routes.ts), for a
// student's terminal and a course's autograder. Exit codes: 0 done (verify: every answer
// passed), 1 verify: some answer did not, 2 the command, the server or an answer's form was
// wrong, or nothing answered.
import { writeFileSync } from "node:fs";
import {
  ADMIN_TOKEN_OPTION,
  adminTokenFor,
  DEFAULT_SERVER_URL,
  SERVER_DATA_OPTION,
  SERVER_URL_OPTION,
} from "../client-options.js";
import { OptionError, readOptions, usageLines } from "../options.js";
import { wholeNumber } from "../parsers.js";
import type { Verification } from "./challenges.js";
import { loadCommand } from "./load-command.js";

const REQUEST_TIMEOUT_MS = 15_000;

export const EXIT = { done: 0, failed: 1, usage: 2 } as const;

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
  json: {
    flag: "json",
    arg: "FILE",
    default: "challenge-result.json",
    shown: "challenge-result.json",
    help: "verify: where to write the result as JSON",
    parse: (text: string) => text,
  },
};

const USAGE = [
  "Usage: npm run challenge -- COMMAND [options]",
  "  list                      the challenges this server has",
  "  start NAME [--seed N]     break what the challenge breaks, start its run id",
  "  status                    the running challenge: its task, run id, questions, hints given",
  "  hint                      the next hint",
  "  verify [ID=ANSWER ...]    grade the answers: a line a question, a JSON file; exit 0 all passed, 1 not",
  "  stop                      put back what start changed, and show what it was",
  "Options:",
  ...usageLines(OPTIONS),
  "Exit codes: 0 done (verify: all passed), 1 verify: not all passed, 2 usage, server refused or unreachable.",
].join("\n");

/** A refusal to print as one line and exit 2. */
class Refused extends Error {}

type Print = (line: string) => void;

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
    const server = new ChallengeServer(url, adminTokenFor(url, adminToken, dbPath));
    const noMore = () => {
      if (rest.length > 0)
        throw new Refused(`${command} takes no arguments, got ${rest.join(" ")}`);
    };
    switch (command) {
      case "list":
        noMore();
        return list(server, print);
      case "start": {
        const [name, ...extra] = rest;
        if (name === undefined || extra.length > 0) {
          throw new Refused("start takes one challenge name: npm run challenge -- start NAME");
        }
        return start(server, name, read.values.seed, print);
      }
      case "status":
        noMore();
        return status(server, print);
      case "hint":
        noMore();
        return hint(server, print);
      case "verify":
        return verify(server, answersOf(rest), read.values.json, print);
      case "stop":
        noMore();
        return stop(server, print);
      default:
        throw new Refused(
          `${command === undefined ? "no command" : `unknown command "${command}"`}: use list, start NAME, status, hint, verify ID=ANSWER..., or stop (--help for more)`,
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

class ChallengeServer {
  constructor(
    readonly url: string,
    private readonly adminToken: string | undefined,
  ) {
    if (!/^https?:\/\/[^/]+/.test(url)) {
      throw new Refused(`--url ${url} is not a URL: give one like ${DEFAULT_SERVER_URL}`);
    }
  }

  /** The answer's JSON; a refusal (4xx, 5xx) or no answer throws Refused with the server's words. */
  async call(
    method: "GET" | "POST",
    path: string,
    body?: object,
  ): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.adminToken !== undefined) headers.authorization = `Bearer ${this.adminToken}`;
    let res: Response;
    try {
      res = await fetch(new URL(path, this.url), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const err = error as Error & { cause?: { code?: string; message?: string } };
      if (err.name === "TimeoutError") {
        throw new Refused(`${this.url} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`);
      }
      throw new Refused(
        `nothing answers at ${this.url} (${err.cause?.code ?? err.cause?.message ?? err.message}): start the server with npm start, or give --url`,
      );
    }
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new Refused(
        `${this.url}${path} answered ${res.status} without JSON: is this Fest Lab?`,
      );
    }
    if (!res.ok) {
      const tokenAdvice =
        res.status === 401 && this.adminToken === undefined
          ? " (give ADMIN_TOKEN=... or --admin-token, or --db with the server's DB_PATH on its machine)"
          : "";
      throw new Refused(
        `${String(json.error ?? `the server answered ${res.status}`)}${tokenAdvice}`,
      );
    }
    return json;
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

async function status(server: ChallengeServer, print: Print): Promise<number> {
  const state = (await server.call("GET", "/admin/challenge")) as unknown as ChallengeState;
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
  print: Print,
): Promise<number> {
  const result = (await server.call("POST", "/admin/challenge/verify", {
    answers,
  })) as unknown as Verification;
  const width = Math.max(0, ...result.questions.map((q) => q.id.length));
  for (const q of result.questions) {
    const given = q.given === "" ? "no answer" : `given ${q.given}`;
    const expected = q.expected === undefined ? "" : `, expected ${q.expected}`;
    print(`${q.pass ? "PASS" : "FAIL"}  ${q.id.padEnd(width)}  ${given}${expected}: ${q.why}`);
  }
  writeFileSync(jsonFile, `${JSON.stringify({ url: server.url, ...result }, null, 2)}\n`);
  const verdict = result.pass ? "passed" : "FAILED";
  print(
    `challenge ${result.challenge} (seed ${result.seed}, run id ${result.runId}): ${verdict}, ${result.passed} of ${result.of} answers right${result.ended ? " (stopped: expected answers shown)" : ""}; result in ${jsonFile}`,
  );
  return result.pass ? EXIT.done : EXIT.failed;
}
