// Variants that differ, so classmates with different seeds cannot share answers: every shipped
// challenge has at least three variants, no two alike in their answers, and three seeds picked
// here give at least two different right answers. The seed alone picks the variant (a pure
// function of the challenge's name and the seed), so the same seed gives the same variant.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pickVariant } from "../src/challenge/challenges.js";
import { type Challenge, loadChallenges, type Variant } from "../src/challenge/definition.js";
import { projectRoot } from "../src/paths.js";

const library = loadChallenges(join(projectRoot, "challenges"));
const SHIPPED = [
  "blocked-event-loop",
  "crashing-checkout",
  "slow-listing",
  "slow-predictions",
  "the-knee",
  "was-it-the-network",
];
/** Three seeds a class might be given: 1, 2 and 3. */
const SEEDS = [1, 2, 3];

/** What a student hands in for the choice and setting questions: the variant's answers. */
function answersOf(variant: Variant): string {
  return JSON.stringify(
    Object.entries(variant.answers)
      .map(([id, answer]) => [id, [answer].flat()[0]])
      .sort(),
  );
}

function named(name: string): Challenge {
  const challenge = library.find((c) => c.name === name);
  if (challenge === undefined) throw new Error(`no challenge ${name}`);
  return challenge;
}

describe("every shipped challenge has variants whose answers differ", () => {
  it.each(SHIPPED)("%s: at least three variants, with three different answers", (name) => {
    const { variants } = named(name);
    expect(variants.length).toBeGreaterThanOrEqual(3);
    // Who dropped them has two answers; its variants differ in the share as well.
    const least = name === "was-it-the-network" ? 2 : 3;
    expect(new Set(variants.map(answersOf)).size).toBeGreaterThanOrEqual(least);
  });

  it.each(SHIPPED)("%s: seeds 1, 2 and 3 give at least two different right answers", (name) => {
    const challenge = named(name);
    const answers = SEEDS.map((seed) => answersOf(pickVariant(challenge, seed)));
    expect(new Set(answers).size, answers.join("\n")).toBeGreaterThanOrEqual(2);
  });

  it("the same seed gives the same variant, read from a fresh copy of the files", () => {
    const again = loadChallenges(join(projectRoot, "challenges"));
    for (const name of SHIPPED) {
      for (const seed of [...SEEDS, 4_294_967_295]) {
        const first = pickVariant(named(name), seed);
        const second = pickVariant(again.find((c) => c.name === name) as Challenge, seed);
        expect(second).toEqual(first);
      }
    }
  });
});
