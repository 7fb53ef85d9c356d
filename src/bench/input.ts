// The checks /io and /cpu parameters pass: a whole number within its bound, or a 400 that
// names the parameter and the allowed range. A missing parameter takes its default.
import { BadInput } from "../http-errors.js";
import { CPU_DEFAULT_N, CPU_MAX_N, CPU_N_RULE } from "./cpu-task.js";

/** Ten seconds: longer than any load test's request timeout should need. */
export const IO_MAX_MS = 10_000;
export const IO_DEFAULT_MS = 200;
export const IO_MS_RULE = `a whole number of milliseconds from 0 to ${IO_MAX_MS} (default ${IO_DEFAULT_MS})`;

function wholeNumber(
  value: unknown,
  parameter: string,
  fallback: number,
  max: number,
  rule: string,
): number {
  if (value === undefined) return fallback;
  // A repeated parameter arrives as an array, a negative or "1.5" or "1e3" fails the pattern.
  if (typeof value !== "string" || !/^\d{1,9}$/.test(value)) throw new BadInput(parameter, rule);
  const number = Number(value);
  if (number > max) throw new BadInput(parameter, rule);
  return number;
}

export function ioMsParam(value: unknown): number {
  return wholeNumber(value, "ms", IO_DEFAULT_MS, IO_MAX_MS, IO_MS_RULE);
}

export function cpuNParam(value: unknown): number {
  return wholeNumber(value, "n", CPU_DEFAULT_N, CPU_MAX_N, CPU_N_RULE);
}
