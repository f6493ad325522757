import { VEGA_LITE_SCHEMA } from "./history-spec.js";
import type { VegaLiteSpec } from "./types.js";

export interface ConfusionSpecOptions {
  /** Cell values are rates (row-normalised or as asked), not counts. */
  normalized: boolean;
  title?: string;
  /** Side of one cell in pixels. Default: 40 for up to 10 classes, smaller beyond. */
  cellSize?: number;
}

/** Shared look of the evaluation charts (same fonts and sizes as the history chart). */
export const EVALUATION_CONFIG = {
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal", titleColor: "#333" },
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: "normal" },
  title: { fontSize: 14, anchor: "start", subtitleColor: "#555", subtitleFontSize: 11 },
};

/**
 * A confusion-matrix heatmap: true class down, predicted class across. Correct predictions (the diagonal) are blue
 * on their own scale and outlined; errors are orange on a scale of their own, so a handful of 4→9 mistakes stays
 * visible next to a diagonal of hundreds. Each cell prints its value.
 */
export function confusionSpec(matrix: number[][], names: string[], options: ConfusionSpecOptions): VegaLiteSpec {
  const k = names.length;
  const cell = options.cellSize ?? (k <= 10 ? 40 : Math.max(12, Math.floor(440 / k)));
  const maxOf = (diagonal: boolean) => Math.max(0, ...matrix.flatMap((row, i) => row.filter((_, j) => (i === j) === diagonal)));
  const maxDiagonal = maxOf(true);
  const maxError = maxOf(false);
  const rows = matrix.flatMap((row, i) =>
    row.map((value, j) => {
      const diagonal = i === j;
      const share = value / ((diagonal ? maxDiagonal : maxError) || 1);
      return {
        true: names[i],
        predicted: names[j],
        value,
        diagonal,
        text: cell < 22 ? "" : options.normalized ? formatRate(value) : String(value),
        // Light text only on dark cells; zeros fade out.
        dark: value > 0 && share > 0.55,
        zero: value === 0,
      };
    }),
  );
  const what = options.normalized ? "rate" : "count";
  const tooltip = [
    { field: "true", type: "nominal", title: "true" },
    { field: "predicted", type: "nominal", title: "predicted" },
    { field: "value", type: "quantitative", title: what, format: options.normalized ? ".3f" : "d" },
  ];
  const axisX = { field: "predicted", type: "ordinal", sort: names, title: "Predicted label", axis: { labelAngle: 0, orient: "bottom", domain: false, ticks: false, labelPadding: 6 } };
  const axisY = { field: "true", type: "ordinal", sort: names, title: "True label", axis: { domain: false, ticks: false, labelPadding: 6 } };
  const heat = (diagonal: boolean, scheme: string, title: string, max: number) => ({
    // Empty cells stay on the light background layer: a heatmap of mostly-zero errors is easier to read that way.
    transform: [{ filter: `${diagonal ? "datum.diagonal" : "!datum.diagonal"} && datum.value > 0` }],
    mark: { type: "rect", stroke: "white", strokeWidth: 1 },
    encoding: {
      color: {
        field: "value",
        type: "quantitative",
        title,
        // A fixed zero keeps empty cells white; an all-zero layer still needs a non-empty domain.
        scale: { scheme: { name: scheme, extent: [0.18, 1] }, domain: [0, options.normalized && diagonal ? 1 : max > 0 ? max : 1] },
        // Two legends stack beside the matrix: each gets at most half its height, so they do not run far below it.
        legend: { orient: "right", gradientLength: Math.min(Math.max(60, (cell * k) / 2 - 30), 160), ...(options.normalized ? { format: ".2f" } : { format: "d", ...(max < 5 ? { values: Array.from({ length: Math.max(1, max) + 1 }, (_, i) => i) } : {}) }) },
      },
      tooltip,
    },
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...(options.title ? { title: { text: options.title } } : {}),
    width: cell * k,
    height: cell * k,
    data: { values: rows },
    encoding: { x: axisX, y: axisY },
    layer: [
      { mark: { type: "rect", fill: "#f6f6f6", stroke: "white", strokeWidth: 1 } },
      heat(true, "blues", options.normalized ? "correct (rate)" : "correct", maxDiagonal),
      heat(false, "oranges", options.normalized ? "errors (rate)" : "errors", maxError),
      {
        transform: [{ filter: "datum.diagonal" }],
        mark: { type: "rect", fill: null, stroke: "#08306b", strokeWidth: 1.5 },
      },
      ...[true, false].map((diagonal) => ({
        transform: [{ filter: diagonal ? "datum.diagonal" : "!datum.diagonal" }],
        mark: { type: "text", fontSize: cell >= 36 ? 11 : 9, fontWeight: diagonal ? "bold" : "normal" },
        encoding: {
          text: { field: "text" },
          color: { condition: [{ test: "datum.dark", value: "white" }, { test: "datum.zero", value: "#b0b0b0" }], value: "#222" },
        },
      })),
    ],
    resolve: { scale: { color: "independent" } },
    config: EVALUATION_CONFIG,
  };
}

function formatRate(v: number): string {
  if (v === 0) return "0";
  return v >= 0.995 ? "1" : v.toFixed(2).replace(/^0/, "");
}

/** The text part of the confusion-matrix output: the matrix as an aligned table. */
export function confusionText(matrix: number[][], names: string[], normalized: boolean): string {
  const cells = matrix.map((row) => row.map((v) => (normalized ? v.toFixed(2) : String(v))));
  const width = Math.max(...names.map((n) => n.length), ...cells.flat().map((c) => c.length));
  const lead = Math.max("true\\pred".length, ...names.map((n) => n.length));
  const line = (first: string, rest: string[]) => [first.padEnd(lead), ...rest.map((c) => c.padStart(width))].join(" ");
  return [line("true\\pred", names), ...cells.map((row, i) => line(names[i], row))].join("\n");
}
