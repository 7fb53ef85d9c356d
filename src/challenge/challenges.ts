// The challenges of one server and the one that runs now. start breaks what the challenge's
// variant says (switches, faults, a capacity limit), hides it, and counts a fresh run; hint
// gives the next nudge; verify grades answers against the variant and the run's truth; stop
// puts back what start changed and shows what it was. POST /admin/reset calls clear.
import { randomBytes } from "node:crypto";
import type { CapacityLimit } from "../connection/capacity.js";
import { hashText } from "../faults/draw.js";
import type { Faults } from "../faults/faults.js";
import { planText } from "../faults/spec.js";
import { BadInput, Conflict, type HttpError, NotFound } from "../http-errors.js";
import type { Logger } from "../observe/log.js";
import { seededRandom } from "../random.js";
import type { ApplyShared, SharedChallenge } from "../shared-change.js";
import { type ApplySwitch, SWITCH_NAMES, type Switches } from "../switches.js";
import type { TruthReport } from "../truth/truth.js";
import { type Challenge, faultsOf, normalize, type Variant } from "./definition.js";
import { gradeQuestion, type QuestionVerdict, readNumber, toleranceText } from "./grade.js";

/** A seed a student can type: drawn when start is given none. */
const MAX_SEED = 999_999;

export interface ChallengeParts {
  library: readonly Challenge[];
  switches: Switches;
  applySwitch: ApplySwitch;
  faults: Faults;
  capacity: CapacityLimit;
  /**
   * How start, hint, verify and stop change what the server (or every member of its group)
   * shares: what is hidden, the faults, the limit, the challenge itself, the truth's run.
   */
  applyShared: ApplyShared;
  /** The truth of one run: this server's, or its whole group's (src/group/). */
  truthReport(runId: string): Promise<TruthReport | undefined>;
  log: Logger;
  /**
   * Told of each start and graded verify by the process that answered it (src/challenge/
   * progress.ts keeps them in the database); a member that only follows is not told.
   */
  progress?: {
    started(run: { name: string; seed: number; runId: string; startedAt: string }): void;
    verified(verification: Verification): void;
  };
}

export interface Verification {
  challenge: string;
  seed: number;
  runId: string;
  at: string;
  /** True once the challenge has stopped: every expected answer is shown. */
  ended: boolean;
  passed: number;
  of: number;
  pass: boolean;
  questions: QuestionVerdict[];
}

/** The shared record with what it names: the challenge and the variant its seed picks. */
interface Current extends SharedChallenge {
  challenge: Challenge;
  variant: Variant;
  lastVerification: Verification | undefined;
}

export class Challenges {
  private current: Current | undefined;

  constructor(private readonly parts: ChallengeParts) {}

  /** The group's record of the challenge (src/shared-change.ts): every member answers alike. */
  follow(record: SharedChallenge | null): void {
    const challenge = this.parts.library.find((c) => c.name === record?.name);
    if (record === null || challenge === undefined) {
      this.current = undefined;
      return;
    }
    this.current = {
      ...record,
      challenge,
      variant: pickVariant(challenge, record.seed),
      lastVerification: record.lastVerification as Verification | undefined,
    };
  }

  /** Tells every member (or this server alone) the challenge as it is now. */
  private async share(now: Current | undefined, by: string, more = {}): Promise<void> {
    const record: SharedChallenge | null =
      now === undefined
        ? null
        : {
            name: now.name,
            seed: now.seed,
            runId: now.runId,
            startedAt: now.startedAt,
            hintsGiven: now.hintsGiven,
            ended: now.ended,
            before: now.before,
            lastVerification: now.lastVerification,
          };
    await this.parts.applyShared({ ...more, challenge: record }, by);
  }

  /** The running challenge's name; undefined when none runs (a stopped one is over). */
  get running(): string | undefined {
    return this.current !== undefined && !this.current.ended
      ? this.current.challenge.name
      : undefined;
  }

  list() {
    return this.parts.library.map((c) => ({
      name: c.name,
      title: c.title,
      lesson: c.lesson,
      questions: c.questions.length,
      hints: c.hints.length,
      variants: c.variants.length,
    }));
  }

  /** What a student may see of the current (or last stopped) challenge: never its variant. */
  state() {
    const now = this.current;
    if (now === undefined) return { running: false as const };
    const { challenge } = now;
    const withRun = (text: string) => text.replaceAll("{run}", now.runId);
    return {
      running: !now.ended,
      name: challenge.name,
      title: challenge.title,
      lesson: challenge.lesson,
      brief: withRun(challenge.brief),
      load: withRun(challenge.load),
      seed: now.seed,
      runId: now.runId,
      startedAt: now.startedAt,
      hints: challenge.hints.slice(0, now.hintsGiven).map(withRun),
      hintsLeft: challenge.hints.length - now.hintsGiven,
      questions: challenge.questions.map((q) => ({
        id: q.id,
        ask: q.ask,
        kind: q.kind,
        ...(q.kind === "choice" ? { options: q.options } : {}),
        ...(q.kind !== "choice"
          ? { unit: q.unit, tolerance: toleranceText(q.tolerance, q.unit) }
          : {}),
      })),
      lastVerification: now.lastVerification,
      ...(now.ended ? { broke: brokeText(now.variant) } : {}),
    };
  }

  async start(name: unknown, seedGiven: unknown, by: string) {
    const { library, switches, applySwitch, applyShared, faults, capacity, log } = this.parts;
    if (this.running !== undefined) {
      throw new Conflict(
        `challenge ${this.running} is running: stop it first (npm run challenge -- stop)`,
      );
    }
    const challenge = library.find((c) => c.name === name);
    if (challenge === undefined) {
      throw new NotFound(
        `no challenge named "${String(name)}": the challenges are ${library.map((c) => c.name).join(", ")}`,
        { parameter: "name", known: library.map((c) => c.name) },
      );
    }
    const seed = seedGiven === undefined ? 1 + Math.floor(Math.random() * MAX_SEED) : seedGiven;
    if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > 4_294_967_295) {
      throw new BadInput("seed", "a whole number from 0 to 4294967295");
    }
    const variant = pickVariant(challenge, seed);
    const hidden = `hidden while challenge ${challenge.name} runs`;
    const before = {
      switches: switches.enabled(),
      faults: faults.text,
      capacity: capacity.now,
    };
    // Hidden first, so not even the log lines of the changes below say what they are.
    await applyShared({ hidden }, by);
    const wanted = new Set<string>(variant.switches);
    for (const name of SWITCH_NAMES) {
      if (switches.isOn(name) !== wanted.has(name)) await applySwitch(name, wanted.has(name), by);
    }
    const runId = `${challenge.name}-${seed}-${randomBytes(2).toString("hex")}`;
    const now: Current = {
      name: challenge.name,
      challenge,
      seed,
      variant,
      runId,
      startedAt: new Date().toISOString(),
      hintsGiven: 0,
      ended: false,
      before,
      lastVerification: undefined,
    };
    // The faults set even when unchanged: the request numbers start again, so a seed replays
    // its faults.
    await this.share(now, by, {
      faults: planText(faultsOf(variant)),
      capacity: {
        maxInFlight: variant.capacity?.maxInFlight ?? 0,
        maxWaiting: variant.capacity?.maxWaiting ?? 0,
        hiddenBecause: hidden,
      },
      truthRun: runId,
    });
    log.warn(
      `challenge ${challenge.name} started by ${by}: seed ${seed}, run id ${runId}; what it changed is hidden until it stops`,
    );
    this.parts.progress?.started(now);
    return this.state();
  }

  async hint(by: string) {
    const now = this.runningNow();
    const { hints } = now.challenge;
    if (now.hintsGiven >= hints.length) {
      return {
        hint: undefined,
        number: hints.length,
        of: hints.length,
        message: `no hints remain: all ${hints.length} given`,
      };
    }
    now.hintsGiven++;
    await this.share(now, by);
    const hint = (hints[now.hintsGiven - 1] as string).replaceAll("{run}", now.runId);
    return { hint, number: now.hintsGiven, of: hints.length };
  }

  /** Grades the answers; after stop too, then with every expected answer shown. */
  async verify(answers: unknown, by: string): Promise<Verification> {
    const now = this.current;
    if (now === undefined) throw noChallenge();
    const given = readAnswers(now.challenge, answers);
    const report = await this.parts.truthReport(now.runId);
    const questions = now.challenge.questions.map((q) =>
      gradeQuestion(q, now.variant, given.get(q.id), report, now.runId, now.ended),
    );
    const passed = questions.filter((q) => q.pass).length;
    const verification: Verification = {
      challenge: now.challenge.name,
      seed: now.seed,
      runId: now.runId,
      at: new Date().toISOString(),
      ended: now.ended,
      passed,
      of: questions.length,
      pass: passed === questions.length,
      questions,
    };
    now.lastVerification = verification;
    await this.share(now, by);
    this.parts.progress?.verified(verification);
    return verification;
  }

  /** Puts back what start changed, and says what that was. */
  async stop(by: string) {
    const now = this.runningNow();
    await this.putBack(now, by);
    this.parts.log.warn(
      `challenge ${now.challenge.name} stopped by ${by}: it ${brokeText(now.variant)}`,
    );
    return { stopped: now.challenge.name, broke: brokeText(now.variant), runId: now.runId };
  }

  /** For POST /admin/reset: no challenge at all afterwards. Says which one ran, if any. */
  async clear(by: string): Promise<string | undefined> {
    const now = this.current;
    if (now === undefined) return undefined;
    if (!now.ended) await this.putBack(now, by);
    await this.share(undefined, by);
    return now.challenge.name;
  }

  private async putBack(now: Current, by: string): Promise<void> {
    const { switches, applySwitch } = this.parts;
    now.ended = true;
    await this.parts.applyShared({ hidden: null }, by);
    const was = new Set<string>(now.before.switches);
    for (const name of SWITCH_NAMES) {
      if (switches.isOn(name) !== was.has(name)) await applySwitch(name, was.has(name), by);
    }
    await this.share(now, by, { faults: now.before.faults, capacity: now.before.capacity });
  }

  private runningNow(): Current {
    const now = this.current;
    if (now === undefined || now.ended) throw noChallenge();
    return now;
  }
}

function noChallenge(): HttpError {
  return new Conflict(
    "no challenge is running: list them with npm run challenge -- list, start one with npm run challenge -- start NAME",
  );
}

/** The seed picks the variant: the same seed, the same variant, on every machine. */
export function pickVariant(challenge: Challenge, seed: number): Variant {
  const random = seededRandom((seed ^ hashText(challenge.name)) >>> 0);
  return challenge.variants[Math.floor(random() * challenge.variants.length)] as Variant;
}

/** "turned on events-slow-loop; set faults reset@3%:*; limited requests to 6 in flight" */
function brokeText(variant: Variant): string {
  const parts: string[] = [];
  if (variant.switches.length > 0) parts.push(`turned on ${variant.switches.join(", ")}`);
  if (variant.faults.trim() !== "") parts.push(`set faults ${variant.faults}`);
  if (variant.capacity !== undefined) {
    parts.push(
      `limited requests to ${variant.capacity.maxInFlight} in flight and ${variant.capacity.maxWaiting} waiting`,
    );
  }
  return parts.join("; ") || "changed nothing";
}

/** {"id": "answer"} → a map; refuses unknown ids and answers of the wrong form, naming them. */
function readAnswers(challenge: Challenge, answers: unknown): Map<string, string> {
  const ids = challenge.questions.map((q) => q.id).join(", ");
  if (typeof answers !== "object" || answers === null || Array.isArray(answers)) {
    throw new BadInput("answers", `an object {"question id": "answer"}; the questions are ${ids}`);
  }
  const given = new Map<string, string>();
  for (const [id, value] of Object.entries(answers)) {
    const question = challenge.questions.find((q) => q.id === id);
    if (question === undefined) {
      throw new BadInput("answers", `there is no question "${id}": the questions are ${ids}`);
    }
    if (typeof value !== "string" && typeof value !== "number") {
      throw new BadInput(`answers.${id}`, "text or a number");
    }
    const text = String(value).trim();
    if (text === "") continue;
    if (question.kind === "choice") {
      if (!question.options.map(normalize).includes(normalize(text))) {
        throw new BadInput(`answers.${id}`, `one of ${question.options.join(", ")}`);
      }
    } else if (Number.isNaN(readNumber(text, question.unit))) {
      throw new BadInput(
        `answers.${id}`,
        `a number${question.unit ? ` (in ${question.unit})` : ""}, like 42 or 3.5`,
      );
    }
    given.set(id, text);
  }
  return given;
}
