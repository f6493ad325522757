import * as tf from "@tensorflow/tfjs";
import type { CommonFitOptions, FitOptions, Tensors } from "./fit.js";
import { standardize } from "./standardize.js";

/** Inputs and targets with the same number of samples, owned by `fit` (disposed when it ends). */
export interface Arrays {
  xs: tf.Tensor[];
  ys: tf.Tensor[];
  count: number;
  dispose(): void;
}

export function asTensorList(t: Tensors, name: string): tf.Tensor[] {
  const list = Array.isArray(t) ? t : [t];
  if (list.length === 0 || !list.every((v) => v instanceof tf.Tensor)) {
    throw new Error(`${name} must be a tf.Tensor or an array of tf.Tensors (one per model input/output)`);
  }
  return list;
}

/**
 * Checks x/y, casts integer labels to float32 (tfjs's sparse losses reject int32 labels; Keras accepts them), and
 * splits off the last `validationSplit` fraction before any shuffling, as Keras does.
 */
export function prepareArrays(
  model: tf.LayersModel,
  x: Tensors,
  y: Tensors,
  options: Pick<FitOptions, "validationSplit" | "validationData">,
): { train: Arrays; validation?: Arrays; dispose(): void } {
  const owned: tf.Tensor[] = [];
  const disposers: Array<() => void> = [() => tf.dispose(owned)];
  const take = (t: tf.Tensor) => (owned.push(t), t);
  const rawXs = asTensorList(x, "x");
  const rawYs = asTensorList(y, "y").map((t) => (t.dtype === "float32" ? t : take(tf.cast(t, "float32"))));
  const count = rawXs[0].shape[0];
  for (const [name, list] of [["x", rawXs], ["y", rawYs]] as const) {
    list.forEach((t, i) => {
      if (t.rank === 0 || t.shape[0] !== count) {
        throw new Error(`${name}${list.length > 1 ? `[${i}]` : ""} has ${t.shape[0] ?? 0} samples but x has ${count}: every input and target needs the same first dimension`);
      }
    });
  }
  if (rawXs.length !== model.inputs.length) throw new Error(`x: the model has ${model.inputs.length} input(s) but ${rawXs.length} tensor(s) were given`);
  if (rawYs.length !== model.outputs.length) throw new Error(`y: the model has ${model.outputs.length} output(s) but ${rawYs.length} tensor(s) were given`);
  const { xs, ys, created } = standardize(model, rawXs, rawYs);
  owned.push(...created);

  const noop = () => undefined;
  let train: Arrays = { xs, ys, count, dispose: noop };
  let validation: Arrays | undefined;
  if (options.validationData) {
    const [vx, vy] = options.validationData;
    const prepared = prepareArrays(model, vx, vy, {});
    validation = prepared.train;
    disposers.push(prepared.dispose);
  } else if (options.validationSplit) {
    const splitAt = Math.floor(count * (1 - options.validationSplit));
    if (splitAt < 1 || splitAt >= count) {
      throw new Error(`validationSplit ${options.validationSplit} leaves no training or no validation samples out of ${count}`);
    }
    const slice = (list: tf.Tensor[], from: number, size: number) => list.map((t) => take(t.slice([from], [size])));
    train = { xs: slice(xs, 0, splitAt), ys: slice(ys, 0, splitAt), count: splitAt, dispose: noop };
    validation = { xs: slice(xs, splitAt, count - splitAt), ys: slice(ys, splitAt, count - splitAt), count: count - splitAt, dispose: noop };
  }
  return { train, validation, dispose: () => disposers.forEach((d) => d()) };
}

function isWhole(v: unknown, min: number): boolean {
  return typeof v === "number" && Number.isInteger(v) && v >= min;
}

/** Every bad option gets an error naming it and what is allowed. */
type AnyFitOptions = CommonFitOptions &
  Omit<FitOptions, "validationData"> & { validationData?: unknown; batchesPerEpoch?: number; validationBatches?: number };

export function checkFitOptions(o: AnyFitOptions): void {
  if (typeof o !== "object" || o === null) throw new Error("options must be an object such as { epochs: 10, batchSize: 32 }");
  const fail = (msg: string) => {
    throw new Error(msg);
  };
  if (o.epochs !== undefined && !isWhole(o.epochs, 1)) fail(`epochs must be a whole number >= 1, got ${String(o.epochs)}`);
  if (o.initialEpoch !== undefined && !isWhole(o.initialEpoch, 0)) fail(`initialEpoch must be a whole number >= 0, got ${String(o.initialEpoch)}`);
  if (o.batchSize !== undefined && !isWhole(o.batchSize, 1)) fail(`batchSize must be a whole number >= 1, got ${String(o.batchSize)}`);
  if (o.validationBatchSize !== undefined && !isWhole(o.validationBatchSize, 1)) {
    fail(`validationBatchSize must be a whole number >= 1, got ${String(o.validationBatchSize)}`);
  }
  if (o.validationFreq !== undefined && !isWhole(o.validationFreq, 1)) fail(`validationFreq must be a whole number >= 1, got ${String(o.validationFreq)}`);
  if (o.batchesPerEpoch !== undefined && !isWhole(o.batchesPerEpoch, 1)) fail(`batchesPerEpoch must be a whole number >= 1, got ${String(o.batchesPerEpoch)}`);
  if (o.validationBatches !== undefined && !isWhole(o.validationBatches, 1)) fail(`validationBatches must be a whole number >= 1, got ${String(o.validationBatches)}`);
  if (o.validationSplit !== undefined && o.validationSplit !== 0) {
    const s = o.validationSplit;
    if (typeof s !== "number" || !(s > 0 && s < 1)) fail(`validationSplit must be a number strictly between 0 and 1 (e.g. 0.2), got ${String(s)}`);
  }
  if (o.validationData !== undefined && Array.isArray(o.validationData) && o.validationData.length !== 2) {
    fail("validationData must be [x, y]");
  }
  if (o.verbose !== undefined && ![0, 1, 2].includes(o.verbose)) fail(`verbose must be 0, 1 or 2, got ${String(o.verbose)}`);
  if (o.shuffle !== undefined && typeof o.shuffle !== "boolean") fail(`shuffle must be true or false, got ${String(o.shuffle)}`);
  if (o.callbacks !== undefined && !Array.isArray(o.callbacks)) fail("callbacks must be an array of callbacks");
  if (o.signal !== undefined && !(typeof o.signal === "object" && typeof o.signal.addEventListener === "function")) {
    fail("signal must be an AbortSignal (e.g. new AbortController().signal)");
  }
}
