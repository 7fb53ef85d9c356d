// The settings table of docs/settings.md is held against the one declaration in src/config.ts,
// so a setting added, renamed or given a new default cannot leave the documentation behind.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SETTINGS } from "../src/config.js";
import { projectRoot } from "../src/paths.js";

interface Row {
  env: string;
  flags: string[];
  shown: string;
}

function documentedSettings(): Row[] {
  const page = readFileSync(join(projectRoot, "docs", "settings.md"), "utf8");
  // The table is the page's first section: from its title to the first "## " heading.
  const section = page.split(/^# Settings$/m)[1]?.split(/^## /m)[0] ?? "";
  const cells = (line: string) =>
    line
      .split("|")
      .slice(1, -1)
      .map((cell) => cell.trim());
  return section
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => {
      const [env = "", flags = "", shown = ""] = cells(line);
      return {
        env: env.replaceAll("`", ""),
        flags: [...flags.matchAll(/`(--[a-z-]+)`/g)].map((match) => match[1] as string),
        shown,
      };
    });
}

describe("the settings table of docs/settings.md", () => {
  const rows = documentedSettings();
  const declared = Object.values(SETTINGS);

  it("has a row for every declared setting, and no other", () => {
    expect(rows.map((row) => row.env).sort()).toEqual(declared.map((s) => s.env).sort());
  });

  for (const setting of declared) {
    it(`${setting.env}: the same flags and default as src/config.ts`, () => {
      const row = rows.find((r) => r.env === setting.env);
      const flags = [
        ...("flag" in setting ? [`--${setting.flag}`] : []),
        ...Object.keys("shortcuts" in setting ? setting.shortcuts : {}).map((f) => `--${f}`),
      ];
      expect(row?.flags).toEqual(flags);
      expect(row?.shown).toBe(setting.shown);
    });
  }
});
