// Servers compared in rotation: turns go side by side, round after round, and a ratio is read
// within each round, its median the figure (measure/rotation.ts).
import { describe, expect, it } from "vitest";
import { inRotation, roundRatios } from "../measure/rotation.js";

describe("inRotation", () => {
  it("runs every side once a round, every other round in reverse, and returns each side's turns by round", async () => {
    const order: string[] = [];
    const turn = (name: string) => async (round: number) => {
      order.push(`${name}${round}`);
      return `${name}${round}`;
    };
    const turns = await inRotation([turn("a"), turn("b"), turn("c")], 3);
    expect(order).toEqual(["a1", "b1", "c1", "c2", "b2", "a2", "a3", "b3", "c3"]);
    expect(turns).toEqual([
      ["a1", "a2", "a3"],
      ["b1", "b2", "b3"],
      ["c1", "c2", "c3"],
    ]);
  });
});

describe("roundRatios", () => {
  it("takes the ratio within each round: a slow phase that slows both sides moves no ratio", () => {
    // The machine's speed halves in round 2 and doubles in round 3; each side is 0.9x of base.
    const ratios = roundRatios([900, 450, 1800], [1000, 500, 2000]);
    expect(ratios.rounds.map((r) => r.toFixed(3))).toEqual(["0.900", "0.900", "0.900"]);
    expect(ratios.median).toBeCloseTo(0.9, 9);
  });

  it("keeps the median round, so one round's burst does not decide the figure", () => {
    const ratios = roundRatios([9, 9, 1, 9, 30], [10, 10, 10, 10, 10]);
    expect(ratios.median).toBeCloseTo(0.9, 9);
    expect(ratios.lowest).toBeCloseTo(0.1, 9);
    expect(ratios.highest).toBeCloseTo(3, 9);
  });

  it("averages the middle two of an even count of rounds", () => {
    expect(roundRatios([1, 2, 3, 4], [1, 1, 1, 1]).median).toBe(2.5);
  });

  it("refuses sides with different counts of rounds", () => {
    expect(() => roundRatios([1, 2], [1])).toThrow(/as many rounds/);
    expect(() => roundRatios([], [])).toThrow(/as many rounds/);
  });
});
