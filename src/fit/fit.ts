import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../backend.js";
import { checkTrainingKernels } from "../kernels/preflight.js";
import { History } from "../callbacks/history.js";
import { ProgressBar } from "../callbacks/progress-bar.js";
import type { Callback, CallbackConfig } from "./callback.js";
import { CallbackList } from "./callback-list.js";
import { inNotebook } from "../display/notebook.js";
import { StopRequest, yieldToEventLoop } from "./interrupt.js";
import { kerasMetricNames, type FitParams, type Logs } from "./logs.js";
import { RunningMean } from "./running-mean.js";
import { namedTestValues } from "./test-values.js";
import { DeviceMean } from "./device-mean.js";
import { fuseLossAndMetric } from "./fused-loss.js";
import { arrayBatches, datasetBatches, eachBatch, type Batch, type BatchSource } from "./batches.js";
import { checkFitOptions, prepareArrays, type Arrays } from "./prepare.js";

export type Tensors = tf.Tensor | tf.Tensor[];

export interface CommonFitOptions {
  /** Index of the last epoch to run (exclusive), counting from 0 like Keras. Default 1. */
  epochs?: number;
  /** Epoch to start at (for resuming). Default 0. */
  initialEpoch?: number;
  /** 0 = silent, 1 = progress bar, 2 = one line per epoch. Default 1. */
  verbose?: 0 | 1 | 2;
  callbacks?: Array<Callback | CallbackConfig>;
  /** Validate every N epochs (Keras's `validation_freq`). Default 1. */
  validationFreq?: number;
  /** Batch size of the validation pass. Default: `batchSize`. */
  validationBatchSize?: number;
  /** Stops training at the next batch boundary when aborted; `fit` then resolves normally with the History. */
  signal?: AbortSignal;
  /** Stop gracefully on SIGINT (a kernel interrupt). Default: true inside a notebook (tslab or Deno), false elsewhere. */
  stopOnInterrupt?: boolean;
}

export interface FitOptions extends CommonFitOptions {
  batchSize?: number;
  /** Fraction of the samples, taken from the end before shuffling, used for validation (Keras semantics). */
  validationSplit?: number;
  /** Held-out data; overrides `validationSplit`. */
  validationData?: [Tensors, Tensors];
  /** Shuffle the training samples every epoch. Default true. */
  shuffle?: boolean;
}

export interface FitDatasetOptions extends CommonFitOptions {
  /** Batches per epoch; default: until the dataset ends. With it, one iterator runs on across epochs, as in tfjs. */
  batchesPerEpoch?: number;
  /** A dataset of `{xs, ys}` batches, or arrays. */
  validationData?: tf.data.Dataset<tf.TensorContainer> | [Tensors, Tensors];
  /** With a validation dataset: how many of its batches to use. Default: all. */
  validationBatches?: number;
}

/**
 * Trains `model` on arrays with Keras 3's `fit` semantics and callbacks, and returns the History.
 *
 * @example
 * const history = await fit(model, x, y, {
 *   epochs: 10, batchSize: 32, validationSplit: 0.2,
 *   callbacks: [new EarlyStopping({ monitor: "val_loss", patience: 3 })],
 * });
 */
export async function fit(model: tf.LayersModel, x: Tensors, y: Tensors, options: FitOptions = {}): Promise<History> {
  checkModel(model);
  checkFitOptions(options);
  await ensureBackend();
  checkTrainingKernels(model);
  const arrays = prepareArrays(model, x, y, options);
  try {
    const batchSize = options.batchSize ?? 32;
    const train = arrayBatches(arrays.train, batchSize, options.shuffle ?? true);
    const validation = arrays.validation ? arrayBatches(arrays.validation, options.validationBatchSize ?? batchSize, false) : undefined;
    return await runTraining(model, train, validation, options, { batchSize, samples: arrays.train.count });
  } finally {
    arrays.dispose();
  }
}

/** `fit` for a `tf.data.Dataset` of `{xs, ys}` batches. */
export async function fitDataset(
  model: tf.LayersModel,
  dataset: tf.data.Dataset<tf.TensorContainer>,
  options: FitDatasetOptions = {},
): Promise<History> {
  checkModel(model);
  checkFitOptions(options, "fitDataset");
  await ensureBackend();
  checkTrainingKernels(model);
  const train = datasetBatches(model, dataset, options.batchesPerEpoch, true);
  let validationArrays: { train: Arrays; dispose(): void } | undefined;
  let validation: BatchSource | undefined;
  if (Array.isArray(options.validationData)) {
    validationArrays = prepareArrays(model, options.validationData[0], options.validationData[1], {});
    validation = arrayBatches(validationArrays.train, options.validationBatchSize ?? 32, false);
  } else if (options.validationData) {
    validation = datasetBatches(model, options.validationData, options.validationBatches, false);
  }
  try {
    return await runTraining(model, train, validation, options, { batchSize: null, samples: null });
  } finally {
    validationArrays?.dispose();
  }
}

function checkModel(model: tf.LayersModel): void {
  if (!model || typeof (model as { trainOnBatch?: unknown }).trainOnBatch !== "function") {
    throw new TypeError("model must be a tf.LayersModel (tf.sequential() or tf.model()), compiled with model.compile(...)");
  }
  if (!model.optimizer) throw new Error("model is not compiled: call model.compile({ optimizer, loss, metrics }) before fit");
  if (model.trainableWeights.length === 0) {
    throw new Error("model has no trainable weights, so fit has nothing to train: add a layer with weights (e.g. tf.layers.dense) or set trainable back to true");
  }
}

/** Models with a fit in progress: a second concurrent fit would interleave steps on the same weights. */
const training = new WeakSet<tf.LayersModel>();

async function runTraining(
  model: tf.LayersModel,
  train: BatchSource,
  validation: BatchSource | undefined,
  options: CommonFitOptions,
  sizes: { batchSize: number | null; samples: number | null },
): Promise<History> {
  const verbose = options.verbose ?? 1;
  const user = options.callbacks ?? [];
  const history = (user.find((c) => c instanceof History) as History | undefined) ?? new History();
  const all: Array<Callback | CallbackConfig> = [...user.filter((c) => c !== history), history];
  if (verbose !== 0 && !user.some((c) => c instanceof ProgressBar)) all.push(new ProgressBar({ verbose }));
  const callbacks = new CallbackList(all);

  const names = kerasMetricNames(model.metricsNames, (model as unknown as { metrics?: unknown }).metrics);
  const params: FitParams = {
    epochs: options.epochs ?? 1,
    steps: train.steps,
    verbose,
    initialEpoch: options.initialEpoch ?? 0,
    batchSize: sizes.batchSize,
    samples: sizes.samples,
    doValidation: validation !== undefined,
    metrics: [...names, ...(validation ? names.map((n) => `val_${n}`) : [])],
  };
  if (training.has(model)) {
    throw new Error("another fit() on this model is still running: await it (or stop it with its signal) first");
  }
  const validationFreq = options.validationFreq ?? 1;
  let lastLogs: Logs = {};
  const restoreLoss = fuseLossAndMetric(model);
  let stop: StopRequest;
  try {
    stop = new StopRequest({ signal: options.signal, stopOnInterrupt: options.stopOnInterrupt ?? inNotebook() });
  } catch (error) {
    restoreLoss();
    throw error;
  }
  // Marked only once nothing before the try below can throw: a mark left behind would refuse every later fit.
  training.add(model);
  try {
    callbacks.setModel(model);
    callbacks.setParams(params);
    model.stopTraining = false;
    const trainStep = makeTrainStep(model);
    await callbacks.onTrainBegin({});
    // A callback (BackupAndRestore) may move the start epoch when it restores a backup.
    for (let epoch = params.initialEpoch; epoch < params.epochs && !stop.requested; epoch++) {
      await callbacks.onEpochBegin(epoch, {});
      // Batch values stay on the backend; batch logs are read only when a callback reads them (issue 13, target 6).
      const running = new DeviceMean(names);
      let batch = 0;
      try {
        for await (const b of train.epoch()) {
          if (stop.requested) {
            b.dispose();
            break;
          }
          await callbacks.onTrainBatchBegin(batch, {});
          running.add(await trainStep(b), b.size);
          if (callbacks.listensToTrainBatchEnd) await callbacks.onTrainBatchEnd(batch, running.batchLogs());
          batch += 1;
          if (model.stopTraining || stop.requested) break;
          await yieldToEventLoop();
        }
      } catch (error) {
        running.dispose();
        throw error;
      }
      // A dataset with batchesPerEpoch that ends early: as Keras does, warn, end this epoch with the batches that
      // ran, and stop (the next epoch would have no data).
      const ranDry = train.ranDry === true;
      const dryAfterData = ranDry && (batch > 0 || epoch > params.initialEpoch);
      if (batch === 0 && !stop.requested && !dryAfterData) {
        running.dispose();
        const when = epoch === params.initialEpoch ? "the first epoch" : `epoch ${epoch + 1}`;
        throw new RangeError(
          `dataset: it produced no batches in ${when}; fitDataset needs a dataset of {xs, ys} batches that can be iterated ` +
            "again each epoch (is it empty, or a one-shot generator already used up?)",
        );
      }
      if (dryAfterData) warnRanDry(params, epoch);
      if (ranDry && batch === 0) {
        running.dispose();
        break;
      }
      // An interrupt or abort leaves this epoch unfinished, as a KeyboardInterrupt does in Keras: no onEpochEnd, so
      // no half-epoch checkpoint over the best model, no partial row in History or the CSV.
      if (stop.requested) {
        running.dispose();
        break;
      }
      let logs = await running.epochLogs();
      // Keras validates even after a mid-epoch stop by a callback (tfjs skips it).
      if (validation && (epoch + 1) % validationFreq === 0) {
        const valLogs = await evaluateWithHooks(model, validation, names, callbacks);
        for (const [k, v] of Object.entries(valLogs)) logs[`val_${k}`] = v;
      }
      logs = await callbacks.onEpochEnd(epoch, logs);
      lastLogs = logs;
      if (model.stopTraining || stop.requested || ranDry) break;
    }
    if (stop.reason) callbacks.events.push({ kind: "interrupted", epoch: history.epoch.at(-1) ?? 0, message: `training ${stop.reason}` });
    await callbacks.onTrainEnd(lastLogs);
  } catch (error) {
    await callbacks.onTrainFailure(error);
    throw error;
  } finally {
    restoreLoss();
    training.delete(model);
    stop.dispose();
  }
  return history;
}

function warnRanDry(params: FitParams, epoch: number): void {
  const needed = (params.steps ?? 0) * (params.epochs - params.initialEpoch);
  console.warn(
    `fitDataset: the dataset ran out of data in epoch ${epoch + 1}; stopping training. With batchesPerEpoch: ${params.steps} ` +
      `and ${params.epochs - params.initialEpoch} epoch(s) it must give at least ${needed} batches; add .repeat() to the dataset, or lower batchesPerEpoch or epochs.`,
  );
}

/**
 * tfjs's internals used for one training step. `trainOnBatch` would re-validate the arrays and build a new train
 * function on every batch; the data were validated once in `prepareArrays`, so call the train function directly.
 * (Measured in bench/fit-overhead.mjs.) A Sequential model delegates to its inner functional model.
 */
interface TrainInternals {
  model?: TrainInternals;
  makeTrainFunction(): (data: tf.Tensor[]) => tf.Scalar[];
}

/** One training step; returns the batch's loss and metrics as scalars on the backend (not read back). */
function makeTrainStep(model: tf.LayersModel): (b: Batch) => Promise<tf.Scalar[]> | tf.Scalar[] {
  const m = model as unknown as TrainInternals;
  const core = model.getClassName() === "Sequential" && m.model ? m.model : m;
  if (typeof core.makeTrainFunction !== "function") {
    // Fallback if a future tfjs renames its internals: the public (slower) path, which reads the values itself.
    return async (b) => {
      try {
        const out = await model.trainOnBatch(b.xs, b.ys);
        return (Array.isArray(out) ? out : [out]).map((v) => tf.scalar(v));
      } finally {
        b.dispose();
      }
    };
  }
  const trainFunction = core.makeTrainFunction();
  return (b) => {
    try {
      const inputs = [...(Array.isArray(b.xs) ? b.xs : [b.xs]), ...(Array.isArray(b.ys) ? b.ys : [b.ys])];
      return trainFunction(inputs);
    } finally {
      b.dispose();
    }
  };
}

/** The validation pass: runs the test hooks with running means (no `val_` prefix) and returns the final means. */
export async function evaluateWithHooks(
  model: tf.LayersModel,
  source: BatchSource,
  names: string[],
  callbacks: CallbackList,
  stop?: StopRequest,
): Promise<Logs> {
  // tfjs's evaluate, read back under Keras's names.
  const testLogs = async (xs: tf.Tensor | tf.Tensor[], ys: tf.Tensor | tf.Tensor[], batchSize: number): Promise<Logs> => {
    const out = model.evaluate(xs, ys, { batchSize, verbose: 0 });
    const scalars = Array.isArray(out) ? out : [out];
    const values = await Promise.all(scalars.map(async (s) => (await s.data())[0]));
    tf.dispose(scalars);
    return namedTestValues(values, names, model.outputs.length);
  };
  await callbacks.onTestBegin({});
  if (source.whole && !callbacks.wantsTestBatchLogs) {
    // Nobody watches the test batches: one evaluate call over all the data, as tfjs's own fit does.
    const { xs, ys, batchSize } = source.whole;
    const logs = await testLogs(xs.length === 1 ? xs[0] : xs, ys.length === 1 ? ys[0] : ys, batchSize);
    await callbacks.onTestEnd(logs);
    return logs;
  }
  const running = new RunningMean(names);
  await eachBatch(source, "evaluate", stop, {
    begin: (batch) => callbacks.onTestBatchBegin(batch, {}),
    step: async (b) => {
      const named = await testLogs(b.xs, b.ys, b.size);
      running.add(names.map((n) => named[n]), b.size);
    },
    end: (batch) => callbacks.onTestBatchEnd(batch, running.means()),
  });
  const logs = running.means();
  await callbacks.onTestEnd(logs);
  return logs;
}
