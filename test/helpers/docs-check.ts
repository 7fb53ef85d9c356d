// What test/docs.test.ts checks in a Markdown page, as plain functions of the page's text, so
// the test can also show each check failing on a page written wrong.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** A page's text with its fenced code blocks blanked (line numbers kept): links there are code. */
export function withoutCodeBlocks(text: string): string {
  let inFence = false;
  return text
    .split("\n")
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        inFence = !inFence;
        return "";
      }
      return inFence ? "" : line;
    })
    .join("\n");
}

/** The fenced code blocks' lines and the inline code spans of a page: where commands are quoted. */
export function codeOf(text: string): string[] {
  const pieces: string[] = [];
  let inFence = false;
  for (const line of text.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    else if (inFence) pieces.push(line);
  }
  // A line ending in `\` goes on on the next one, as the shell reads it.
  const joined = pieces.join("\n").replace(/\\\n\s*/g, " ");
  const spans = [...withoutCodeBlocks(text).matchAll(/(`+)([^`]+?)\1/g)].map((m) => m[2] ?? "");
  return [...joined.split("\n"), ...spans];
}

/**
 * GitHub's anchor for a heading: the text as rendered (code marks, emphasis and link targets
 * gone), lower case, every character but letters, digits, spaces, `-` and `_` dropped, spaces
 * made `-`; a repeated anchor gets -1, -2, ...
 */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutCodeBlocks(text).split("\n")) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const rendered = (heading[1] ?? "")
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/[`*]/g, "")
      .replace(/<[^>]+>/g, "");
    const base = rendered
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
      .replace(/ /g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

export interface Problem {
  page: string;
  what: string;
}

/** Every relative link and #anchor of `page` (a path under `root`) that leads nowhere. */
export function brokenLinks(root: string, page: string, text: string): Problem[] {
  const problems: Problem[] = [];
  const prose = withoutCodeBlocks(text).replace(/(`+)[^`]*?\1/g, "");
  for (const match of prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1] ?? "";
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    const [path = "", anchor] = target.split("#", 2);
    const file = path === "" ? join(root, page) : resolve(dirname(join(root, page)), path);
    const shown = relative(root, file);
    if (!existsSync(file)) {
      problems.push({ page, what: `${target}: no file ${shown}` });
      continue;
    }
    if (anchor === undefined) continue;
    if (statSync(file).isDirectory() || !file.endsWith(".md")) {
      problems.push({ page, what: `${target}: an anchor into ${shown}, which has no headings` });
    } else if (!headingAnchors(readFileSync(file, "utf8")).has(anchor)) {
      problems.push({
        page,
        what: `${target}: ${shown} has no heading with the anchor #${anchor}`,
      });
    }
  }
  return problems;
}

export interface QuotedFlag {
  /** The script: "start", "lab", "verify", ... */
  script: string;
  flag: string;
  command: string;
}

/** Each `npm start -- --flag` and `npm run NAME -- --flag` quoted in a page's code. */
export function quotedFlags(text: string): QuotedFlag[] {
  const found: QuotedFlag[] = [];
  for (const code of codeOf(text)) {
    for (const match of code.matchAll(/npm (?:run ([a-z][\w:-]*)|(start))\b([^#|;&]*)/g)) {
      const script = match[1] ?? match[2] ?? "";
      const rest = match[3] ?? "";
      const args = /^\s+--\s(.*)$/.exec(rest)?.[1] ?? "";
      const words = args.replace(/"[^"]*"|'[^']*'/g, " ").split(/\s+/);
      for (const word of words) {
        const flag = /^(--[a-z][a-z0-9-]*)/.exec(word)?.[1];
        if (flag) found.push({ script, flag, command: match[0].trim() });
      }
    }
  }
  return found;
}

/** Each ALL_CAPS environment name a page quotes: `NAME=` anywhere, or `NAME` alone in code marks. */
export function quotedSettings(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(/\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)=/g))
    names.add(match[1] ?? "");
  for (const match of withoutCodeBlocks(text).matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`/g)) {
    names.add(match[1] ?? "");
  }
  return [...names].sort();
}
