import { EVALUATION_CONFIG } from "./confusion-spec.js";
import { VEGA_LITE_SCHEMA } from "./history-spec.js";
import type { ClassificationReport } from "./classification.js";
import type { VegaLiteSpec } from "./types.js";

/**
 * Per-class accuracy (the share of each true class predicted right, i.e. recall) as bars, worst classes in orange,
 * with the overall accuracy as a dashed line and each bar's value printed at its end.
 */
export function perClassSpec(report: ClassificationReport, options: { title?: string } = {}): VegaLiteSpec {
  const names = report.classes.map((c) => c.label);
  const rows = report.classes.map((c) => ({
    label: c.label,
    accuracy: c.recall,
    support: c.support,
    text: c.support === 0 ? "no samples" : `${(c.recall * 100).toFixed(1)}%`,
    below: c.recall < report.accuracy,
  }));
  const barHeight = names.length <= 12 ? 20 : Math.max(8, Math.floor(320 / names.length));
  const title = options.title ?? `Accuracy per class (overall ${(report.accuracy * 100).toFixed(1)}%, ${report.support} samples)`;
  const x = { field: "accuracy", type: "quantitative", title: "accuracy (share of the class predicted right)", scale: { domain: [0, 1] }, axis: { format: "%", grid: true, gridOpacity: 0.4, values: [0, 0.2, 0.4, 0.6, 0.8, 1] } };
  const y = { field: "label", type: "ordinal", sort: names, title: "class" };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: title },
    width: 420,
    height: barHeight * names.length,
    layer: [
      {
        data: { values: rows },
        mark: { type: "bar", cornerRadiusEnd: 2 },
        encoding: {
          x,
          y,
          color: {
            field: "below",
            type: "nominal",
            scale: { domain: [true, false], range: ["#f58518", "#4c78a8"] },
            legend: { orient: "bottom", title: null, labelLimit: 300, labelExpr: "datum.label === 'true' ? 'below the overall accuracy (dashed line)' : 'at or above it'" },
          },
          tooltip: [
            { field: "label", type: "nominal", title: "class" },
            { field: "accuracy", type: "quantitative", format: ".2%" },
            { field: "support", type: "quantitative", title: "samples" },
          ],
        },
      },
      {
        data: { values: rows },
        // At the start of the bar, clear of the overall-accuracy line near the bars' ends.
        mark: { type: "text", align: "left", dx: 5, fontSize: 10, color: "white" },
        encoding: { x: { datum: 0, type: "quantitative" }, y, text: { field: "text" } },
      },
      {
        data: { values: [{ accuracy: report.accuracy }] },
        mark: { type: "rule", strokeDash: [4, 3], color: "#333", strokeWidth: 1.5 },
        encoding: { x: { field: "accuracy", type: "quantitative" } },
      },
    ],
    config: EVALUATION_CONFIG,
  };
}
