// Two of nunjucks's runtime functions, replaced by ones that give the same result for less:
// each ran on every value of every page and stood out in a profile of the events page.
// Replacing the same function again is harmless, so every createViews() may call these.
import nunjucks from "nunjucks";

/**
 * nunjucks's Frame.set splits a variable's name on "." at every call, and a {% for %} sets
 * eight names an item (the item, then loop.index, loop.first and the rest): 640 splits a
 * request on the events page, the largest single cost of its rendering in a profile. The
 * same method, with each name split once and kept.
 */
export function setWithoutSplitting(): void {
  type Variables = Record<string, unknown>;
  type FrameLike = {
    variables: Variables;
    resolve(name: string, forWrite: boolean): FrameLike | null;
  };
  // Frame is in nunjucks's runtime, though not in its type declarations.
  const { Frame } = nunjucks.runtime as unknown as { Frame: { prototype: unknown } };
  const proto = Frame.prototype as FrameLike & {
    set(name: string, value: unknown, resolveUp?: boolean): void;
  };
  const splitOnce = new Map<string, string[]>();
  proto.set = function set(this: FrameLike, name, value, resolveUp) {
    let parts = splitOnce.get(name);
    if (parts === undefined) {
      parts = name.split(".");
      splitOnce.set(name, parts);
    }
    if (resolveUp) {
      const frame = this.resolve(parts[0] as string, true);
      if (frame) {
        (frame as typeof proto).set(name, value);
        return;
      }
    }
    let variables = this.variables;
    for (let i = 0; i < parts.length - 1; i++) {
      const id = parts[i] as string;
      if (!variables[id]) variables[id] = {};
      variables = variables[id] as Variables;
    }
    variables[parts[parts.length - 1] as string] = value;
  };
}

/**
 * nunjucks escapes every value a page prints with String.replace and a callback, which costs
 * as much for a title with nothing to escape (nearly all of them) as for one with: a fifth of
 * the events page's rendering. The same escape, after a test that finds something to escape.
 */
export function escapeOnlyWhenNeeded(): void {
  // lib is in nunjucks's runtime, though its escape is not in the type declarations.
  const lib = nunjucks.lib as unknown as { escape(text: string): string };
  const nunjucksEscape = lib.escape;
  if ((nunjucksEscape as { onlyWhenNeeded?: true }).onlyWhenNeeded) return;
  // The characters nunjucks's escape replaces (its escapeMap).
  const special = /[&"'<>\\]/;
  const onlyWhenNeeded = (text: string) => (special.test(text) ? nunjucksEscape(text) : text);
  lib.escape = Object.assign(onlyWhenNeeded, { onlyWhenNeeded: true as const });
}
