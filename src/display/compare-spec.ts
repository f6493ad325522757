import { epochAxis, VEGA_LITE_SCHEMA } from "./history-spec.js";
import { baseMetrics, isUnitInterval } from "./metrics.js";
import { historyRows } from "./rows.js";
import type { ChartOptions, HistoryLike, HistoryRow, VegaLiteSpec } from "./types.js";

/** Tableau 10, the palette Vega uses for nominal colours; fixed so a run keeps its colour in every panel. */
const RUN_COLOURS = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac"];

/**
 * One chart comparing several fits: a panel per metric, one colour per run, training solid and validation dashed.
 *
 * @example
 * const spec = compareSpec({ "lr=1e-3": history1, "lr=1e-2": history2 }, { metrics: ["val_loss"] });
 */
export function compareSpec(runs: Record<string, HistoryLike>, options: Omit<ChartOptions, "monitor" | "mode"> = {}): VegaLiteSpec {
  const names = Object.keys(runs);
  const rowsByRun = names.map((run) => historyRows(runs[run]));
  const all: HistoryRow[] = rowsByRun.flat();
  const metrics = options.metrics ?? baseMetrics(all);
  const keys = [...new Set(all.flatMap((row) => Object.keys(row)).filter((k) => k !== "epoch"))];
  for (const metric of metrics) {
    if (!keys.includes(metric) && !keys.includes(`val_${metric}`)) {
      throw new Error(`metrics: "${metric}" is in no run's history; the runs have ${keys.join(", ") || "no metrics"}`);
    }
  }
  // Long rows {run, epoch, series, split, value}: one per point, so colour and dash need no transforms.
  const points: Record<string, unknown>[] = [];
  names.forEach((run, i) => {
    for (const row of rowsByRun[i]) {
      for (const [series, value] of Object.entries(row)) {
        if (series === "epoch" || !Number.isFinite(value)) continue;
        const base = series.startsWith("val_") ? series.slice(4) : series;
        points.push({ run, epoch: row.epoch, metric: base, series, split: series === base ? "train" : "validation", value });
      }
    }
  });
  const width = options.width ?? 420;
  const height = options.height ?? 160;
  const logs = (m: string) => (Array.isArray(options.logScale) ? options.logScale.includes(m) : options.logScale === true && !isUnitInterval(m, all));
  const panels = metrics.map((metric) => ({
    title: { text: metric, anchor: "start", fontSize: 12 },
    width,
    height,
    // "loss" draws loss and val_loss; "val_loss" names one series and draws only it.
    transform: [{ filter: `datum.${metric.startsWith("val_") ? "series" : "metric"} === ${JSON.stringify(metric)}${logs(metric) ? " && datum.value > 0" : ""}` }],
    mark: { type: "line", strokeWidth: 2, point: all.length / Math.max(1, names.length) <= 150 ? { size: 18, filled: true } : false },
    encoding: {
      x: { field: "epoch", type: "quantitative", title: "epoch", scale: { nice: false, zero: false }, axis: epochAxis(all.map((r) => r.epoch)) },
      y: {
        field: "value",
        type: "quantitative",
        title: null,
        scale: logs(metric) ? { type: "log", nice: false } : isUnitInterval(metric, all) ? { zero: false, domainMax: 1 } : { zero: false },
        axis: logs(metric) ? { format: "~g", labelOverlap: "greedy", tickCount: 6 } : {},
      },
      color: {
        field: "run",
        type: "nominal",
        title: "run",
        scale: { domain: names, range: names.map((_, i) => RUN_COLOURS[i % RUN_COLOURS.length]) },
        legend: { orient: "top", direction: "horizontal", symbolType: "stroke", symbolStrokeWidth: 2.5 },
      },
      strokeDash: {
        field: "split",
        type: "nominal",
        title: null,
        scale: { domain: ["train", "validation"], range: [[1, 0], [5, 3]] },
        // A dash-only legend has no colour of its own: draw its symbols in gray, or they are invisible.
        legend: {
          orient: "top",
          direction: "horizontal",
          symbolType: "stroke",
          symbolStrokeWidth: 2.5,
          encode: { symbols: { update: { stroke: { value: "#666666" } } } },
        },
      },
      detail: { field: "series", type: "nominal" },
      tooltip: [
        { field: "run", type: "nominal", title: "run" },
        { field: "epoch", type: "quantitative", title: "epoch", format: "d" },
        { field: "series", type: "nominal", title: "metric" },
        { field: "value", type: "quantitative", title: "value", format: ".4f" },
      ],
    },
  }));
  const spec: VegaLiteSpec = {
    $schema: VEGA_LITE_SCHEMA,
    autosize: { type: "pad", resize: true },
    datasets: { runs: points },
    data: { name: "runs" },
    vconcat: panels.length > 0 ? panels : [{ width, height, data: { values: [{}] }, mark: { type: "text", text: "no metrics" } }],
    resolve: { scale: { color: "shared", strokeDash: "shared" } },
    config: { view: { stroke: null }, axis: { grid: true, gridOpacity: 0.4, labelFontSize: 11, titleFontSize: 11 }, legend: { labelFontSize: 11 } },
  };
  if (options.title) spec.title = { text: options.title, anchor: "start" };
  return spec;
}
