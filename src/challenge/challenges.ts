// The challenges of one server and the one that runs now. start breaks what the challenge's
// variant says (switches, faults, a capacity limit), hides it, and counts a fresh run; hint
// gives the next nudge; verify grades answers against the variant and the run's truth; stop
// puts back what start changed and shows what it was. POST /admin/reset calls clear. While it
// runs, what it broke is shown only in the instructor's view (state({instructor: true})).
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
import { type Challenge, faultsOf, normalize, type Variant } from "./definition.js";
import {
  gradeAttempt,
  type QuestionVerdict,
  type RunFigures,
  readNumber,
  toleranceText,
} from "./grade.js";

/** A seed a student can type: drawn when start is given none. */
const MAX_SEED = 999_999;

/**
 * Graded verify calls per run id. Enough to fix a misread figure or a forgotten unit twice;
 * too few to search the answers: a figure's verdict never says which way it is off, and the
 * choices are graded once per run, only with every figure right (grade.ts says why). A fresh
 * run id (stop, start) gives three more, and its figures must be measured again.
 */
export const GRADED_ATTEMPTS = 3;

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
  /** True in the services shape (`npm start -- --services`, or SERVICE=labs alone). */
  inServices: boolean;
  /**
   * The truth of one run: this server's, or its whole group's (src/group/), with what the
   * challenge's lossy network lost of it (src/network/).
   */
  truthReport(runId: string): Promise<RunFigures | undefined>;
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
  /** True once the challenge has stopped: every expected answer is shown, and nothing counts. */
  ended: boolean;
  /** While running: which graded attempt of the run this was, and how many remain. */
  attempt?: number;
  attemptsLeft?: number;
  /** The verdict in one sentence: what holds, what is withheld, what to do next. */
  message: string;
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
            attempts: now.attempts,
            decided: now.decided,
            ended: now.ended,
            before: now.before,
            lastVerification: now.lastVerification,
            network: now.network,
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

  /**
   * What a student may see of the current (or last stopped) challenge: never its variant while
   * it runs. The instructor's view (asked for by name, src/challenge/instructor-view.ts) adds it.
   */
  state(view: { instructor?: boolean } = {}) {
    const now = this.current;
    if (now === undefined) return { running: false as const };
    const { challenge } = now;
    const withRun = (text: string) =>
      text.replaceAll("{run}", now.runId).replaceAll("{network}", now.network?.url ?? "");
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
      attempts: {
        used: now.attempts,
        left: now.decided ? 0 : GRADED_ATTEMPTS - now.attempts,
        of: GRADED_ATTEMPTS,
        ...(now.decided
          ? { decided: "an attempt with every figure right graded the choices" }
          : {}),
      },
      lastVerification: now.lastVerification,
      ...(now.ended ? { broke: brokeText(now.variant) } : {}),
      ...(view.instructor ? { instructor: instructorFacts(now.variant) } : {}),
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
    if (challenge.shape === "services" && !this.parts.inServices) {
      throw new Conflict(
        `challenge ${challenge.name} needs the services shape, where its calls go between services: stop this server and run npm start -- --services`,
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
      attempts: 0,
      decided: false,
      ended: false,
      before,
      lastVerification: undefined,
      // The authority runs it and writes its address in (src/network/lossy-network.ts).
      network: variant.network === undefined ? undefined : { rules: variant.network, seed },
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
    const hint = (hints[now.hintsGiven - 1] as string)
      .replaceAll("{run}", now.runId)
      .replaceAll("{network}", now.network?.url ?? "");
    return { hint, number: now.hintsGiven, of: hints.length };
  }

  /**
   * Grades the answers. While the challenge runs each call is one of GRADED_ATTEMPTS for its run
   * id, and the choices are graded only with every figure right (grade.ts); after stop (the
   * review) every expected answer is shown and nothing counts.
   */
  async verify(answers: unknown, by: string): Promise<Verification> {
    const now = this.current;
    if (now === undefined) throw noChallenge();
    const given = readAnswers(now.challenge, answers);
    if (!now.ended) this.refuseAttempt(now);
    const report = await this.parts.truthReport(now.runId);
    // The run exists from start (its table is empty): no request of it counted yet.
    if (!now.ended && !(report?.routes.some((route) => route.requests > 0) ?? false)) {
      throw new Conflict(
        `the server has counted no request with X-Run-Id: ${now.runId} yet: send the load with that run id first (npm run challenge -- status shows the command); nothing was graded, no attempt used`,
      );
    }
    // Counted before anything else awaits, so two calls at once cannot both take the last one.
    if (!now.ended) this.refuseAttempt(now);
    const attempt = now.ended ? undefined : ++now.attempts;
    const graded = gradeAttempt(
      now.challenge.questions,
      now.variant,
      given,
      report,
      now.runId,
      now.ended,
    );
    if (attempt !== undefined && graded.figuresHold) now.decided = true;
    const passed = graded.questions.filter((q) => q.pass).length;
    const pass = passed === graded.questions.length;
    const left = attempt === undefined ? undefined : now.decided ? 0 : GRADED_ATTEMPTS - attempt;
    const verification: Verification = {
      challenge: now.challenge.name,
      seed: now.seed,
      runId: now.runId,
      at: new Date().toISOString(),
      ended: now.ended,
      ...(attempt === undefined ? {} : { attempt, attemptsLeft: left }),
      message: verdictMessage(now, graded, pass, attempt, left),
      passed,
      of: graded.questions.length,
      pass,
      questions: graded.questions,
    };
    now.lastVerification = verification;
    await this.share(now, by);
    this.parts.progress?.verified(verification);
    return verification;
  }

  /** A 409 that says what to do when the run takes no more graded attempts. */
  private refuseAttempt(now: Current): void {
    const again = `stop the challenge (npm run challenge -- stop) to see every expected answer, then start it again (npm run challenge -- start ${now.challenge.name}) for a fresh run id and measure that run`;
    if (now.decided) {
      const result = now.lastVerification?.pass ? "passed" : "did not pass";
      throw new Conflict(
        `run ${now.runId} is graded: every figure held in attempt ${now.attempts}, so its choices were graded once and it ${result}; ${again}`,
      );
    }
    if (now.attempts >= GRADED_ATTEMPTS) {
      throw new Conflict(
        `run ${now.runId} has used its ${GRADED_ATTEMPTS} graded attempts; ${again}`,
      );
    }
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

/** What the instructor's view adds: what the variant broke and its answers. */
function instructorFacts(variant: Variant) {
  return {
    broke: brokeText(variant),
    switches: variant.switches,
    faults: variant.faults,
    capacity: variant.capacity ?? null,
    answers: variant.answers,
  };
}

function verdictMessage(
  now: Current,
  graded: { figuresHold: boolean; figuresOff: string[] },
  pass: boolean,
  attempt: number | undefined,
  left: number | undefined,
): string {
  if (attempt === undefined) {
    return `review of run ${now.runId}: the challenge has stopped, so every expected answer is shown and this did not count`;
  }
  const of = `attempt ${attempt} of ${GRADED_ATTEMPTS} for run ${now.runId}`;
  if (pass) return `passed, ${of}`;
  if (graded.figuresHold) {
    return `every figure holds but a choice does not: ${of} graded the choices, and this run takes no more attempts; stop to see the expected answers, start again for a fresh run id`;
  }
  return `${graded.figuresOff.join(", ")} ${graded.figuresOff.length === 1 ? "is" : "are"} off, so the choices were not graded (withheld until every figure holds); ${of}, ${left} left`;
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
  if (variant.network !== undefined) {
    parts.push(`put a network losing ${variant.network || "nothing"} in front of the server`);
  }
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
