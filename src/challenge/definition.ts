// A challenge is one JSON file in challenges/ (CHALLENGES_DIR): what it breaks, in one or more
// variants a seed picks from; the hints, each a nudge; and the questions, each checked against
// the variant (which switch, which route, which limit) or against the server's own counts for
// the challenge's run (src/truth/), within the tolerance the file states. Every file is read
// and checked here at start; a bad one stops the start with one line naming the file and field.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { type FaultPlan, FaultSpecError, parseFaults } from "../faults/spec.js";
import { type AppRoute, checkTargets } from "../faults/targets.js";
import { parseNetworkRules } from "../network/lossy-proxy.js";
import { SWITCH_NAMES } from "../switches.js";

const NAME = /^[a-z0-9][a-z0-9-]{0,40}$/;

const tolerance = z
  .object({
    /** A share of the expected figure: 0.1 is 10 %. */
    relative: z.number().min(0).max(10).optional(),
    /** In the question's unit. */
    absolute: z.number().min(0).optional(),
  })
  .strict()
  .refine((t) => t.relative !== undefined || t.absolute !== undefined, {
    message:
      "give relative (a share of the figure, 0.1 is 10 %) or absolute (in its unit), or both",
  });

/** Which of the run's counts a "truth" question is about. */
const truthFigure = z
  .object({
    /** "*" (every route of the run), "/checkout" (any method) or "GET /checkout". */
    route: z.string().regex(/^(\*|([A-Z]+ )?\/\S*)$/, '"*", "/path" or "METHOD /path"'),
    measure: z.enum([
      "requests",
      "status",
      "status-share",
      "fault",
      "fault-share",
      /**
       * The share of the run's requests that got no answer, whoever lost them: the server's
       * resets and hangs, and what a lossy network lost on the way (src/network/), over every
       * request the load sent (the server's count and the network's losses). Route "*" only:
       * the network does not know routes.
       */
      "no-answer-share",
      "p50",
      "p95",
      "p99",
    ]),
    /** For status and status-share: one status, or a class ("5xx"). */
    status: z
      .union([z.number().int().min(100).max(599), z.enum(["2xx", "3xx", "4xx", "5xx"])])
      .optional(),
    /** For fault and fault-share. */
    fault: z.enum(["error", "delay", "reset", "hang"]).optional(),
  })
  .strict()
  .superRefine((figure, ctx) => {
    const needs = (field: "status" | "fault") =>
      ctx.addIssue({ code: "custom", path: [field], message: `${figure.measure} needs ${field}` });
    if (figure.measure.startsWith("status") && figure.status === undefined) needs("status");
    if (figure.measure.startsWith("fault") && figure.fault === undefined) needs("fault");
    if (figure.measure === "no-answer-share" && figure.route !== "*") {
      ctx.addIssue({ code: "custom", path: ["route"], message: 'no-answer-share is of "*"' });
    }
    if (/^p\d+$/.test(figure.measure) && figure.route === "*") {
      ctx.addIssue({
        code: "custom",
        path: ["route"],
        message: "a percentile is one route's: name it",
      });
    }
  });

const id = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, "lower case letters, digits and -");
const ask = z.string().min(1);

const question = z.discriminatedUnion("kind", [
  /** One of the options; the variant holds the right one. */
  z
    .object({ id, ask, kind: z.literal("choice"), options: z.array(z.string().min(1)).min(2) })
    .strict(),
  /** A figure of the run, checked against the server's counts for the run id. */
  z
    .object({
      id,
      ask,
      kind: z.literal("truth"),
      unit: z.string().optional(),
      truth: truthFigure,
      tolerance,
    })
    .strict(),
  /** A number the challenge set (a limit), which the variant holds. */
  z
    .object({ id, ask, kind: z.literal("setting"), unit: z.string().optional(), tolerance })
    .strict(),
]);

const variant = z
  .object({
    switches: z.array(z.enum(SWITCH_NAMES)).default([]),
    /** The FAULTS syntax (docs/faults-and-truth.md); "" for none. */
    faults: z.string().default(""),
    /**
     * A lossy network between the load and the server (src/network/): its rules in the FAULTS
     * syntax, kinds reset, hang and delay, targets * or a method; "" passes everything on.
     * The load, brief and hints may then say {network}: the network's address.
     */
    network: z.string().optional(),
    capacity: z
      .object({
        maxInFlight: z.number().int().min(1).max(10_000),
        maxWaiting: z.number().int().min(0).max(10_000).default(0),
      })
      .strict()
      .optional(),
    /** Per choice question: the right option (or several accepted spellings); per setting: the number. */
    answers: z.record(z.string(), z.union([z.string(), z.array(z.string()).min(1), z.number()])),
  })
  .strict();

const challengeFile = z
  .object({
    title: z.string().min(1),
    /** One line for the list: the lesson, without giving the answer away. */
    lesson: z.string().min(1),
    /** What to do; {run} is replaced by the run id. */
    brief: z.string().min(1),
    /** A command that makes the load; {run} is replaced by the run id. */
    load: z.string().min(1),
    hints: z.array(z.string().min(1)).min(1),
    /** The shape the lesson needs ("services": its switches act between services); any if absent. */
    shape: z.literal("services").optional(),
    questions: z.array(question).min(1),
    variants: z.array(variant).min(1),
  })
  .strict()
  .superRefine((file, ctx) => {
    const ids = file.questions.map((q) => q.id);
    ids.forEach((name, at) => {
      if (ids.indexOf(name) !== at) {
        ctx.addIssue({ code: "custom", path: ["questions", at, "id"], message: `"${name}" twice` });
      }
    });
    file.variants.forEach((v, at) => {
      const issue = (path: (string | number)[], message: string) =>
        ctx.addIssue({ code: "custom", path: ["variants", at, ...path], message });
      try {
        parseFaults(v.faults);
      } catch (error) {
        if (!(error instanceof FaultSpecError)) throw error;
        issue(["faults"], error.message);
      }
      try {
        if (v.network !== undefined) parseNetworkRules(v.network);
      } catch (error) {
        if (!(error instanceof FaultSpecError)) throw error;
        issue(["network"], error.message);
      }
      const saysNetwork = [file.brief, file.load, ...file.hints].some((t) =>
        t.includes("{network}"),
      );
      if (saysNetwork && v.network === undefined) {
        issue(["network"], 'the texts say {network}: give every variant a network ("" passes all)');
      }
      for (const given of Object.keys(v.answers)) {
        const q = file.questions.find((q) => q.id === given);
        if (q === undefined || q.kind === "truth") {
          issue(["answers", given], "answers only the choice and setting questions, by id");
        }
      }
      for (const q of file.questions) {
        const answer = v.answers[q.id];
        if (q.kind === "truth") continue;
        if (answer === undefined) {
          issue(["answers", q.id], `the ${q.kind} question "${q.id}" needs its answer here`);
        } else if (q.kind === "setting" && typeof answer !== "number") {
          issue(["answers", q.id], "a number");
        } else if (q.kind === "choice") {
          const accepted = typeof answer === "number" ? [String(answer)] : [answer].flat();
          const options = q.options.map(normalize);
          if (!accepted.some((a) => options.includes(normalize(a)))) {
            issue(["answers", q.id], `one of the options: ${q.options.join(", ")}`);
          }
        }
      }
    });
  });

export type ChallengeFile = z.infer<typeof challengeFile>;
export type Question = ChallengeFile["questions"][number];
export type Variant = ChallengeFile["variants"][number];
export type TruthFigure = z.infer<typeof truthFigure>;
export type Tolerance = z.infer<typeof tolerance>;

export interface Challenge extends ChallengeFile {
  /** The file's name without .json. */
  name: string;
  file: string;
}

/** Options and answers compare without case, and with spaces squeezed. */
export function normalize(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, " ");
}

export class ChallengeFileError extends Error {
  override name = "ChallengeFileError";
  constructor(
    readonly file: string,
    readonly field: string,
    why: string,
  ) {
    super(`${file}: ${field}: ${why}`);
  }
}

/** Every *.json file of the folder, by name; the first bad one throws ChallengeFileError. */
export function loadChallenges(dir: string): Challenge[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith(".json"));
  } catch (error) {
    throw new ChallengeFileError(dir, "folder", (error as Error).message);
  }
  return files.sort().map((file) => {
    const path = join(dir, file);
    const name = file.slice(0, -".json".length);
    if (!NAME.test(name)) {
      throw new ChallengeFileError(
        path,
        "file name",
        "lower case letters, digits and -, then .json",
      );
    }
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new ChallengeFileError(path, "JSON", (error as Error).message);
    }
    const parsed = challengeFile.safeParse(data);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const field = first?.path.length ? first.path.join(".") : "(the whole file)";
      throw new ChallengeFileError(path, field, first?.message ?? "not a challenge");
    }
    return { ...parsed.data, name, file: path };
  });
}

/** The faults of a variant; the file was checked at load, so this parses. */
export function faultsOf(variant: Variant): FaultPlan {
  return parseFaults(variant.faults);
}

/** Once the app's routes are known: every fault of every variant must name one. */
export function checkChallengeTargets(challenges: Challenge[], routes: readonly AppRoute[]): void {
  for (const challenge of challenges) {
    challenge.variants.forEach((v, at) => {
      try {
        checkTargets(faultsOf(v), routes);
      } catch (error) {
        if (!(error instanceof FaultSpecError)) throw error;
        throw new ChallengeFileError(challenge.file, `variants.${at}.faults`, error.message);
      }
    });
  }
}
