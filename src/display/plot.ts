import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { chartBundle } from "./bundle.js";
import { historySpec } from "./history-spec.js";
import { chartsPage } from "./html.js";
import { renderChart, renderSvg } from "./render.js";
import { historyRows } from "./rows.js";
import { summaryText } from "./summary.js";
import { inTslab, NotebookOutput } from "./tslab.js";
import type { ChartOptions, HistoryLike, VegaLiteSpec } from "./types.js";

export interface PlotOptions extends ChartOptions {
  /**
   * Also write the chart to this file; the extension picks the format: `.png`, `.svg`, `.html` (standalone,
   * offline) or `.json` (the Vega-Lite spec). Outside tslab, where nothing can be shown inline, a PNG goes to the
   * temp folder when no path is given.
   */
  path?: string;
}

/**
 * Draws a training history: inline in a tslab notebook (interactive Vega-Lite chart plus a PNG for static
 * viewers), or as a file in plain Node, whose path is printed. `await` it so the chart lands in this cell.
 *
 * @example
 * const history = await fit(model, x, y, { epochs: 10, validationSplit: 0.2 });
 * await plotHistory(history, { metrics: ["accuracy"] });
 */
export async function plotHistory(history: HistoryLike, options: PlotOptions = {}): Promise<void> {
  const spec = historySpec(history, options);
  const rows = historyRows(history);
  if (inTslab()) {
    const chart = await renderChart(spec);
    new NotebookOutput().show(chartBundle(spec, summaryText(rows), chart));
    if (options.path) await writeChart(spec, options.path);
    return;
  }
  const path = options.path ?? join(tmpdir(), "tslab-fit", `history-${timestamp()}.png`);
  const written = await writeChart(spec, path, options.title);
  console.log(`tslab-fit: chart written to ${written}`);
}

/** Writes a spec in the format its extension names; returns the absolute path. */
export async function writeChart(spec: VegaLiteSpec, path: string, title = "Training history"): Promise<string> {
  const ext = extname(path).toLowerCase();
  const full = resolve(path);
  if (ext === ".png") await writeFileAtomic(full, (await renderChart(spec)).png);
  else if (ext === ".svg") await writeFileAtomic(full, (await renderSvg(spec)).svg);
  else if (ext === ".html" || ext === ".htm") await writeFileAtomic(full, await chartsPage(title, [{ spec }]));
  else if (ext === ".json") await writeFileAtomic(full, JSON.stringify(spec, null, 2));
  else throw new Error(`path must end in .png, .svg, .html or .json, got ${JSON.stringify(path)}`);
  return full;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, "-");
}
