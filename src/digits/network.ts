// The digit classifier: a small multilayer perceptron, 784 pixels → HIDDEN ReLU units → 10
// digits, with a softmax on top. This file is the whole forward pass; read it top to bottom.
// Training (train.ts) changes the numbers in these arrays and nothing else.

/** A digit is a SIDE × SIDE grayscale image. */
export const SIDE = 28;
export const PIXELS = SIDE * SIDE;
export const DIGITS = 10;

export interface Network {
  /** Units in the hidden layer. */
  hidden: number;
  /** PIXELS × hidden, row by row: hiddenWeights[i * hidden + h] joins pixel i to unit h. */
  hiddenWeights: Float32Array;
  hiddenBiases: Float32Array;
  /** DIGITS × hidden, row by row: outputWeights[d * hidden + h] joins unit h to digit d. */
  outputWeights: Float32Array;
  outputBiases: Float32Array;
}

export interface Activations {
  /** Each hidden unit's output after ReLU. */
  hidden: Float32Array;
  /** The ten probabilities, summing to 1. */
  probabilities: Float32Array;
}

/** pixels: PIXELS values from 0 (background) to 1 (ink), row by row. */
export function forward(network: Network, pixels: Float32Array): Activations {
  // Each hidden unit starts at its bias; each inked pixel adds ink × its weight to every unit.
  // Most of a digit is background (about 80 % zeros), which adds nothing, so it is skipped.
  const units = network.hidden;
  const hidden = Float32Array.from(network.hiddenBiases);
  for (let i = 0; i < PIXELS; i++) {
    const ink = pixels[i] as number;
    if (ink === 0) continue;
    const row = i * units;
    for (let h = 0; h < units; h++) {
      hidden[h] = (hidden[h] as number) + ink * (network.hiddenWeights[row + h] as number);
    }
  }
  for (let h = 0; h < units; h++) if ((hidden[h] as number) < 0) hidden[h] = 0; // ReLU
  const logits = new Float32Array(DIGITS);
  for (let d = 0; d < DIGITS; d++) {
    let sum = network.outputBiases[d] as number;
    const row = d * units;
    for (let h = 0; h < units; h++) {
      sum += (network.outputWeights[row + h] as number) * (hidden[h] as number);
    }
    logits[d] = sum;
  }
  return { hidden, probabilities: softmax(logits) };
}

/** exp(x) / Σ exp, shifted by the largest logit so exp never overflows. */
export function softmax(logits: Float32Array): Float32Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of logits) if (value > max) max = value;
  const out = new Float32Array(logits.length);
  let total = 0;
  for (let d = 0; d < logits.length; d++) {
    const e = Math.exp((logits[d] as number) - max);
    out[d] = e;
    total += e;
  }
  for (let d = 0; d < out.length; d++) out[d] = (out[d] as number) / total;
  return out;
}

/** The index of the largest value: the predicted digit. */
export function argmax(values: Float32Array): number {
  let best = 0;
  for (let d = 1; d < values.length; d++) {
    if ((values[d] as number) > (values[best] as number)) best = d;
  }
  return best;
}
