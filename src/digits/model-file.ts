// The model file (MODEL_PATH): the network's numbers as JSON text, with how it was trained and
// ten held-out digits for the /predict page. Text on purpose: a student can open it, and
// reading and parsing its 200,000 numbers (4 MB) costs far more than one prediction, which is the
// price model-per-request pays on every request.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { StartupError } from "../startup-error.js";
import { DIGITS, type Network, PIXELS } from "./network.js";
import type { TrainingPlan } from "./train.js";

export const MODEL_FORMAT = "fest-lab-digits-mlp/1";

/** A held-out digit the page shows: its label and its pixels from 0 to 255. */
export interface Example {
  label: number;
  index: number;
  pixels: number[];
}

export interface ModelFacts {
  plan: TrainingPlan;
  trainingDigits: number;
  heldOutDigits: number;
  /** Share of the held-out digits the saved model gets right. */
  heldOutAccuracy: number;
  trainingMs: number;
}

export interface LoadedModel {
  network: Network;
  facts: ModelFacts;
  examples: Example[];
}

export class ModelFileError extends StartupError {
  override name = "ModelFileError";
}

export function saveModel(path: string, model: LoadedModel): void {
  const { network, facts, examples } = model;
  const text = JSON.stringify({
    format: MODEL_FORMAT,
    facts,
    hidden: network.hidden,
    // Each float32 written as the double it is, up to 17 digits, the way a plain
    // JSON.stringify of the weights writes them: exact, and as heavy to parse as such files are.
    hiddenWeights: Array.from(network.hiddenWeights),
    hiddenBiases: Array.from(network.hiddenBiases),
    outputWeights: Array.from(network.outputWeights),
    outputBiases: Array.from(network.outputBiases),
    examples,
  });
  mkdirSync(dirname(path), { recursive: true });
  // Written beside and renamed: a server reading it per request never sees half a file.
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, text);
  renameSync(partial, path);
}

/**
 * Reads, parses and builds the network: what the server does once at start, and what
 * model-per-request does on every request. The arrays live in shared memory, so the pool's
 * threads read the one copy the server loaded instead of each holding its own.
 */
export function loadModel(path: string): LoadedModel {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ModelFileError(`cannot read the model file ${path}: ${(error as Error).message}`);
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch {
    throw notAModel(path, "it is not valid JSON");
  }
  if (json.format !== MODEL_FORMAT) throw notAModel(path, `its format is not ${MODEL_FORMAT}`);
  const hidden = json.hidden;
  if (typeof hidden !== "number" || !Number.isInteger(hidden) || hidden < 1) {
    throw notAModel(path, '"hidden" is not a whole number');
  }
  const network: Network = {
    hidden,
    hiddenWeights: sharedFloats(path, json, "hiddenWeights", PIXELS * hidden),
    hiddenBiases: sharedFloats(path, json, "hiddenBiases", hidden),
    outputWeights: sharedFloats(path, json, "outputWeights", DIGITS * hidden),
    outputBiases: sharedFloats(path, json, "outputBiases", DIGITS),
  };
  return {
    network,
    facts: json.facts as ModelFacts,
    examples: Array.isArray(json.examples) ? (json.examples as Example[]) : [],
  };
}

function sharedFloats(
  path: string,
  json: Record<string, unknown>,
  key: string,
  length: number,
): Float32Array {
  const values = json[key];
  if (!Array.isArray(values) || values.length !== length) {
    throw notAModel(path, `"${key}" is not a list of ${length} numbers`);
  }
  const floats = new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
  for (let i = 0; i < length; i++) {
    const value = values[i];
    if (typeof value !== "number") throw notAModel(path, `"${key}" holds a non-number`);
    floats[i] = value;
  }
  return floats;
}

function notAModel(path: string, why: string): ModelFileError {
  return new ModelFileError(
    `${path} is not a Fest Lab digits model (${why}): delete it, and the next start trains a new one`,
  );
}
