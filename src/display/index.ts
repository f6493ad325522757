// Inline charts: Vega-Lite specs of training histories, rendered to SVG/PNG in Node and shown in tslab.
export { historySpec, chartSpec, VEGA_LITE_SCHEMA } from "./history-spec.js";
export type { ChartData } from "./history-spec.js";
export { historyRows } from "./rows.js";
export { compileSpec, renderSvg, svgToPng, renderChart } from "./render.js";
export type { CompileResult, SvgResult, PngResult } from "./render.js";
export type { ChartOptions, HistoryLike, HistoryRow, VegaLiteSpec } from "./types.js";
