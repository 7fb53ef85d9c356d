// report.html: views/report.njk, rendered with nunjucks and autoescaped like every page, so
// a label or route from the command line shows as text and cannot add markup. Chart.js (the
// UMD build from node_modules) and the run's data are inlined; nothing is fetched.
import { readFileSync } from "node:fs";
import nunjucks from "nunjucks";
import { chartJsFile } from "../src/live/chart-js.js";
import { viewsDir } from "../src/paths.js";
import type { Comparison } from "./compare.js";
import { summaryTable } from "./compare-table.js";
import { formatRatio } from "./table.js";

export function chartJsSource(): string {
  const source = readFileSync(chartJsFile(), "utf8");
  // Inlined as is, so it must not be able to end its own <script> element.
  if (/<\/script|<!--/i.test(source)) throw new Error("chart.umd.min.js cannot be inlined safely");
  return source;
}

/** JSON that is safe between <script> tags: the parsed value is unchanged. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

export function renderReport(comparison: Comparison, chartJs = chartJsSource()): string {
  const views = new nunjucks.Environment(new nunjucks.FileSystemLoader(viewsDir), {
    autoescape: true,
  });
  const [a, b] = comparison.settings;
  return views.render("report.njk", {
    title: `${a.label} against ${b.label}: ${comparison.options.route}`,
    options: comparison.options,
    createdAt: comparison.createdAt,
    table: summaryTable(comparison),
    settings: comparison.settings.map((setting) => ({
      ...setting,
      statusCodes: Object.entries(setting.statusCodes)
        .map(([code, n]) => `${code} × ${n}`)
        .join(", "),
    })),
    p99Ratio: formatRatio(comparison.ratio.p99),
    dataJson: scriptJson(comparison),
    chartJs,
  });
}
