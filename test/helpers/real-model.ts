// The real digits model (the default training plan), trained once per test run by
// test/global-setup.ts when the first test asks for it: a test that needs it waits here for its
// file, bounded.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { inject } from "vitest";
import { waitFor } from "./process.js";

/** A full training takes ten seconds or more of one core; far more on a busy machine. */
const TRAINING_LIMIT_MS = 180_000;

export interface RealModel {
  /** The model file: read it, never write it (every test that needs it shares it). */
  path: string;
  /** What the training said, line by line, as a first start logs it. */
  progress: string[];
}

/**
 * Asks for the real model (its training starts with the first test that asks) and waits, at
 * most a few minutes, for the training to end; throws if it failed.
 */
export async function realModel(): Promise<RealModel> {
  const { request, path, ready, failed } = inject("realModel");
  if (!existsSync(ready)) writeFileSync(request, "");
  await waitFor(
    () => existsSync(ready) || existsSync(failed),
    TRAINING_LIMIT_MS,
    "the real digits model, trained by test/global-setup.ts",
  );
  if (existsSync(failed)) {
    throw new Error(`training the real digits model failed: ${readFileSync(failed, "utf8")}`);
  }
  const { progress } = JSON.parse(readFileSync(ready, "utf8")) as { progress: string[] };
  return { path, progress };
}
