import * as tf from "@tensorflow/tfjs";
import type { CommonFitOptions, FitOptions, Tensors } from "./fit.js";
import { showValue as shown } from "./show-value.js";
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
    throw new TypeError(`${name} must be a tf.Tensor or an array of tf.Tensors (one per model input/output), got ${shown(t)}`);
  }
  list.forEach((v, i) => {
    if (v.dtype === "string" || v.dtype === "complex64") {
      throw new TypeError(`${name}${list.length > 1 ? `[${i}]` : ""} must hold numbers (float32, int32 or bool), got dtype ${v.dtype}`);
    }
  });
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
  if (rawXs[0].rank === 0) throw new RangeError(`x must have a first (sample) dimension, got a scalar`);
  if (count === 0) throw new RangeError(`x has 0 samples: fit needs at least one sample (x.shape[0] >= 1)`);
  for (const [name, list] of [["x", rawXs], ["y", rawYs]] as const) {
    list.forEach((t, i) => {
      if (t.rank === 0 || t.shape[0] !== count) {
        throw new RangeError(`${name}${list.length > 1 ? `[${i}]` : ""} has ${t.shape[0] ?? 0} samples but x has ${count}: every input and target needs the same first dimension`);
      }
    });
  }
  if (rawXs.length !== model.inputs.length) throw new RangeError(`x: the model has ${model.inputs.length} input(s) but ${rawXs.length} tensor(s) were given`);
  if (rawYs.length !== model.outputs.length) throw new RangeError(`y: the model has ${model.outputs.length} output(s) but ${rawYs.length} tensor(s) were given`);
  let standardized: ReturnType<typeof standardize>;
  try {
    standardized = standardize(model, rawXs, rawYs);
  } catch (e) {
    tf.dispose(owned);
    throw shapeError(e);
  }
  const { xs, ys, created } = standardized;
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
      throw new RangeError(`validationSplit ${options.validationSplit} leaves no training or no validation samples out of ${count}; choose a fraction that keeps at least one sample on each side`);
    }
    const slice = (list: tf.Tensor[], from: number, size: number) => list.map((t) => take(t.slice([from], [size])));
    train = { xs: slice(xs, 0, splitAt), ys: slice(ys, 0, splitAt), count: splitAt, dispose: noop };
    validation = { xs: slice(xs, splitAt, count - splitAt), ys: slice(ys, splitAt, count - splitAt), count: count - splitAt, dispose: noop };
  }
  return { train, validation, dispose: () => disposers.forEach((d) => d()) };
}

/** tfjs's shape check, said in terms of the argument: "Error when checking target" is y, "input" is x. */
export function shapeError(e: unknown): Error {
  const message = (e as Error)?.message ?? String(e);
  const arg = /checking target|target/i.test(message) ? "y" : "x";
  return new RangeError(`${arg} does not match the model's ${arg === "y" ? "output" : "input"} shape: ${message}`, { cause: e });
}

function isWhole(v: unknown, min: number): boolean {
  return typeof v === "number" && Number.isInteger(v) && v >= min;
}

/** Every bad option gets an error naming it and what is allowed. */
type AnyFitOptions = CommonFitOptions &
  Omit<FitOptions, "validationData"> & { validationData?: unknown; batchesPerEpoch?: number; validationBatches?: number };

const COMMON_OPTIONS = ["epochs", "initialEpoch", "verbose", "callbacks", "validationFreq", "validationBatchSize", "signal", "stopOnInterrupt"];
/** The options each entry point takes; anything else (a typo such as `epoch: 10`) is refused, as Keras refuses it. */
export const FIT_OPTION_NAMES = [...COMMON_OPTIONS, "batchSize", "validationSplit", "validationData", "shuffle"];
export const FIT_DATASET_OPTION_NAMES = [...COMMON_OPTIONS, "batchesPerEpoch", "validationData", "validationBatches"];


export function checkFitOptions(o: AnyFitOptions, entry: "fit" | "fitDataset" = "fit"): void {
  if (typeof o !== "object" || o === null || Array.isArray(o)) {
    throw new TypeError(`options must be an object such as { epochs: 10, batchSize: 32 }, got ${shown(o)}`);
  }
  if (entry === "fitDataset" && "validationSplit" in o) {
    throw new TypeError("validationSplit: fitDataset cannot split a dataset by fraction; pass validationData (a dataset or [x, y]) instead");
  }
  const known = entry === "fit" ? FIT_OPTION_NAMES : FIT_DATASET_OPTION_NAMES;
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) throw new TypeError(`${entry}: unknown option "${key}"; the options are ${known.join(", ")}`);
  }
  const whole = (name: keyof AnyFitOptions, min: number) => {
    const v = o[name];
    if (v === undefined || isWhole(v, min)) return;
    const Class = typeof v === "number" ? RangeError : TypeError;
    throw new Class(`${name} must be a whole number >= ${min}, got ${shown(v)}`);
  };
  whole("epochs", 1);
  whole("initialEpoch", 0);
  whole("batchSize", 1);
  whole("validationBatchSize", 1);
  whole("validationFreq", 1);
  whole("batchesPerEpoch", 1);
  whole("validationBatches", 1);
  if (o.validationSplit !== undefined && o.validationSplit !== 0) {
    const s = o.validationSplit;
    if (typeof s !== "number" || !(s > 0 && s < 1)) {
      const Class = typeof s === "number" ? RangeError : TypeError;
      throw new Class(`validationSplit must be a number strictly between 0 and 1 (e.g. 0.2), got ${shown(s)}`);
    }
  }
  if (o.validationData !== undefined && Array.isArray(o.validationData) && o.validationData.length !== 2) {
    throw new TypeError(`validationData must be [x, y] (two entries), got ${shown(o.validationData)}`);
  }
  if (o.verbose !== undefined && ![0, 1, 2].includes(o.verbose)) {
    const Class = typeof o.verbose === "number" ? RangeError : TypeError;
    throw new Class(`verbose must be 0, 1 or 2 (silent, progress bar, one line per epoch), got ${shown(o.verbose)}`);
  }
  for (const name of ["shuffle", "stopOnInterrupt"] as const) {
    if (o[name] !== undefined && typeof o[name] !== "boolean") throw new TypeError(`${name} must be true or false, got ${shown(o[name])}`);
  }
  if (o.callbacks !== undefined && !Array.isArray(o.callbacks)) throw new TypeError(`callbacks must be an array of callbacks, got ${shown(o.callbacks)}`);
  if (o.signal !== undefined && !(typeof o.signal === "object" && o.signal !== null && typeof o.signal.addEventListener === "function")) {
    throw new TypeError(`signal must be an AbortSignal (e.g. new AbortController().signal), got ${shown(o.signal)}`);
  }
}
