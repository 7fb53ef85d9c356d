// Where Chart.js's browser build is: the one charting library of the project, inlined into
// npm run lab's report.html (measure/report.ts) and served to the live view (src/live/routes.ts).
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The UMD build in node_modules, which a page loads with a plain <script>. */
export function chartJsFile(): string {
  const main = createRequire(import.meta.url).resolve("chart.js");
  return join(dirname(main), "chart.umd.min.js");
}
