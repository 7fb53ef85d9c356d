// The model file on first start (and `npm run seed`): load it when it is there, otherwise
// train a network from the fixed seed, measure it on the held-out digits, and save it.
import { existsSync } from "node:fs";
import { type Digit, loadDigits } from "./dataset.js";
import { type Example, type LoadedModel, loadModel, saveModel } from "./model-file.js";
import { accuracy, DEFAULT_TRAINING, type TrainingPlan, trainNetwork } from "./train.js";

export interface ReadyModel extends LoadedModel {
  /** True when this call trained the model and wrote the file. */
  trained: boolean;
}

export function loadOrTrainModel(
  path: string,
  plan: TrainingPlan = DEFAULT_TRAINING,
  progress: (line: string) => void = () => {},
): ReadyModel {
  if (existsSync(path)) return { ...loadModel(path), trained: false };
  trainModelFile(path, plan, progress);
  return { ...loadModel(path), trained: true };
}

/** Trains from `plan`, writes `path`, and says how it went, one line per step. */
export function trainModelFile(
  path: string,
  plan: TrainingPlan,
  progress: (line: string) => void,
): LoadedModel {
  const started = performance.now();
  progress(`digits: no model at ${path}: training one (seed ${plan.seed})`);
  const { training, heldOut } = loadDigits();
  const used = plan.digits === undefined ? training.length : Math.min(plan.digits, training.length);
  progress(
    `digits: ${used} training and ${heldOut.length} held-out handwritten digits read from the mnist package`,
  );
  const network = trainNetwork(training, plan, (epoch) =>
    progress(
      `digits: epoch ${epoch.epoch}/${epoch.epochs}: ${percent(epoch.trainingAccuracy)} right while learning, ${Math.round(epoch.elapsedMs)} ms`,
    ),
  );
  const heldOutAccuracy = accuracy(network, heldOut);
  const model: LoadedModel = {
    network,
    facts: {
      plan,
      trainingDigits: used,
      heldOutDigits: heldOut.length,
      heldOutAccuracy,
      trainingMs: Math.round(performance.now() - started),
    },
    examples: pageExamples(heldOut),
  };
  saveModel(path, model);
  progress(
    `digits: ${percent(heldOutAccuracy)} right on the ${heldOut.length} held-out digits; saved to ${path} in ${model.facts.trainingMs} ms`,
  );
  return model;
}

/** The first held-out image of each digit, for the /predict page to show. */
function pageExamples(heldOut: readonly Digit[]): Example[] {
  const examples: Example[] = [];
  for (let label = 0; label < 10; label++) {
    const digit = heldOut.find((d) => d.label === label);
    if (digit === undefined) continue;
    const pixels = Array.from(digit.pixels, (ink) => Math.round(ink * 255));
    examples.push({ label, index: digit.index, pixels });
  }
  return examples;
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}
