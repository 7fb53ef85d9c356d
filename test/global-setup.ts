// Runs once before every test file: trains one tiny digits model (a second or two) that every
// test server reads, so no test pays for a full training. The one test that needs the real
// model, test/digits-model.test.ts, trains it itself.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { trainModelFile } from "../src/digits/first-start.js";
import { DEFAULT_TRAINING, type TrainingPlan } from "../src/digits/train.js";

/** Enough to answer most held-out digits right; far too small for the lab's figures. */
export const TINY_TRAINING: TrainingPlan = {
  ...DEFAULT_TRAINING,
  hidden: 16,
  epochs: 1,
  digits: 1_000,
};

declare module "vitest" {
  export interface ProvidedContext {
    /** A tiny trained model file, shared read-only by the test servers. */
    tinyModelPath: string;
  }
}

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "fest-lab-model-"));
  const path = join(dir, "digits-model.json");
  trainModelFile(path, TINY_TRAINING, () => {});
  project.provide("tinyModelPath", path);
  return () => rmSync(dir, { recursive: true, force: true });
}
