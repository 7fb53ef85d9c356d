// The documentation stays true to the project: every relative link and #anchor of README.md and
// docs/*.md leads somewhere, every `npm run NAME -- --flag` (and `npm start -- --flag`) quoted
// is in that program's own --help, and every setting quoted is a row of src/config.ts's SETTINGS.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SETTINGS } from "../src/config.js";
import { projectRoot } from "../src/paths.js";
import { brokenLinks, headingAnchors, quotedFlags, quotedSettings } from "./helpers/docs-check.js";

const PAGES = [
  "README.md",
  ...readdirSync(join(projectRoot, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];

function read(page: string): string {
  return readFileSync(join(projectRoot, page), "utf8");
}

/**
 * Names the pages may quote that are not the server's settings: the Locust scenarios' own, the
 * test run's, a placeholder (`--upstream NAME=URL`) and a shell variable of the first lesson.
 */
const NOT_SETTINGS = new Set([
  "NAME",
  "TOKEN",
  "CI",
  "PATH",
  "FEST_RUN_ID",
  "LAB_STAGE_SECONDS",
  "CATALOGUE_PLAN_SECONDS",
  "CATALOGUE_SPAWN_RATE",
]);
const isNotSetting = (name: string) => NOT_SETTINGS.has(name) || name.startsWith("REQUIRE_");

/** The flags a package.json script's program lists in its --help, or why there are none. */
function flagsOf(script: string): Set<string> | string {
  const scripts = JSON.parse(read("package.json")).scripts as Record<string, string>;
  const command = scripts[script];
  if (command === undefined) return `package.json has no script "${script}"`;
  const program = /^node (\S+\.js)$/.exec(command)?.[1];
  if (program === undefined) return `"${script}" runs \`${command}\`, which has no usage text`;
  const usage = execFileSync(process.execPath, [program, "--help"], {
    cwd: projectRoot,
    encoding: "utf8",
    timeout: 20_000,
  });
  return new Set([...usage.matchAll(/--[a-z][a-z0-9-]*/g)].map((match) => match[0]));
}

describe("the documentation", () => {
  it("has the pages it links to: every relative link and #anchor resolves", () => {
    const problems = PAGES.flatMap((page) => brokenLinks(projectRoot, page, read(page)));
    expect(problems).toEqual([]);
  });

  it("quotes only flags that the command's own --help lists", () => {
    const quoted = PAGES.flatMap((page) => quotedFlags(read(page)).map((q) => ({ ...q, page })));
    expect(quoted.length).toBeGreaterThan(20);
    const usage = new Map<string, Set<string> | string>();
    const problems: string[] = [];
    for (const { script, flag, command, page } of quoted) {
      if (!usage.has(script)) usage.set(script, flagsOf(script));
      const flags = usage.get(script);
      if (typeof flags === "string") problems.push(`${page}: ${command}: ${flags}`);
      else if (!flags?.has(flag))
        problems.push(`${page}: ${command}: ${flag} is not in its --help`);
    }
    expect(problems).toEqual([]);
  });

  it("quotes only settings that src/config.ts declares", () => {
    const declared = new Set(Object.values(SETTINGS).map((setting) => setting.env));
    const quoted = PAGES.flatMap((page) =>
      quotedSettings(read(page)).map((name) => ({ name, page })),
    );
    expect(new Set(quoted.map((q) => q.name)).size).toBeGreaterThan(15);
    const problems = quoted
      .filter(({ name }) => !declared.has(name) && !isNotSetting(name))
      .map(({ name, page }) => `${page}: ${name} is not a setting`);
    expect(problems).toEqual([]);
  });
});

// The checks above pass only if they can fail: each is shown a page written wrong.
describe("the documentation checks, on a page written wrong", () => {
  const page = "docs/settings.md";

  it("report a link to a missing page, and a missing anchor", () => {
    const text = [
      "See [nowhere](no-such-page.md), [a heading](switches.md#no-such-heading),",
      "[here](#no-such-section), and [a real one](switches.md#reset).",
      "```sh",
      "echo [not a link](in-code.md)",
      "```",
    ].join("\n");
    expect(brokenLinks(projectRoot, page, text).map((p) => p.what)).toEqual([
      "no-such-page.md: no file docs/no-such-page.md",
      "switches.md#no-such-heading: docs/switches.md has no heading with the anchor #no-such-heading",
      "#no-such-section: docs/settings.md has no heading with the anchor #no-such-section",
    ]);
  });

  it("make anchors the way GitHub does", () => {
    const anchors = headingAnchors(
      "# Title\n## Lesson: the knee\n## `npm run lab`, side by side\n## Title\n```\n# not a heading\n```",
    );
    expect([...anchors]).toEqual([
      "title",
      "lesson-the-knee",
      "npm-run-lab-side-by-side",
      "title-1",
    ]);
  });

  it("report a flag the command does not have, and a setting that does not exist", () => {
    const text = [
      "```sh",
      "npm run lab -- --route /health --no-such-flag 3   # a comment --not-a-flag",
      "npm start -- --port 8001",
      "```",
      "Run `npm run verify -- results.csv --run-id me` with `NOT_A_SETTING=1` and `PORT=8001`.",
    ].join("\n");
    expect(quotedFlags(text).map((q) => `${q.script} ${q.flag}`)).toEqual([
      "lab --route",
      "lab --no-such-flag",
      "start --port",
      "verify --run-id",
    ]);
    expect(flagsOf("lab")).toContain("--route");
    expect(flagsOf("lab")).not.toContain("--no-such-flag");
    expect(quotedSettings(text)).toEqual(["NOT_A_SETTING", "PORT"]);
  });
});
