// report.html: one file that opens from disk with no server and no network. Chart.js (the
// UMD build from node_modules) and the run's data are both inlined; nothing is fetched.
// Text that came from the run is escaped for HTML, and the data is JSON with every <, > and &
// written as \u escapes, so no value can close the <script> it sits in.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Comparison } from "./compare.js";
import { formatRatio, summaryTable } from "./summary-table.js";

export function chartJsSource(): string {
  const main = createRequire(import.meta.url).resolve("chart.js");
  const source = readFileSync(join(dirname(main), "chart.umd.min.js"), "utf8");
  // Inlined as is, so it must not be able to end its own <script> element.
  if (/<\/script|<!--/i.test(source)) throw new Error("chart.umd.min.js cannot be inlined safely");
  return source;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
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
  const { options } = comparison;
  const [a, b] = comparison.settings;
  const title = `${a.label} against ${b.label}: ${options.route}`;
  const switches = comparison.settings
    .map(
      (s) =>
        `<li><b>${s.side}: ${escapeHtml(s.label)}</b>: ${
          s.switchesOn.length > 0 ? escapeHtml(s.switchesOn.join(", ")) : "no switch on"
        }; status codes ${escapeHtml(
          Object.entries(s.statusCodes)
            .map(([code, n]) => `${code} × ${n}`)
            .join(", ") || "none",
        )}; connection errors ${s.errors.connection}, timeouts ${s.errors.timeouts}${
          s.serverExited ? "; <b>the server exited during the run</b>" : ""
        }</li>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fest Lab report: ${escapeHtml(title)}</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 1100px; padding: 0 1rem; color: #1d1d1f; }
  h1 { font-size: 1.35rem; margin-bottom: 0.2rem; }
  .meta { color: #555; margin-top: 0; }
  pre { background: #f5f5f7; padding: 0.8rem; overflow-x: auto; font-size: 13px; }
  .chart { position: relative; height: 340px; margin: 0.5rem 0 1.8rem; }
  .note { color: #555; font-size: 13px; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">GET ${escapeHtml(options.route)} · ${options.connections} connections · ${
    options.durationSeconds
  } s per setting · ${escapeHtml(options.seedSize)} data · Node ${escapeHtml(options.node)} · ${escapeHtml(
    comparison.createdAt,
  )}</p>
<pre>${escapeHtml(summaryTable(comparison))}</pre>
<ul>
${switches}
</ul>
<h2>Latency by percentile</h2>
<p class="note">Every response's latency, errors included, in ms on a logarithmic scale. b/a at p99: ${escapeHtml(
    formatRatio(comparison.ratio.p99),
  )}.</p>
<div class="chart"><canvas id="percentiles" role="img" aria-label="latency by percentile"></canvas></div>
<h2>Throughput over time</h2>
<p class="note">Responses completed in each second of the run.</p>
<div class="chart"><canvas id="throughput" role="img" aria-label="responses per second"></canvas></div>
<h2>Latency over time</h2>
<p class="note">p50 and p99 of the responses that completed in each second, ms, logarithmic scale.</p>
<div class="chart"><canvas id="latency" role="img" aria-label="latency per second"></canvas></div>
<p class="note">Written by <code>npm run lab</code>. The raw figures are in results.json beside this file and inlined below.</p>
<script type="application/json" id="lab-data">${scriptJson(comparison)}</script>
<script>${chartJs}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

// Runs in the browser. Animation is off so the charts are complete as soon as they exist,
// which is also what the rendering test waits for (data-charts-drawn on <body>).
const PAGE_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById("lab-data").textContent);
  var colours = { a: "#d95f02", b: "#1b9e77" };
  var a = data.settings[0], b = data.settings[1];
  function name(s) { return s.side + ": " + s.label; }
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  var logMs = { type: "logarithmic", title: { display: true, text: "ms" } };

  new Chart(document.getElementById("percentiles"), {
    type: "bar",
    data: {
      labels: a.percentiles.map(function (p) { return "p" + p.percentile; }),
      datasets: data.settings.map(function (s) {
        return { label: name(s), backgroundColor: colours[s.side],
          data: s.percentiles.map(function (p) { return p.ms; }) };
      })
    },
    options: { scales: { y: logMs } }
  });

  var seconds = Math.max(a.perSecond.length, b.perSecond.length);
  var labels = [];
  for (var i = 1; i <= seconds; i++) labels.push(i + " s");
  function series(s, key, dash) {
    return { label: name(s) + (key === "requests" ? "" : " " + key.replace("Ms", "")),
      borderColor: colours[s.side], backgroundColor: colours[s.side], borderDash: dash || [],
      data: s.perSecond.map(function (p) { return p[key]; }), spanGaps: true };
  }
  new Chart(document.getElementById("throughput"), {
    type: "line",
    data: { labels: labels, datasets: [series(a, "requests"), series(b, "requests")] },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: "responses" } } } }
  });
  new Chart(document.getElementById("latency"), {
    type: "line",
    data: { labels: labels, datasets: [
      series(a, "p50Ms"), series(a, "p99Ms", [6, 4]), series(b, "p50Ms"), series(b, "p99Ms", [6, 4])
    ] },
    options: { scales: { y: logMs } }
  });
  document.body.setAttribute("data-charts-drawn", "3");
})();
`;
