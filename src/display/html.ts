import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { compareSpec } from "./compare-spec.js";
import { historySpec } from "./history-spec.js";
import type { ChartOptions, HistoryLike, VegaLiteSpec } from "./types.js";

/**
 * Browser builds inlined into the page, found next to each package's main file (vega-embed's `exports` map hides
 * its subpaths, its main file does not).
 */
const LIBRARIES: [pkg: string, file: string][] = [
  ["vega", "vega.min.js"],
  ["vega-lite", "vega-lite.min.js"],
  ["vega-embed", "vega-embed.min.js"],
];

let scripts: Promise<string[]> | undefined;
function libraryScripts(): Promise<string[]> {
  return (scripts ??= Promise.all(LIBRARIES.map(([pkg, file]) => readFile(join(dirname(require.resolve(pkg)), file), "utf8"))).catch((e) => {
    scripts = undefined;
    throw e;
  }));
}

/** JSON safe inside a `<script>`: `<` escaped so a `</script>` in a string cannot end the tag. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] as string);
}

/**
 * A standalone page showing Vega-Lite charts with vega-embed, vega, vega-lite and vega-embed inlined (≈ 800 kB), so
 * it opens offline, from disk or as an e-mail attachment. Each entry gets a heading and its own chart.
 */
export async function chartsPage(title: string, charts: { heading?: string; spec: VegaLiteSpec }[]): Promise<string> {
  const libs = await libraryScripts();
  const blocks = charts
    .map((c, i) => `${c.heading ? `<h2>${escapeHtml(c.heading)}</h2>\n` : ""}<div class="chart" id="chart-${i}"></div>`)
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, "DejaVu Sans", Arial, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
.chart { margin: 8px 0 24px; }
.error { color: #b00020; white-space: pre-wrap; }
</style>
${libs.map((s) => `<script>${s.replace(/<\/script/gi, "<\\/script")}</script>`).join("\n")}
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${blocks}
<script>
const specs = ${scriptJson(charts.map((c) => c.spec))};
window.tslabFitViews = [];
window.tslabFitReady = Promise.all(specs.map((spec, i) =>
  vegaEmbed("#chart-" + i, spec, { renderer: "svg", actions: { export: true, source: false, compiled: false, editor: false } })
    .then((result) => { window.tslabFitViews[i] = result.view; })
    .catch((error) => {
      const el = document.getElementById("chart-" + i);
      el.className = "chart error";
      el.textContent = String(error);
      throw error;
    })));
</script>
</body>
</html>
`;
}

/** A history as a standalone offline HTML page; returns the path written. */
export async function historyToHTML(history: HistoryLike, path: string, options: ChartOptions = {}): Promise<string> {
  const page = await chartsPage(options.title ?? "Training history", [{ spec: historySpec(history, { ...options, title: undefined }) }]);
  await writeFileAtomic(path, page);
  return path;
}

/**
 * Several runs on one page, e.g. `{ "lr=1e-3": history1, "lr=1e-2": history2 }`: first one chart comparing them
 * (colour = run), then each run's own chart with its best epoch and events.
 */
export async function runsToHTML(
  runs: Record<string, HistoryLike>,
  path: string,
  options: ChartOptions = {},
): Promise<string> {
  const { monitor: _m, mode: _d, ...shared } = options;
  const charts = [
    { heading: "Comparison", spec: compareSpec(runs, { ...shared, title: undefined }) },
    ...Object.entries(runs).map(([name, h]) => ({ heading: name, spec: historySpec(h, { ...options, title: undefined }) })),
  ];
  const page = await chartsPage(options.title ?? "Training runs", charts);
  await writeFileAtomic(path, page);
  return path;
}
