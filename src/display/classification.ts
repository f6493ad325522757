import * as tf from "@tensorflow/tfjs";

/**
 * Class labels as a tfjs tensor (class ids `[n]`, `[n, 1]`, or one-hot / probabilities `[n, k]`) or plain numbers.
 * `predict`'s result (typed `Tensor | Tensor[]`) is taken as it is when the model has one output.
 */
export type ClassLabels = tf.Tensor | tf.Tensor[] | ArrayLike<number>;

export interface ClassOptions {
  /** Display names of the classes, class id i ↔ `labels[i]`. Default: "0", "1", …; its length fixes the class count. */
  labels?: string[];
}

export interface ConfusionOptions extends ClassOptions {
  /**
   * Rates instead of counts: `true` or `"true"` divides each row by its true-class total (recall on the diagonal),
   * `"pred"` each column by its predicted total (precision on the diagonal), `"all"` by every sample.
   */
  normalize?: boolean | "true" | "pred" | "all";
}

/**
 * Class ids from labels or model outputs: a `[n, k>1]` tensor (one-hot or probabilities) gives its argmax per row,
 * `[n]` and `[n, 1]` are taken as ids.
 */
export function classIds(labels: ClassLabels, name: string): Int32Array {
  const y = singleTensor(labels, name);
  if (y instanceof tf.Tensor) {
    if (y.rank === 2 && y.shape[1]! > 1) return tf.tidy(() => y.argMax(1)).dataSync() as Int32Array;
    if (y.rank === 1 || (y.rank === 2 && y.shape[1] === 1)) return toIds(y.dataSync(), name);
    throw new Error(`${name} must be class ids [n] or [n, 1], or one-hot/probabilities [n, classes]; got a tensor of shape [${y.shape.join(", ")}]`);
  }
  if (y === null || typeof y !== "object" || typeof (y as ArrayLike<number>).length !== "number") {
    throw new Error(`${name} must be a tf.Tensor or an array of class ids, got ${y === null ? "null" : typeof y}`);
  }
  return toIds(y, name);
}

function singleTensor(y: ClassLabels, name: string): tf.Tensor | ArrayLike<number> {
  if (!Array.isArray(y) || !y.some((v) => v instanceof tf.Tensor)) return y as tf.Tensor | ArrayLike<number>;
  if (y.length === 1) return y[0] as tf.Tensor;
  throw new Error(`${name} is a list of ${y.length} tensors (a model with several outputs): pass the one output to score`);
}

function toIds(values: ArrayLike<number>, name: string): Int32Array {
  const ids = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0) throw new Error(`${name}[${i}] is ${v}: class ids must be whole numbers >= 0`);
    ids[i] = v;
  }
  return ids;
}

/** Both label sets as ids, checked against each other and the class names; returns the class count too. */
export function pairedIds(yTrue: ClassLabels, yPred: ClassLabels, options: ClassOptions = {}): { truth: Int32Array; pred: Int32Array; names: string[] } {
  const truth = classIds(yTrue, "yTrue");
  const pred = classIds(yPred, "yPred");
  if (truth.length !== pred.length) throw new Error(`yTrue has ${truth.length} samples but yPred has ${pred.length}: they must match one to one`);
  if (truth.length === 0) throw new Error("yTrue and yPred are empty: there is nothing to compare");
  const widest = Math.max(
    ...[yTrue, yPred].map((labels) => {
      const y = Array.isArray(labels) && labels.length === 1 ? labels[0] : labels;
      return y instanceof tf.Tensor && y.rank === 2 && y.shape[1]! > 1 ? y.shape[1]! : 0;
    }),
  );
  let largest = 0;
  for (let i = 0; i < truth.length; i++) largest = Math.max(largest, truth[i], pred[i]);
  const { labels } = options;
  if (labels !== undefined) {
    if (!Array.isArray(labels) || labels.some((l) => typeof l !== "string")) throw new Error("labels must be an array of class names (strings)");
    if (largest >= labels.length) throw new Error(`labels names ${labels.length} classes but the data has class id ${largest}`);
  }
  const count = labels?.length ?? Math.max(largest + 1, widest);
  return { truth, pred, names: labels ?? Array.from({ length: count }, (_, i) => String(i)) };
}

/**
 * The confusion matrix: row = true class, column = predicted class, as scikit-learn's `confusion_matrix`.
 *
 * @example
 * const counts = confusionMatrix(yTest, model.predict(xTest) as tf.Tensor);   // counts[3][5]: 3s taken for 5s
 */
export function confusionMatrix(yTrue: ClassLabels, yPred: ClassLabels, options: ConfusionOptions = {}): number[][] {
  const { truth, pred, names } = pairedIds(yTrue, yPred, options);
  return normalizeMatrix(countMatrix(truth, pred, names.length), options.normalize ?? false);
}

export function countMatrix(truth: Int32Array, pred: Int32Array, classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]][pred[i]] += 1;
  return m;
}

export function normalizeMatrix(counts: number[][], normalize: ConfusionOptions["normalize"]): number[][] {
  if (normalize === false || normalize === undefined) return counts;
  const mode = normalize === true ? "true" : normalize;
  if (!["true", "pred", "all"].includes(mode)) throw new Error(`normalize must be true, false, "true", "pred" or "all", got ${JSON.stringify(normalize)}`);
  const total = counts.flat().reduce((a, b) => a + b, 0);
  const colSums = counts[0]?.map((_, j) => counts.reduce((s, row) => s + row[j], 0)) ?? [];
  return counts.map((row) => {
    const rowSum = row.reduce((a, b) => a + b, 0);
    return row.map((v, j) => {
      const by = mode === "true" ? rowSum : mode === "pred" ? colSums[j] : total;
      return by === 0 ? 0 : v / by;
    });
  });
}

/** One row of the classification report. */
export interface ClassScores {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Samples whose true class this is. */
  support: number;
}

/** Per-class precision, recall, F1 and support, with accuracy and macro/weighted averages, as scikit-learn reports them. */
export interface ClassificationReport {
  classes: ClassScores[];
  accuracy: number;
  macroAvg: Omit<ClassScores, "label">;
  weightedAvg: Omit<ClassScores, "label">;
  /** Samples compared. */
  support: number;
}

/** The numbers of `classificationReport`. A class never predicted has precision 0, as scikit-learn's default. */
export function classificationScores(yTrue: ClassLabels, yPred: ClassLabels, options: ClassOptions = {}): ClassificationReport {
  const { truth, pred, names } = pairedIds(yTrue, yPred, options);
  const m = countMatrix(truth, pred, names.length);
  const classes = names.map((label, k) => {
    const tp = m[k][k];
    const support = m[k].reduce((a, b) => a + b, 0);
    const predicted = m.reduce((s, row) => s + row[k], 0);
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support };
  });
  const n = truth.length;
  const correct = names.reduce((s, _, k) => s + m[k][k], 0);
  const avg = (weight: (c: ClassScores) => number) => {
    const total = classes.reduce((s, c) => s + weight(c), 0);
    const mean = (key: "precision" | "recall" | "f1") => (total === 0 ? 0 : classes.reduce((s, c) => s + c[key] * weight(c), 0) / total);
    return { precision: mean("precision"), recall: mean("recall"), f1: mean("f1"), support: n };
  };
  return { classes, accuracy: correct / n, macroAvg: avg(() => 1), weightedAvg: avg((c) => c.support), support: n };
}
