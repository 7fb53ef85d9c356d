// A bench suite is data: how to measure (start servers, put load on them), and the figures
// read from that measurement, each declared once with its label, unit and target. The table
// and the verdict lines are both printed from those declarations, so a target's text is
// written in one place, and a new lab adds its figures by adding rows here, not code there.
import { type Cell, formatNumber, formatTable } from "./table.js";

export interface MeasureContext {
  /** Seconds of load for each measured setting. */
  seconds: number;
  /** One line of progress, overwritten in place on a terminal. */
  progress(message: string): void;
}

/** "x" is a ratio of two figures of the run; it prints as 1.23x. "%" is a share of requests. */
export type Unit = "x" | "ms" | "req/s" | "MB" | "%";

export interface Target {
  /** As printed: ">= 20x", "<= 20 ms". */
  text: string;
  held(value: number): boolean;
}

export interface Figure<Run> {
  label: string;
  unit: Unit;
  value(run: Run): number;
  /** Requests that failed while it was measured: a figure measured on failures does not hold. */
  failed?(run: Run): number;
  /** Absent for a figure shown for context; a function when the bar depends on the run. */
  target?: Target | ((run: Run) => Target);
}

export interface Suite<Run> {
  /** What `npm run bench -- <name>` calls it. */
  name: string;
  measure(context: MeasureContext): Promise<Run>;
  title(run: Run, context: MeasureContext): string;
  /** Tables shown before the figures, for what a figure row cannot show (a column per mode). */
  tables?(run: Run): string[];
  figures: Figure<Run>[];
}

export interface SuiteReport {
  title: string;
  tables: string[];
  /** One line per target: the figure, the target, and whether it held. */
  verdicts: string[];
}

/** A suite with its run type sealed in, so suites of different runs share one list. */
export interface RunnableSuite {
  name: string;
  run(context: MeasureContext): Promise<SuiteReport>;
}

export function defineSuite<Run>(suite: Suite<Run>): RunnableSuite {
  return {
    name: suite.name,
    async run(context) {
      const run = await suite.measure(context);
      return reportSuite(suite, run, context);
    },
  };
}

export function reportSuite<Run>(
  suite: Suite<Run>,
  run: Run,
  context: MeasureContext,
): SuiteReport {
  const rows: Cell[][] = [];
  const verdicts: string[] = [];
  for (const figure of suite.figures) {
    const value = figure.value(run);
    const failed = figure.failed?.(run) ?? 0;
    const target = typeof figure.target === "function" ? figure.target(run) : figure.target;
    const shown = figure.unit === "x" ? `${value.toFixed(2)}x` : value;
    let verdict = "";
    if (target !== undefined) {
      const held = target.held(value) && failed === 0;
      verdict = held ? "held" : failed > 0 ? `MISSED (${failed} failed)` : "MISSED";
      const measured = typeof shown === "number" ? `${formatNumber(shown)} ${figure.unit}` : shown;
      verdicts.push(`${figure.label}: ${measured} (target ${target.text}): ${verdict}`);
    }
    rows.push([figure.label, shown, target?.text ?? "", verdict, failed]);
  }
  const figures = formatTable(["figure", "measured", "target", "verdict", "failed"], rows);
  return {
    title: suite.title(run, context),
    tables: [...(suite.tables?.(run) ?? []), figures],
    verdicts,
  };
}

export function atLeast(limit: number, unit: Unit): Target {
  return { text: `>= ${limitText(limit, unit)}`, held: (value) => value >= limit };
}

export function atMost(limit: number, unit: Unit): Target {
  return { text: `<= ${limitText(limit, unit)}`, held: (value) => value <= limit };
}

function limitText(limit: number, unit: Unit): string {
  const number = String(Number(limit.toPrecision(3)));
  return unit === "x" ? `${number}x` : `${number} ${unit}`;
}
