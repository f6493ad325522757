import { chartBundle } from "./bundle.js";
import { checkChartPath, tempChartPath, writeChart } from "./write-chart.js";
import { renderChart } from "./render.js";
import { inNotebook, NotebookOutput, outputsDelivered } from "./notebook.js";
import type { VegaLiteSpec } from "./types.js";

/**
 * Shows any Vega-Lite v5 spec (inline data) the way tslab-fit shows its own charts: interactive chart + PNG + text
 * in a notebook, or a file (default PNG in the temp folder, path printed) elsewhere. `plotRuns` and custom charts
 * go through here.
 */
export async function showChart(
  spec: VegaLiteSpec,
  options: { text?: string; path?: string; title?: string; name?: string } = {},
): Promise<void> {
  if (options.path !== undefined) checkChartPath(options.path);
  if (inNotebook()) {
    const chart = await renderChart(spec);
    const shown = new NotebookOutput().show(chartBundle(spec, options.text ?? "(chart)", chart));
    if (options.path) await writeChart(spec, options.path, options.title);
    if (shown) return outputsDelivered();
    // A notebook detected but its display could not be reached: a file is better than nothing.
  }
  const path = options.path ?? tempChartPath(options.name ?? "chart");
  console.log(`tslab-fit: chart written to ${await writeChart(spec, path, options.title)}`);
}
