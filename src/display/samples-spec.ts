import { EVALUATION_CONFIG } from "./confusion-spec.js";
import { VEGA_LITE_SCHEMA } from "./history-spec.js";
import type { VegaLiteSpec } from "./types.js";

/** One picture of the grid: a PNG data URL, and what to write under it. */
export interface SampleTile {
  url: string;
  /** Index of the sample in the input. */
  index: number;
  truth?: string;
  prediction?: string;
}

export interface SamplesLayout {
  /** Drawn size of each image in pixels. */
  imageSize: number;
  columns: number;
  title?: string;
}

/**
 * A grid of images with their labels: "7" (truth only), "pred 7" (prediction only), "7 → 7" in dark grey when
 * right, "4 → 9" in red with a red frame when wrong. Images are PNG data URLs on a pixel grid (no scales), so the
 * Vega-Lite chart and its PNG look the same.
 */
export function samplesSpec(tiles: SampleTile[], layout: SamplesLayout): VegaLiteSpec {
  const { imageSize, columns } = layout;
  const hasText = tiles.some((t) => t.truth !== undefined || t.prediction !== undefined);
  const cellW = imageSize + 12;
  const cellH = imageSize + (hasText ? 30 : 10);
  const rows = tiles.map((t, i) => {
    const col = i % columns;
    const row = Math.floor(i / columns);
    const wrong = t.truth !== undefined && t.prediction !== undefined && t.truth !== t.prediction;
    const caption =
      t.truth !== undefined && t.prediction !== undefined ? `${t.truth} → ${t.prediction}` : t.truth ?? (t.prediction !== undefined ? `pred ${t.prediction}` : "");
    return {
      url: t.url,
      index: t.index,
      truth: t.truth ?? "",
      prediction: t.prediction ?? "",
      caption,
      wrong,
      cx: col * cellW + cellW / 2,
      cy: row * cellH + 5 + imageSize / 2,
      ty: row * cellH + imageSize + 20,
    };
  });
  const gridRows = Math.max(1, Math.ceil(tiles.length / columns));
  const px = (field: string) => ({ field, type: "quantitative", scale: null, axis: null });
  const tooltip = [
    { field: "index", type: "quantitative", title: "sample" },
    ...(tiles.some((t) => t.truth !== undefined) ? [{ field: "truth", type: "nominal", title: "true" }] : []),
    ...(tiles.some((t) => t.prediction !== undefined) ? [{ field: "prediction", type: "nominal", title: "predicted" }] : []),
  ];
  const layers: VegaLiteSpec[] = [
    {
      mark: { type: "image", width: imageSize, height: imageSize, aspect: false },
      encoding: { x: px("cx"), y: px("cy"), url: { field: "url", type: "nominal" }, tooltip },
    },
    {
      transform: [{ filter: "datum.wrong" }],
      mark: { type: "rect", fill: null, stroke: "#d62728", strokeWidth: 2.5, width: imageSize + 4, height: imageSize + 4 },
      encoding: { x: px("cx"), y: px("cy") },
    },
  ];
  if (hasText) {
    for (const wrong of [false, true]) {
      layers.push({
        transform: [{ filter: wrong ? "datum.wrong" : "!datum.wrong" }],
        mark: { type: "text", fontSize: 12, baseline: "middle", color: wrong ? "#d62728" : "#333", fontWeight: wrong ? "bold" : "normal" },
        encoding: { x: px("cx"), y: px("ty"), text: { field: "caption" } },
      });
    }
  }
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...(layout.title ? { title: { text: layout.title } } : {}),
    width: cellW * Math.min(columns, Math.max(1, tiles.length)),
    height: cellH * gridRows,
    data: { values: rows },
    layer: layers,
    config: EVALUATION_CONFIG,
  };
}
