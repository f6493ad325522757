import type { TrainingEvent } from "../fit/callback.js";

/**
 * A Vega-Lite spec as a plain JSON object. Deliberately not vega-lite's `TopLevelSpec`: tslab type-checks cells with
 * Node10 resolution, where vega-lite's exports-only types would silently turn into `any`.
 */
export type VegaLiteSpec = { [key: string]: unknown };

/** What the chart functions read from a training history: a `History`, or a plain object of the same shape. */
export interface HistoryLike {
  /** Logs key → one value per epoch that had the key (`val_*` may be shorter with `validationFreq`). */
  history: Record<string, number[]>;
  /** 0-based epoch numbers, one per recorded epoch. */
  epoch: number[];
  /** Early stops, checkpoint saves, … to mark on the chart. */
  events?: TrainingEvent[];
}

/** One row of chart data: the epoch (1-based, as Keras prints it) and that epoch's logs. */
export type HistoryRow = { epoch: number } & Record<string, number>;

export interface ChartOptions {
  /** Base metric names to draw, one panel each, e.g. `["loss", "accuracy"]`. Default: every metric in the logs. */
  metrics?: string[];
  /** Log-scale y axis: `true` for every loss-like panel, or the list of panels that want it. */
  logScale?: boolean | string[];
  /** The logs key whose best epoch is marked. Default `val_loss` when present, else `loss`. */
  monitor?: string;
  /** Whether a higher `monitor` is better. Default: decided from its name, as EarlyStopping's `mode: "auto"`. */
  mode?: "auto" | "min" | "max";
  /** Width of each panel in pixels (default 420). */
  width?: number;
  /** Height of each panel in pixels (default 160). */
  height?: number;
  /** A chart title. */
  title?: string;
}
