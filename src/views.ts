// The nunjucks environment: one layout, everything escaped, templates cached once read.
import nunjucks from "nunjucks";
import { viewsDir } from "./paths.js";

const rupeeFormat = new Intl.NumberFormat("en-IN", { maximumFractionDigits: 0 });
const dateFormat = new Intl.DateTimeFormat("en-IN", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "Asia/Kolkata",
});

export function createViews(): nunjucks.Environment {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader(viewsDir, { noCache: false }),
    {
      autoescape: true,
      throwOnUndefined: false,
    },
  );
  env.addFilter("rupees", (value: number) => `₹ ${rupeeFormat.format(value)}`);
  env.addFilter("when", (iso: string) => dateFormat.format(new Date(iso)));
  return env;
}
