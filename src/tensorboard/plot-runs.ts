// Compare runs inline: every scalar of every run under a log folder, as chart rows and one Vega-Lite spec (one
// panel per tag, one colour per run), read with this library's own reader.
import { VEGA_LITE_SCHEMA } from "../display/history-spec.js";
import { showChart } from "../display/show.js";
import { inNotebook } from "../display/notebook.js";
import { readRuns } from "./reader.js";

export interface RunRow {
  run: string;
  tag: string;
  step: number;
  value: number;
}

export interface PlotRunsOptions {
  /** Scalar tags to show, e.g. `["epoch_loss", "epoch_accuracy"]`. Default: every scalar tag. */
  tags?: string[];
  /** Runs to show (paths relative to the log folder, e.g. "run-1/validation"). Default: every run. */
  runs?: string[];
  /** Panels per row. Default 2. */
  columns?: number;
  /** Panel size in pixels. Default 320×180. */
  width?: number;
  height?: number;
  /** Draw the chart: inline in a notebook (tslab or Deno), or as a file elsewhere. Default: true in a notebook, else false. */
  show?: boolean;
  /** Also write the chart here (`.png`, `.svg`, `.html` or `.json`); implies `show` outside a notebook. */
  path?: string;
}

export interface PlotRunsResult {
  rows: RunRow[];
  /** A self-contained Vega-Lite v5 spec of the rows (data inline). */
  spec: Record<string, unknown>;
}

/**
 * Reads every run under `logDir` and returns its scalars as rows `{run, tag, step, value}` plus one Vega-Lite chart
 * comparing the runs (one panel per tag, one colour per run), drawn inline in a notebook. Rows are ordered by run,
 * tag and step.
 *
 * @example
 * const { rows, spec } = await plotRuns("logs/fit", { tags: ["epoch_loss"] });
 */
export async function plotRuns(logDir: string, options: PlotRunsOptions = {}): Promise<PlotRunsResult> {
  if (typeof logDir !== "string" || logDir === "") throw new Error("plotRuns: logDir must be a folder path");
  const runFilter = options.runs ? new Set(options.runs) : undefined;
  // A restarted run as TensorBoard's default (Rust) loader shows it: a tag's newer point drops its older points at
  // the same and later steps.
  const records = readRuns(logDir, { tags: options.tags, kinds: ["scalar"], onCorrupt: "stop", loader: "rust" });
  const rows: RunRow[] = [];
  for (const r of records) {
    if (r.kind === "scalar" && (!runFilter || runFilter.has(r.run))) rows.push({ run: r.run, tag: r.tag, step: r.step, value: r.value });
  }
  rows.sort(
    (a, b) => cmp(a.run, b.run) || cmp(a.tag, b.tag) || a.step - b.step,
  );
  if (options.tags) {
    const found = new Set(rows.map((r) => r.tag));
    const missing = options.tags.filter((t) => !found.has(t));
    if (missing.length > 0 && rows.length === 0) {
      throw new Error(`plotRuns: no scalars for ${missing.map((t) => JSON.stringify(t)).join(", ")} under ${logDir}`);
    }
  }
  const spec = runsSpec(rows, options);
  if (options.show ?? (inNotebook() || options.path !== undefined)) {
    // A user counts trainings: `<experiment>/train` and `<experiment>/validation` are one run.
    const runs = new Set(rows.map((r) => splitRun(r.run).experiment)).size;
    const tags = new Set(rows.map((r) => r.tag)).size;
    const n = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
    const text = `${n(runs, "run")}, ${n(tags, "tag")}, ${n(rows.length, "point")} from ${logDir}`;
    await showChart(spec, { text, path: options.path });
  }
  return { rows, spec };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Keras's layout puts `<experiment>/train` and `<experiment>/validation` side by side: colour by experiment, dash by split. */
function splitRun(run: string): { experiment: string; split: string } {
  const m = /^(?:(.*)\/)?(train|validation)$/.exec(run);
  return m ? { experiment: m[1] ?? ".", split: m[2] } : { experiment: run, split: "" };
}

function runsSpec(rows: RunRow[], options: PlotRunsOptions): Record<string, unknown> {
  const tags = [...new Set(rows.map((r) => r.tag))];
  const values = rows.map((r) => ({ ...r, ...splitRun(r.run) }));
  const splits = new Set(values.map((v) => v.split));
  const experiments = new Set(values.map((v) => v.experiment));
  // Dashes for train vs validation only when they add information beyond the colour.
  const useDash = splits.has("validation") && splits.has("train") && experiments.size < values.length;
  // Few epochs: tick exactly at the steps (automatic ticks would land on 0.5, 1.5, …).
  const steps = [...new Set(rows.map((r) => r.step))].sort((a, b) => a - b);
  const axis = steps.length <= 12 ? { values: steps, format: "d" } : { tickMinStep: 1 };
  return {
    $schema: VEGA_LITE_SCHEMA,
    data: { values },
    facet: { field: "tag", type: "nominal", title: null, sort: tags },
    columns: options.columns ?? 2,
    spec: {
      width: options.width ?? 320,
      height: options.height ?? 180,
      mark: { type: "line", point: rows.length <= 400, tooltip: true },
      encoding: {
        x: { field: "step", type: "quantitative", title: "step", axis },
        y: { field: "value", type: "quantitative", scale: { zero: false }, title: null },
        color: useDash
          ? { field: "experiment", type: "nominal", title: "run" }
          : { field: "run", type: "nominal", title: "run" },
        ...(useDash
          ? {
              strokeDash: { field: "split", type: "nominal", title: null, sort: ["train", "validation"], legend: { symbolOpacity: 0, labelExpr: "datum.label === 'validation' ? 'validation (dashed)' : datum.label + ' (solid)'" } },
              detail: { field: "run" },
            }
          : {}),
        tooltip: [
          { field: "run", type: "nominal" },
          { field: "tag", type: "nominal" },
          { field: "step", type: "quantitative" },
          { field: "value", type: "quantitative", format: ".4~g" },
        ],
      },
    },
    resolve: { scale: { y: "independent" } },
  };
}
