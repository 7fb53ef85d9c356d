// Grading one attempt: a number against the variant's setting or against the server's own
// count for the challenge's run, within the file's tolerance (the "figures"); a choice against
// the variant. What a verdict says: pass or fail, what was given, and the expected answer only
// once it gives nothing away: after a pass, or after the challenge has stopped. A failed figure
// while the challenge runs says how far off is allowed, never which way or by how much.
//
// Why grading cannot be searched. A run takes a few graded attempts (challenges.ts), and a
// choice is graded only together with the figures it rests on:
//   - while any figure of the attempt is off, no choice is graded at all: each choice's verdict
//     says "withheld", whatever was given, so an attempt with made-up figures tells nothing
//     about the options;
//   - the figures are the run's own counts (or the limit the run set), so getting every one of
//     them right takes measuring this run;
//   - the first attempt in which every figure holds grades the choices, and that decides the
//     run: pass or fail, it takes no more attempts. So each run id grades one set of choices,
//     once: a student cannot try option after option, even of a two-option question, without
//     starting a fresh run and measuring it again.
// After stop (the review) every verdict is shown with its expected answer, and nothing counts.
import type { NetworkCounts } from "../network/lossy-proxy.js";
import type { RouteReport, TruthReport } from "../truth/truth.js";
import {
  normalize,
  type Question,
  type Tolerance,
  type TruthFigure,
  type Variant,
} from "./definition.js";

export interface QuestionVerdict {
  id: string;
  ask: string;
  pass: boolean;
  /** As given, "" when no answer was. */
  given: string;
  /** Shown after a pass, or once the challenge has stopped. */
  expected?: string;
  /** A choice not graded in this attempt: some figure is off. */
  withheld?: true;
  why: string;
}

export interface AttemptVerdict {
  questions: QuestionVerdict[];
  /** Every truth and setting question passed (true when there are none). */
  figuresHold: boolean;
  /** The figures that are off, by id. */
  figuresOff: string[];
}

/** One attempt: the figures first; the choices only when every figure holds, or after stop. */
export function gradeAttempt(
  questions: readonly Question[],
  variant: Variant,
  given: ReadonlyMap<string, string>,
  report: TruthReport | undefined,
  runId: string,
  ended: boolean,
): AttemptVerdict {
  const grade = (q: Question) => gradeQuestion(q, variant, given.get(q.id), report, runId, ended);
  const figures = new Map(
    questions.filter((q) => q.kind !== "choice").map((q) => [q.id, grade(q)]),
  );
  const figuresOff = [...figures.values()].filter((v) => !v.pass).map((v) => v.id);
  const figuresHold = figuresOff.length === 0;
  const verdicts = questions.map((q): QuestionVerdict => {
    const figure = figures.get(q.id);
    if (figure !== undefined) return figure;
    if (figuresHold || ended) return grade(q);
    return {
      id: q.id,
      ask: q.ask,
      pass: false,
      given: given.get(q.id) ?? "",
      withheld: true,
      why: `withheld: a choice is graded only once every figure holds (off: ${figuresOff.join(", ")})`,
    };
  });
  return { questions: verdicts, figuresHold, figuresOff };
}

/** "within 10 % or 2 ms" */
export function toleranceText(tolerance: Tolerance, unit: string | undefined): string {
  const parts: string[] = [];
  if (tolerance.relative !== undefined) parts.push(`${round(tolerance.relative * 100)} %`);
  if (tolerance.absolute !== undefined) parts.push(`${tolerance.absolute}${unitText(unit)}`);
  return `within ${parts.join(" or ")}`;
}

/** The run's counts as grading reads them: the server's, and what a lossy network lost on the way. */
export interface RunFigures extends TruthReport {
  network?: NetworkCounts;
}

/** The figure a truth question asks for, from the run's routes; undefined when none matched. */
export function truthFigure(
  figure: TruthFigure,
  report: RunFigures | undefined,
): number | undefined {
  const rows = (report?.routes ?? []).filter((row) => routeMatches(figure.route, row));
  const requests = sum(rows, (row) => row.requests);
  if (requests === 0) return undefined;
  const withStatus = () =>
    sum(rows, (row) =>
      Object.entries(row.statuses).reduce(
        (n, [status, count]) => n + (statusMatches(figure.status, Number(status)) ? count : 0),
        0,
      ),
    );
  const faults = () => sum(rows, (row) => (figure.fault ? row.faults[figure.fault] : 0));
  switch (figure.measure) {
    case "requests":
      return requests;
    case "status":
      return withStatus();
    case "status-share":
      return (100 * withStatus()) / requests;
    case "fault":
      return faults();
    case "fault-share":
      return (100 * faults()) / requests;
    case "no-answer-share": {
      const lost = report?.network?.lost ?? 0;
      const unanswered = sum(rows, (row) => row.faults.reset + row.faults.hang);
      return (100 * (unanswered + lost)) / (requests + lost);
    }
    default: {
      // One route's percentile: of its busiest method (GET beside the HEADs a browser sends).
      const row = rows.reduce((a, b) => (b.latencyMs.answered > a.latencyMs.answered ? b : a));
      return row.latencyMs[figure.measure];
    }
  }
}

export function gradeQuestion(
  question: Question,
  variant: Variant,
  given: string | undefined,
  report: RunFigures | undefined,
  runId: string,
  ended: boolean,
): QuestionVerdict {
  const base = { id: question.id, ask: question.ask, given: given ?? "" };
  const reveal = (pass: boolean, expected: string) => (pass || ended ? { expected } : {});
  if (question.kind === "choice") {
    const accepted = [variant.answers[question.id] ?? []].flat().map(String);
    const pass = given !== undefined && accepted.map(normalize).includes(normalize(given));
    const expected = accepted[0] ?? "";
    if (given === undefined) return { ...base, pass, ...reveal(pass, expected), why: "no answer" };
    return { ...base, pass, ...reveal(pass, expected), why: pass ? "right" : "not this one" };
  }
  const expected =
    question.kind === "setting"
      ? Number(variant.answers[question.id])
      : truthFigure(question.truth, report);
  const within = toleranceText(question.tolerance, question.unit);
  const of =
    question.kind === "setting"
      ? "of the value the challenge set"
      : `of the server's count for run ${runId}`;
  if (expected === undefined) {
    return {
      ...base,
      pass: false,
      why: `the server counted no request of this kind with X-Run-Id: ${runId}: send the load with that run id`,
    };
  }
  const shown = `${round(expected)}${unitText(question.unit)}`;
  if (given === undefined)
    return { ...base, pass: false, ...reveal(false, shown), why: "no answer" };
  const pass = isWithin(Number(readNumber(given, question.unit)), expected, question.tolerance);
  return {
    ...base,
    pass,
    ...reveal(pass, shown),
    why: pass ? `${within} ${of}` : `not ${within} ${of}`,
  };
}

/** A number, with the question's unit allowed after it ("3.2 %", "40ms"); NaN when it is not one. */
export function readNumber(text: string, unit: string | undefined): number {
  let written = text.trim();
  if (unit !== undefined && written.toLowerCase().endsWith(unit.toLowerCase())) {
    written = written.slice(0, -unit.length).trim();
  }
  return /^-?\d+(\.\d+)?$/.test(written) ? Number(written) : Number.NaN;
}

function isWithin(given: number, expected: number, tolerance: Tolerance): boolean {
  const allowed = Math.max(tolerance.absolute ?? 0, (tolerance.relative ?? 0) * Math.abs(expected));
  return Math.abs(given - expected) <= allowed + 1e-9;
}

function routeMatches(selector: string, row: RouteReport): boolean {
  if (selector === "*") return true;
  const [method, path] = selector.includes(" ") ? selector.split(" ") : [undefined, selector];
  return row.route === path && (method === undefined || row.method === method);
}

function statusMatches(wanted: TruthFigure["status"], status: number): boolean {
  if (typeof wanted === "number") return status === wanted;
  return wanted !== undefined && String(status)[0] === wanted[0];
}

function sum(rows: RouteReport[], pick: (row: RouteReport) => number): number {
  return rows.reduce((n, row) => n + pick(row), 0);
}

function unitText(unit: string | undefined): string {
  if (unit === undefined) return "";
  return unit === "%" ? " %" : ` ${unit}`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
