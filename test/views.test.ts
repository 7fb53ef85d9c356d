// The page filters format each distinct value once: the text is the same as a fresh format,
// and the memory they keep is bounded.
import { describe, expect, it } from "vitest";
import { formattedOnce } from "../src/views.js";

describe("formattedOnce", () => {
  it("formats a value once and answers the same text after", () => {
    let calls = 0;
    const format = formattedOnce((value: number) => {
      calls++;
      return `#${value}`;
    });
    expect([format(1), format(1), format(2), format(1)]).toEqual(["#1", "#1", "#2", "#1"]);
    expect(calls).toBe(2);
  });

  it("starts over past its bound instead of growing without end", () => {
    let calls = 0;
    const format = formattedOnce((value: number) => {
      calls++;
      return String(value);
    }, 3);
    for (const value of [1, 2, 3]) format(value);
    format(4); // the map was full: it starts over with 4 alone
    format(1);
    expect(calls).toBe(5);
    format(4);
    expect(calls).toBe(5);
  });
});
