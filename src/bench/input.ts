// The checks /io and /cpu parameters pass: a whole number within its bound, or a 400 that
// names the parameter and the allowed range. A missing parameter takes its default.
import { BadInput } from "../http-errors.js";
import { wholeNumber } from "../parsers.js";
import { CPU_DEFAULT_N, CPU_MAX_N, CPU_N_RULE } from "./cpu-task.js";

/** Ten seconds: longer than any load test's request timeout should need. */
export const IO_MAX_MS = 10_000;
export const IO_DEFAULT_MS = 200;
export const IO_MS_RULE = `a whole number of milliseconds from 0 to ${IO_MAX_MS} (default ${IO_DEFAULT_MS})`;

function wholeNumberParam(
  value: unknown,
  parameter: string,
  fallback: number,
  max: number,
  rule: string,
): number {
  if (value === undefined) return fallback;
  // A repeated parameter arrives as an array; a negative or "1.5" or "1e3" is refused.
  if (typeof value !== "string") throw new BadInput(parameter, rule);
  try {
    return wholeNumber(value, 0, max);
  } catch {
    throw new BadInput(parameter, rule);
  }
}

export function ioMsParam(value: unknown): number {
  return wholeNumberParam(value, "ms", IO_DEFAULT_MS, IO_MAX_MS, IO_MS_RULE);
}

export function cpuNParam(value: unknown): number {
  return wholeNumberParam(value, "n", CPU_DEFAULT_N, CPU_MAX_N, CPU_N_RULE);
}
