import type { TrainingEvent } from "../fit/callback.js";
import { baseMetrics, bestRow, betterDirection, defaultMonitor, isUnitInterval } from "./metrics.js";
import { historyRows } from "./rows.js";
import type { ChartOptions, HistoryLike, HistoryRow, VegaLiteSpec } from "./types.js";

export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

const TRAIN = "#4c78a8";
const VALIDATION = "#f58518";
const BATCH = "#9ecae9";
const BEST = "#54a24b";
const STOP = "#e45756";
const CHECKPOINT = "#b279a2";
/** Past this many epochs, point marks clutter the lines and slow rendering down. */
const MAX_EPOCHS_WITH_POINTS = 150;

/** Everything one chart shows; `batches` is LivePlot's smoothed per-batch curve, x in fractional epochs. */
export interface ChartData {
  rows: HistoryRow[];
  events?: TrainingEvent[];
  batches?: HistoryRow[];
}

/** A chart mark: best epoch, early stop, checkpoint save, interrupt. Epochs 1-based, as on the x axis. */
interface MarkRow {
  epoch: number;
  kind: string;
  label: string;
  [key: string]: unknown;
}

/**
 * The Vega-Lite spec of a training history: one panel per metric, train vs validation by colour and dash, a shared
 * legend, tooltips, the best epoch of the monitored metric and the fit's events marked. Data is inline, so the spec
 * stands alone (in a notebook, a file, an HTML page).
 *
 * @example
 * const spec = historySpec(history, { metrics: ["loss", "accuracy"], logScale: true });
 */
export function historySpec(history: HistoryLike, options: ChartOptions = {}): VegaLiteSpec {
  return chartSpec({ rows: historyRows(history), events: history.events }, options);
}

/** The spec for rows already built (LivePlot keeps its own rows and batch curve). */
export function chartSpec(data: ChartData, options: ChartOptions = {}): VegaLiteSpec {
  const rows = data.rows;
  const batches = data.batches ?? [];
  const metrics = options.metrics ?? baseMetrics(rows);
  const monitor = options.monitor ?? defaultMonitor(rows);
  const direction = monitor ? betterDirection(monitor, options.mode) : "min";
  const best = monitor ? bestRow(rows, monitor, direction) : undefined;
  const marks = markRows(data.events ?? [], best, monitor);
  const width = options.width ?? 420;
  const height = options.height ?? 160;
  const points = rows.length <= MAX_EPOCHS_WITH_POINTS;
  const splits = batches.length > 0 ? ["train", "validation", "train (batches)"] : ["train", "validation"];

  const panels = metrics.map((metric, i) =>
    panelSpec({ metric, index: i, rows, batches, width, height, points, splits, marks, logScale: wantsLog(metric, options.logScale) }),
  );
  const spec: VegaLiteSpec = {
    $schema: VEGA_LITE_SCHEMA,
    autosize: { type: "pad", resize: true },
    datasets: { history: rows, marks, batches },
    data: { name: "history" },
    vconcat: panels.length > 0 ? panels : [emptyPanel(width, height)],
    resolve: { scale: { color: "shared", strokeDash: "shared" } },
    config: {
      view: { stroke: null },
      axis: { grid: true, gridOpacity: 0.4, labelFontSize: 11, titleFontSize: 11 },
      legend: { labelFontSize: 11 },
      title: { subtitleColor: "#555", subtitleFontSize: 11 },
    },
  };
  const subtitle = marksSubtitle(marks, monitor);
  if (options.title) {
    spec.title = { text: options.title, ...(subtitle ? { subtitle } : {}), anchor: "start" };
  } else if (subtitle) {
    // Vega drops a subtitle whose title is empty, so the legend line becomes the (plain) title itself.
    spec.title = { text: subtitle, anchor: "start", fontSize: 11, fontWeight: "normal", color: "#555555" };
  }
  return spec;
}

interface PanelArgs {
  metric: string;
  index: number;
  rows: HistoryRow[];
  batches: HistoryRow[];
  width: number;
  height: number;
  points: boolean;
  splits: string[];
  logScale: boolean;
  marks: MarkRow[];
}

function panelSpec(a: PanelArgs): VegaLiteSpec {
  const { metric } = a;
  const val = `val_${metric}`;
  const series = [metric, val].filter((k) => a.rows.some((r) => Number.isFinite(r[k])));
  const folded = series.length > 0 ? series : [metric];
  const unit = !a.logScale && isUnitInterval(metric, a.rows);
  // Accuracy-like panels end at 1 but start near the data: [0, 1] would flatten 0.93 vs 0.98 into one line.
  let yScale: Record<string, unknown> = a.logScale ? { type: "log", nice: false } : unit ? { zero: false, domainMax: 1 } : { zero: false };
  // Before the first epoch there is nothing to take extents from (Vega would warn); give the axes a frame.
  if (series.length === 0) yScale = a.logScale ? { type: "log", domain: [0.1, 1] } : { domain: [0, 1] };
  const positive = a.logScale ? " && datum.value > 0" : "";
  const hover = `hover_${a.index}`;
  // Log axes label every minor tick by default and then drop labels where they collide (often "1").
  const yAxis = a.logScale ? { format: "~g", labelOverlap: "greedy", tickCount: 6 } : {};
  const y = { field: "value", type: "quantitative", title: null, scale: yScale, axis: yAxis };
  const splitScale = { domain: a.splits, range: [TRAIN, VALIDATION, BATCH].slice(0, a.splits.length) };
  const dashScale = { domain: a.splits, range: [[1, 0], [5, 3], [1, 0]].slice(0, a.splits.length) };
  const color = {
    field: "split",
    type: "nominal",
    title: null,
    scale: splitScale,
    legend: { orient: "top", direction: "horizontal", symbolType: "stroke", symbolStrokeWidth: 2.5 },
  };
  const strokeDash = { field: "split", type: "nominal", title: null, scale: dashScale, legend: color.legend };
  const layers: VegaLiteSpec[] = [];

  if (a.batches.some((r) => Number.isFinite(r[metric]))) {
    layers.push({
      data: { name: "batches" },
      transform: [
        { calculate: `datum[${JSON.stringify(metric)}]`, as: "value" },
        { filter: `isValid(datum.value) && isFinite(datum.value)${positive}` },
        { calculate: "'train (batches)'", as: "split" },
      ],
      mark: { type: "line", strokeWidth: 1, opacity: 0.8, interpolate: "monotone", clip: true },
      encoding: { y, color, strokeDash },
    });
  }
  layers.push({
    transform: [
      { fold: folded.map(fieldName), as: ["series", "value"] },
      { filter: `isValid(datum.value) && isFinite(datum.value)${positive}` },
      { calculate: "indexof(datum.series, 'val_') === 0 ? 'validation' : 'train'", as: "split" },
    ],
    mark: { type: "line", strokeWidth: 2, point: a.points ? { size: 22, filled: true } : false },
    encoding: {
      y,
      color,
      strokeDash,
      tooltip: [
        { field: "epoch", type: "quantitative", title: "epoch", format: "d" },
        { field: "series", type: "nominal", title: "metric" },
        { field: "value", type: "quantitative", title: "value", format: ".4f" },
      ],
    },
  });
  // An invisible rule per epoch that shows up on hover, with train and validation side by side in its tooltip.
  layers.push({
    mark: { type: "rule", color: "gray", strokeWidth: 1 },
    params: [{ name: hover, select: { type: "point", fields: ["epoch"], nearest: true, on: "mouseover", clear: "mouseout" } }],
    encoding: {
      opacity: { condition: { param: hover, empty: false, value: 0.5 }, value: 0 },
      tooltip: [
        { field: "epoch", type: "quantitative", title: "epoch", format: "d" },
        ...folded.map((k) => ({ field: fieldName(k), type: "quantitative", title: k, format: ".4f" })),
      ],
    },
  });
  layers.push(...markLayers(a.marks, a.index === 0));

  return {
    title: { text: metric, anchor: "start", fontSize: 12 },
    width: a.width,
    height: a.height,
    encoding: {
      x: {
        field: "epoch",
        type: "quantitative",
        title: "epoch",
        scale: a.rows.length === 0 ? { domain: [1, 2] } : { nice: false, zero: false },
        axis: epochAxis(a.rows.map((r) => r.epoch)),
      },
    },
    layer: layers,
  };
}

/**
 * Vertical rules for the best epoch and early stop, triangles on top for checkpoint saves; labels on panel 0.
 * Only kinds that occur get a layer: an empty layer makes Vega warn about an infinite extent at runtime.
 */
function markLayers(marks: MarkRow[], withLabels: boolean): VegaLiteSpec[] {
  const has = (kind: string) => marks.some((m) => m.kind === kind);
  const ruleTooltip = [
    { field: "label", type: "nominal", title: "mark" },
    { field: "epoch", type: "quantitative", title: "epoch", format: "d" },
  ];
  const rule = (kind: string, color: string, dash: number[]) => ({
    data: { name: "marks" },
    transform: [{ filter: `datum.kind === '${kind}'` }],
    mark: { type: "rule", color, strokeDash: dash, strokeWidth: 1.5 },
    encoding: { x: { field: "epoch", type: "quantitative" }, tooltip: ruleTooltip },
  });
  const layers: VegaLiteSpec[] = [];
  if (has("best")) layers.push(rule("best", BEST, [3, 3]));
  if (has("early_stopping")) layers.push(rule("early_stopping", STOP, [6, 3]));
  if (has("interrupted")) layers.push(rule("interrupted", "#888888", [2, 2]));
  if (has("checkpoint")) {
    layers.push({
      data: { name: "marks" },
      transform: [{ filter: "datum.kind === 'checkpoint'" }],
      mark: { type: "point", shape: "triangle-down", filled: true, size: 60, color: CHECKPOINT, opacity: 0.9 },
      encoding: {
        x: { field: "epoch", type: "quantitative" },
        y: { value: 0 },
        tooltip: [...ruleTooltip, { field: "path", type: "nominal", title: "path" }],
      },
    });
  }
  if (withLabels && (has("best") || has("early_stopping"))) {
    layers.push({
      data: { name: "marks" },
      transform: [{ filter: "datum.kind === 'best' || datum.kind === 'early_stopping'" }],
      mark: { type: "text", align: "left", baseline: "top", dx: 3, dy: 8, fontSize: 10 },
      encoding: {
        x: { field: "epoch", type: "quantitative" },
        y: { value: 0 },
        text: { field: "short", type: "nominal" },
        color: { value: "#333333" },
      },
    });
  }
  return layers;
}

function markRows(events: TrainingEvent[], best: HistoryRow | undefined, monitor: string | undefined): MarkRow[] {
  const marks: MarkRow[] = [];
  if (best && monitor) {
    const v = best[monitor];
    marks.push({ epoch: best.epoch, kind: "best", short: "best", label: `best ${monitor} = ${formatValue(v)}`, value: v });
  }
  for (const e of events) {
    if (e.kind !== "early_stopping" && e.kind !== "checkpoint" && e.kind !== "interrupted") continue;
    const short = e.kind === "early_stopping" ? "stop" : e.kind === "checkpoint" ? "saved" : "interrupted";
    marks.push({ epoch: e.epoch + 1, kind: e.kind, short, label: e.message || short, path: e.path ?? "" });
  }
  return marks;
}

/** One line under the title saying what the marks mean, so the static PNG explains itself. */
function marksSubtitle(marks: MarkRow[], monitor: string | undefined): string {
  const parts: string[] = [];
  const best = marks.find((m) => m.kind === "best");
  if (best && monitor) parts.push(`green: best epoch ${best.epoch} (${monitor} ${formatValue(best.value as number)})`);
  const stop = marks.find((m) => m.kind === "early_stopping");
  if (stop) parts.push(`red: early stop after epoch ${stop.epoch}`);
  const saves = marks.filter((m) => m.kind === "checkpoint").length;
  if (saves > 0) parts.push(`▼ checkpoint saved (${saves}×)`);
  if (marks.some((m) => m.kind === "interrupted")) parts.push("gray: interrupted");
  return parts.join(" · ");
}

function emptyPanel(width: number, height: number): VegaLiteSpec {
  return {
    width,
    height,
    data: { values: [{}] },
    mark: { type: "text", text: "no metrics recorded yet", color: "#888888" },
  };
}

function wantsLog(metric: string, logScale: ChartOptions["logScale"]): boolean {
  if (Array.isArray(logScale)) return logScale.includes(metric);
  return logScale === true && betterDirection(metric) === "min";
}

/** Escape a logs key for a Vega-Lite field reference, where `.` and `[]` mean nesting. */
export function fieldName(key: string): string {
  return key.replace(/[.[\]\\]/g, (c) => `\\${c}`);
}

export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toFixed(4);
}

/**
 * The epoch axis: whole numbers only. Vega's tickMinStep does not stop ticks at 1.5 on a short axis (they print as
 * "1 2 2 3"), so up to 25 epochs every tick is listed.
 */
export function epochAxis(epochs: number[]): Record<string, unknown> {
  const axis: Record<string, unknown> = { tickMinStep: 1, format: "d" };
  if (epochs.length === 0) return axis;
  const first = Math.floor(Math.min(...epochs));
  const last = Math.ceil(Math.max(...epochs));
  if (last - first <= 25) axis.values = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  return axis;
}
