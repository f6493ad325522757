import { compareSpec } from "./compare-spec.js";
import { formatValue, historySpec } from "./history-spec.js";
import { historyRows } from "./rows.js";
import { summaryText } from "./summary.js";
import { showChart } from "./show.js";
import type { ChartOptions, HistoryLike } from "./types.js";

export interface PlotOptions extends ChartOptions {
  /**
   * Also write the chart to this file; the extension picks the format: `.png`, `.svg`, `.html` (standalone,
   * offline) or `.json` (the Vega-Lite spec). Outside a notebook, where nothing can be shown inline, a PNG goes to the
   * temp folder when no path is given.
   */
  path?: string;
}

/**
 * Draws a training history: inline in a notebook, tslab or Deno (interactive Vega-Lite chart plus a PNG for static
 * viewers), or as a file in plain Node, whose path is printed. `await` it so the chart lands in this cell.
 *
 * @example
 * const history = await fit(model, x, y, { epochs: 10, validationSplit: 0.2 });
 * await plotHistory(history, { metrics: ["accuracy"] });
 */
export async function plotHistory(history: HistoryLike, options: PlotOptions = {}): Promise<void> {
  await showChart(historySpec(history, options), {
    text: summaryText(historyRows(history)),
    path: options.path,
    title: options.title,
    name: "history",
  });
}

/**
 * Draws several fits in one chart (a panel per metric, a colour per run), inline in a notebook or as a file elsewhere.
 *
 * @example
 * await plotComparison({ "adam": h1, "sgd": h2 }, { metrics: ["val_accuracy"] });
 */
export async function plotComparison(runs: Record<string, HistoryLike>, options: Omit<PlotOptions, "monitor" | "mode"> = {}): Promise<void> {
  const spec = compareSpec(runs, options);
  const lines = Object.entries(runs).map(([name, h]) => {
    const last = historyRows(h).at(-1);
    const values = last ? Object.entries(last).filter(([k]) => k !== "epoch").map(([k, v]) => `${k} ${formatValue(v)}`) : [];
    return `${name}: ${last ? `epoch ${last.epoch}, ${values.join(", ")}` : "no epochs"}`;
  });
  await showChart(spec, { text: lines.join("\n"), path: options.path });
}
