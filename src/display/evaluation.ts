// Evaluation outputs: confusion matrix, classification report, per-class accuracy, image samples, model summary and
// diagram. Charts go through showChart (Vega-Lite + PNG + text in a notebook, a file elsewhere), tables through
// showTable (HTML + text in a notebook, printed text elsewhere).
import * as tf from "@tensorflow/tfjs";
import { inspect } from "node:util";
import { encodePng } from "../tensorboard/png.js";
import {
  classificationScores, classIds, countMatrix, normalizeMatrix, pairedIds,
  type ClassificationReport, type ClassLabels, type ClassOptions, type ConfusionOptions,
} from "./classification.js";
import { confusionSpec, confusionText } from "./confusion-spec.js";
import { modelGraph } from "./model-graph.js";
import { modelGraphText, modelSpec } from "./model-spec.js";
import { summaryHtml, summaryTextTable } from "./model-summary.js";
import { perClassSpec } from "./per-class-spec.js";
import { reportHtml, reportText } from "./report-table.js";
import { samplesSpec, type SampleTile } from "./samples-spec.js";
import { showChart } from "./show.js";
import { showTable } from "./show-table.js";
import { checkChartPath } from "./write-chart.js";

/** Where a chart also goes (or, outside a notebook, goes instead of the temp folder), and its title. */
export interface EvaluationChartOptions {
  title?: string;
  /** `.png`, `.svg`, `.html` or `.json`. */
  path?: string;
}

/**
 * Draws the confusion matrix as a heatmap (true class down, predicted across; correct predictions blue, errors
 * orange, every cell labelled). `yPred` may be class ids or the model's probabilities; `confusionMatrix` gives the
 * numbers. (Nothing is returned, so a cell ending with the call shows the chart and nothing else.)
 *
 * @example
 * await plotConfusionMatrix(yTest, model.predict(xTest) as tf.Tensor, { normalize: true });
 */
export async function plotConfusionMatrix(
  yTrue: ClassLabels,
  yPred: ClassLabels,
  options: ConfusionOptions & EvaluationChartOptions = {},
): Promise<void> {
  if (options.path !== undefined) checkChartPath(options.path);
  const { truth, pred, names } = pairedIds(yTrue, yPred, options);
  const normalized = options.normalize !== undefined && options.normalize !== false;
  const matrix = normalizeMatrix(countMatrix(truth, pred, names.length), options.normalize ?? false);
  const correct = truth.reduce((s, t, i) => s + (t === pred[i] ? 1 : 0), 0);
  const title = options.title ?? `Confusion matrix${normalized ? " (rates)" : ""}: ${correct} of ${truth.length} right (${((100 * correct) / truth.length).toFixed(1)}%)`;
  await showChart(confusionSpec(matrix, names, { normalized, title }), {
    text: `${title}\n${confusionText(matrix, names, normalized)}`,
    path: options.path,
    title,
    name: "confusion-matrix",
  });
}

/**
 * Per-class precision, recall, F1 and support, with accuracy and macro / weighted averages (scikit-learn's
 * `classification_report`): shown as a table (HTML in a notebook, text elsewhere) and returned as data.
 *
 * @example
 * const report = classificationReport(yTest, predictions, { labels: ["zero", "one", …] });
 * report.classes[3].f1;
 */
export function classificationReport(yTrue: ClassLabels, yPred: ClassLabels, options: ClassOptions & { show?: boolean } = {}): ClassificationReport {
  const report = classificationScores(yTrue, yPred, options);
  if (options.show !== false) showTable(reportHtml(report), reportText(report));
  // tslab prints a cell's last value: one summary line rather than the whole object again under the table.
  Object.defineProperty(report, inspect.custom, {
    value: () => `ClassificationReport: accuracy ${report.accuracy.toFixed(4)}, macro F1 ${report.macroAvg.f1.toFixed(4)}, ${report.support} samples (.classes, .macroAvg, .weightedAvg)`,
  });
  return report;
}

/** Bars of each class's accuracy (its recall), the overall accuracy as a dashed line, classes below it in orange. */
export async function plotPerClassAccuracy(
  yTrue: ClassLabels,
  yPred: ClassLabels,
  options: ClassOptions & EvaluationChartOptions = {},
): Promise<void> {
  if (options.path !== undefined) checkChartPath(options.path);
  const report = classificationScores(yTrue, yPred, options);
  const spec = perClassSpec(report, { title: options.title });
  const text = report.classes.map((c) => `${c.label}: ${(c.recall * 100).toFixed(1)}% of ${c.support}`).join("\n");
  await showChart(spec, { text: `accuracy ${(report.accuracy * 100).toFixed(1)}% overall\n${text}`, path: options.path, name: "per-class-accuracy" });
}

export interface PlotSamplesOptions extends EvaluationChartOptions {
  /** True class ids (or one-hot rows) of the images. */
  labels?: ClassLabels;
  /** Predicted class ids, or the model's probabilities. */
  predictions?: ClassLabels;
  /** How many images to draw. Default 25. */
  count?: number;
  /** Put the images whose prediction is wrong first (needs `labels` and `predictions`). */
  misclassifiedFirst?: boolean;
  /** Display names of the classes (class id i ↔ `classNames[i]`). */
  classNames?: string[];
  /** Images per row. Default: a square-ish grid, at most 10 wide. */
  columns?: number;
  /** Draw dark strokes on white (MNIST is white on black). Default false. */
  invert?: boolean;
  /** Drawn size of each image in pixels. Default 84 for images up to 32 pixels, else their own size (at most 160). */
  imageSize?: number;
}

/**
 * A grid of images (`[n, h, w]`, `[n, h, w, 1|3]` or flattened square `[n, h*w]`, values 0–1 or 0–255) with true
 * and predicted labels under each, wrong predictions in red with a red frame.
 *
 * @example
 * await plotSamples(xTest, { labels: yTest, predictions: probs, count: 24, misclassifiedFirst: true });
 */
export async function plotSamples(images: tf.Tensor, options: PlotSamplesOptions = {}): Promise<void> {
  if (options.path !== undefined) checkChartPath(options.path);
  const { height, width, channels } = imageGeometry(images);
  const n = images.shape[0]!;
  const truth = options.labels !== undefined ? classIds(options.labels, "labels") : undefined;
  const pred = options.predictions !== undefined ? classIds(options.predictions, "predictions") : undefined;
  for (const [name, ids] of [["labels", truth], ["predictions", pred]] as const) {
    if (ids && ids.length !== n) throw new Error(`${name} has ${ids.length} entries but images has ${n}: one per image`);
  }
  const count = options.count ?? 25;
  if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a whole number >= 1, got ${String(options.count)}`);
  if (options.misclassifiedFirst && (!truth || !pred)) throw new Error("misclassifiedFirst needs both labels and predictions");
  const order = Array.from({ length: n }, (_, i) => i);
  const wrong = truth && pred ? order.filter((i) => truth[i] !== pred[i]) : [];
  const chosen = (options.misclassifiedFirst ? [...wrong, ...order.filter((i) => truth![i] === pred![i])] : order).slice(0, count);
  const name = (id: number) => options.classNames?.[id] ?? String(id);
  const size = options.imageSize ?? (Math.max(height, width) <= 32 ? 84 : Math.min(160, Math.max(height, width)));
  const pixels = tf.tidy(() => tf.gather(images, tf.tensor1d(chosen, "int32"))).dataSync();
  const perImage = height * width * channels;
  let max = 0;
  for (let i = 0; i < pixels.length; i++) if (pixels[i] > max) max = pixels[i];
  const scale = max > 1 ? 1 : 255;
  const tiles: SampleTile[] = chosen.map((index, k) => ({
    url: pngDataUrl(pixels.subarray(k * perImage, (k + 1) * perImage), width, height, channels, scale, size, options.invert ?? false),
    index,
    truth: truth ? name(truth[index]) : undefined,
    prediction: pred ? name(pred[index]) : undefined,
  }));
  const columns = options.columns ?? Math.min(10, Math.ceil(Math.sqrt(chosen.length)));
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`columns must be a whole number >= 1, got ${String(options.columns)}`);
  const title =
    options.title ??
    (truth && pred
      ? `${wrong.length} of ${n} misclassified${options.misclassifiedFirst && wrong.length > 0 ? ` (shown first)` : ""} — true → predicted`
      : `${chosen.length} of ${n} images`);
  const text = [title, ...tiles.map((t) => `#${t.index}: ${[t.truth, t.prediction].filter((v) => v !== undefined).join(" → ")}`)].join("\n");
  await showChart(samplesSpec(tiles, { imageSize: size, columns, title }), { text, path: options.path, name: "samples" });
}

function imageGeometry(images: tf.Tensor): { height: number; width: number; channels: 1 | 3 | 4 } {
  if (!(images instanceof tf.Tensor)) throw new Error("images must be a tf.Tensor of images: [n, height, width], [n, height, width, channels] or [n, height*width]");
  const s = images.shape as number[];
  if (images.rank === 2) {
    const side = Math.round(Math.sqrt(s[1]));
    if (side * side !== s[1]) throw new Error(`images of shape [${s.join(", ")}]: flattened images must be square (e.g. 784 = 28×28); reshape them to [n, height, width]`);
    return { height: side, width: side, channels: 1 };
  }
  if (images.rank === 3) return { height: s[1], width: s[2], channels: 1 };
  if (images.rank === 4 && [1, 3, 4].includes(s[3])) return { height: s[1], width: s[2], channels: s[3] as 1 | 3 | 4 };
  throw new Error(`images must be [n, height, width], [n, height, width, 1|3|4] or [n, height*width], got shape [${s.join(", ")}]`);
}

/** One image as a PNG data URL, enlarged by whole pixels (nearest neighbour) so small digits stay sharp. */
function pngDataUrl(values: ArrayLike<number>, width: number, height: number, channels: 1 | 3 | 4, scale: number, size: number, invert: boolean): string {
  const factor = Math.max(1, Math.round(size / Math.max(width, height)));
  const w = width * factor;
  const h = height * factor;
  const out = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const src = (Math.floor(y / factor) * width + Math.floor(x / factor)) * channels;
      const dst = (y * w + x) * channels;
      for (let c = 0; c < channels; c++) {
        const v = Math.max(0, Math.min(255, Math.round(values[src + c] * scale)));
        out[dst + c] = invert && c < 3 ? 255 - v : v;
      }
    }
  }
  return `data:image/png;base64,${Buffer.from(encodePng(w, h, channels, out)).toString("base64")}`;
}

/**
 * Keras's `model.summary()`: layer (type), output shape, parameters and — for Functional models — what each layer
 * is connected to, then total / trainable / non-trainable parameters. An HTML table plus the text in a notebook;
 * printed text elsewhere.
 */
export function showModel(model: tf.LayersModel): void {
  const graph = modelGraph(model);
  showTable(summaryHtml(graph), summaryTextTable(graph));
}

/**
 * Keras's `plot_model(model, show_shapes=True)` without Graphviz: a box per layer (name, class, input → output
 * shape), arrows along the data flow, branches side by side and merges below them.
 */
export async function plotModel(model: tf.LayersModel, options: EvaluationChartOptions = {}): Promise<void> {
  if (options.path !== undefined) checkChartPath(options.path);
  const graph = modelGraph(model);
  await showChart(modelSpec(graph, { title: options.title }), { text: modelGraphText(graph), path: options.path, name: "model" });
}
