// The page filters format each distinct value once: the text is the same as a fresh format,
// and the memory they keep is bounded. Escaping prints what nunjucks's own escape prints.
import { describe, expect, it } from "vitest";
import { createViews, formattedOnce } from "../src/views.js";

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

// nunjucks's escape runs only when a value holds a character to escape: what a page prints
// is what nunjucks's own escape gives, for every character it replaces and for none.
describe("escaping in the views", () => {
  const views = createViews();
  const shown = (value: unknown) => views.renderString("{{ value }}", { value });

  it("escapes each character nunjucks escapes, wherever it is in the text", () => {
    expect(shown(`a&b"c'd<e>f\\g`)).toBe("a&amp;b&quot;c&#39;d&lt;e&gt;f&#92;g");
    expect(shown("<script>")).toBe("&lt;script&gt;");
    expect(shown("Tom & Jerry")).toBe("Tom &amp; Jerry");
  });

  it("prints text and numbers with nothing to escape as they are", () => {
    expect(shown("Ilaiyaraaja Live · ₹ 1,200")).toBe("Ilaiyaraaja Live · ₹ 1,200");
    expect(shown(42)).toBe("42");
    expect(shown("")).toBe("");
  });

  it("leaves text marked safe alone", () => {
    expect(views.renderString("{{ value | safe }}", { value: "<b>x</b>" })).toBe("<b>x</b>");
  });
});
