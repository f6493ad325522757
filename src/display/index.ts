// Inline charts: Vega-Lite specs of training histories, rendered to SVG/PNG and shown in notebooks (tslab, Deno).
import { setNotebookProgressSink } from "../callbacks/progress-bar.js";
import { NotebookProgress } from "./progress.js";
import { inNotebook } from "./notebook.js";

export { historySpec, chartSpec, VEGA_LITE_SCHEMA } from "./history-spec.js";
export type { ChartData } from "./history-spec.js";
export { historyRows } from "./rows.js";
export { compileSpec, renderSvg, svgToPng, renderChart } from "./render.js";
export type { CompileResult, SvgResult, PngResult } from "./render.js";
export { plotHistory, plotComparison } from "./plot.js";
export { writeChart } from "./write-chart.js";
export { compareSpec } from "./compare-spec.js";
export type { PlotOptions } from "./plot.js";
export { historyToHTML, runsToHTML, chartsPage } from "./html.js";
export { showChart } from "./show.js";
export { plotConfusionMatrix, classificationReport, plotPerClassAccuracy, plotSamples, showModel, plotModel } from "./evaluation.js";
export type { EvaluationChartOptions, PlotSamplesOptions } from "./evaluation.js";
export { confusionMatrix, classificationScores } from "./classification.js";
export type { ClassLabels, ClassOptions, ConfusionOptions, ClassificationReport, ClassScores } from "./classification.js";
export { confusionSpec } from "./confusion-spec.js";
export { perClassSpec } from "./per-class-spec.js";
export { samplesSpec } from "./samples-spec.js";
export { modelSpec } from "./model-spec.js";
export { modelGraph } from "./model-graph.js";
export type { ModelGraph, LayerInfo } from "./model-graph.js";
export { LiveChart } from "./live-chart.js";
export type { LiveChartOptions, LiveChartStats } from "./live-chart.js";
export { NotebookOutput, inNotebook, notebookHost } from "./notebook.js";
export type { NotebookHost } from "./notebook.js";
export { useTslab } from "./tslab.js";
export type { TslabModule } from "./tslab.js";
export type { MimeBundle } from "./bundle.js";
export { NotebookProgress } from "./progress.js";
export { LivePlot } from "../callbacks/live-plot.js";
export type { LivePlotOptions } from "../callbacks/live-plot.js";
export type { ChartOptions, HistoryLike, HistoryRow, VegaLiteSpec } from "./types.js";

// Inside a notebook, ProgressBar draws through this in-place display instead of stream lines.
setNotebookProgressSink((params) => (inNotebook() ? new NotebookProgress(params) : undefined));
