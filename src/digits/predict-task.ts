// One prediction, shared by the pool's threads (predict-worker.ts) and predict-inline, so
// both give the same answer. With model-per-request it first reads, parses and builds the
// model from its file, as the original lab's server did on every request.
import { loadModel } from "./model-file.js";
import { argmax, forward, type Network } from "./network.js";

export interface PredictTask {
  /** The ink of each pixel, 0 to 1 (checked by the route before it gets here). */
  pixels: Float32Array;
  /** model-per-request: load the model from this file first, ignoring the one in memory. */
  loadModelFrom?: string;
}

export interface Prediction {
  digit: number;
  /** The probability of the predicted digit. */
  confidence: number;
  /** Ten probabilities, for the digits 0 to 9. */
  probabilities: number[];
  /** Time in the forward pass alone, on whichever thread ran it. */
  inferenceMs: number;
  /** Time spent reading, parsing and building the model for this request; 0 when it was loaded once. */
  modelLoadMs: number;
}

export function predictDigit(network: Network, task: PredictTask): Prediction {
  let modelLoadMs = 0;
  if (task.loadModelFrom !== undefined) {
    const started = performance.now();
    network = loadModel(task.loadModelFrom).network;
    modelLoadMs = roundMs(performance.now() - started);
  }
  const started = performance.now();
  const { probabilities } = forward(network, task.pixels);
  const inferenceMs = roundMs(performance.now() - started);
  const digit = argmax(probabilities);
  return {
    digit,
    confidence: round(probabilities[digit] as number),
    probabilities: Array.from(probabilities, round),
    inferenceMs,
    modelLoadMs,
  };
}

function round(probability: number): number {
  return Math.round(probability * 1e6) / 1e6;
}

function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
