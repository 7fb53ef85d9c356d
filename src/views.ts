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
export function formattedOnce<T>(
  format: (value: T) => string,
  bound = 10_000,
): (value: T) => string {
  const seen = new Map<T, string>();
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

export function createViews(): nunjucks.Environment {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader(viewsDir, { noCache: false }),
    {
      autoescape: true,
      throwOnUndefined: false,
    },
  );
  env.addFilter(
    "rupees",
    formattedOnce((value: number) => `₹ ${rupeeFormat.format(value)}`),
  );
  env.addFilter(
    "when",
    formattedOnce((iso: string) => dateFormat.format(new Date(iso))),
  );
  return env;
}
