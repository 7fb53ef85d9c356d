// The nunjucks environment: one layout, everything escaped, templates cached once read.
import nunjucks from "nunjucks";
import { viewsDir } from "./paths.js";

const rupeeFormat = new Intl.NumberFormat("en-IN", { maximumFractionDigits: 0 });
const dateFormat = new Intl.DateTimeFormat("en-IN", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "Asia/Kolkata",
});

/**
 * Intl formatting costs microseconds a call, and an events page formats 160 values that are
 * the same on every request: each distinct value is formatted once and then read from a map.
 * The bound keeps a stream of distinct values (every registration's time) from growing it
 * without end; past it the map starts over, which costs one format per value again.
 */
export function formattedOnce<T, Text = string>(
  format: (value: T) => Text,
  bound = 10_000,
): (value: T) => Text {
  const seen = new Map<T, Text>();
  return (value) => {
    let text = seen.get(value);
    if (text === undefined) {
      if (seen.size >= bound) seen.clear();
      text = format(value);
      seen.set(value, text);
    }
    return text;
  };
}

/**
 * nunjucks's Frame.set splits a variable's name on "." at every call, and a {% for %} sets
 * eight names an item (the item, then loop.index, loop.first and the rest): 640 splits a
 * request on the events page, the largest single cost of its rendering in a profile. The
 * same method, with each name split once and kept.
 */
function setWithoutSplitting(): void {
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
setWithoutSplitting();

export function createViews(): nunjucks.Environment {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader(viewsDir, { noCache: false }),
    {
      autoescape: true,
      throwOnUndefined: false,
    },
  );
  // Each filter keeps its text escaped and marked safe, as nunjucks's own `escape` filter
  // gives it: the page shows the same characters, and autoescape has nothing left to do on
  // every request for a value it already escaped once.
  const escaped = env.getFilter("escape") as (text: string) => nunjucks.runtime.SafeString;
  env.addFilter(
    "rupees",
    formattedOnce((value: number) => escaped(`₹ ${rupeeFormat.format(value)}`)),
  );
  env.addFilter(
    "when",
    formattedOnce((iso: string) => escaped(dateFormat.format(new Date(iso)))),
  );
  return env;
}
