import { tmpdir } from "node:os";
import { join } from "node:path";
import { chartBundle } from "./bundle.js";
import { writeChart } from "./write-chart.js";
import { renderChart } from "./render.js";
import { inTslab, NotebookOutput } from "./tslab.js";
import type { VegaLiteSpec } from "./types.js";

/**
 * Shows any Vega-Lite v5 spec (inline data) the way tslab-fit shows its own charts: interactive chart + PNG + text
 * in a notebook, or a file (default PNG in the temp folder, path printed) elsewhere. `plotRuns` and custom charts
 * go through here.
 */
export async function showChart(spec: VegaLiteSpec, options: { text?: string; path?: string } = {}): Promise<void> {
  if (inTslab()) {
    const chart = await renderChart(spec);
    const shown = new NotebookOutput().show(chartBundle(spec, options.text ?? "(chart)", chart));
    if (options.path) await writeChart(spec, options.path);
    if (shown) return;
  }
  const path = options.path ?? join(tmpdir(), "tslab-fit", `chart-${new Date().toISOString().replace(/[:.]/g, "-")}.png`);
  console.log(`tslab-fit: chart written to ${await writeChart(spec, path)}`);
}
