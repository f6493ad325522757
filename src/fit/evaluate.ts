import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../backend.js";
import { PassProgress } from "../callbacks/pass-progress.js";
import { inNotebook } from "../display/notebook.js";
import type { Callback, CallbackConfig } from "./callback.js";
import { CallbackList } from "./callback-list.js";
import { withMessage } from "./errors.js";
import { evaluateWithHooks, type Tensors } from "./fit.js";
import { StopRequest } from "./interrupt.js";
import { kerasMetricNames, type FitParams, type Logs } from "./logs.js";
import { arrayBatches, datasetBatches, eachBatch, type BatchSource } from "./batches.js";
import { asTensorList, checkFitOptions, prepareArrays } from "./prepare.js";
import { weightedTestStep, WeightedMeans } from "./weighted-test.js";

export interface PassOptions {
  /** Samples per batch. Default 32. */
  batchSize?: number;
  /** 0 = silent, 1 = progress bar (default), 2 = one line at the end. */
  verbose?: 0 | 1 | 2;
  /** Callbacks and/or plain hook objects: `evaluate` runs the test hooks, `predict` the predict hooks. */
  callbacks?: Array<Callback | CallbackConfig>;
  /** Aborting it rejects the call at the next batch boundary with an `AbortError`. */
  signal?: AbortSignal;
  /** Stop on SIGINT (a kernel interrupt). Default: true inside tslab. */
  stopOnInterrupt?: boolean;
}

export interface EvaluateOptions extends PassOptions {
  /**
   * One weight per sample (`[n]`), as Keras's `sample_weight`: losses become `Σ w·loss / n`, metrics weighted means
   * `Σ w·m / Σ w`.
   */
  sampleWeight?: tf.Tensor;
}

export interface EvaluateDatasetOptions extends Omit<PassOptions, "batchSize"> {
  /** How many batches of the dataset to evaluate. Default: until it ends. */
  batches?: number;
}

/**
 * Keras's `model.evaluate(x, y, return_dict=True)`: the loss and every compiled metric over the whole data, as
 * plain numbers under Keras's names (`{ loss, accuracy }`). Integer labels work wherever `fit` takes them; callbacks
 * get `onTestBegin`, `onTestBatchBegin/End` (running means) and `onTestEnd`, and `verbose: 1` draws Keras's bar.
 *
 * @example
 * const { loss, accuracy } = await evaluate(model, xTest, yTest);
 */
export async function evaluate(model: tf.LayersModel, x: Tensors, y: Tensors, options: EvaluateOptions = {}): Promise<Logs> {
  checkCompiled(model, "evaluate");
  checkPassOptions("evaluate", options, ["sampleWeight"]);
  await ensureBackend();
  const arrays = prepareArrays(model, x, y, {});
  let weights: tf.Tensor | undefined;
  try {
    if (options.sampleWeight !== undefined) weights = sampleWeights(options.sampleWeight, arrays.train.count);
    const batchSize = options.batchSize ?? 32;
    const sizes = { batchSize, samples: arrays.train.count };
    if (weights) {
      // The weights travel as one more target column, batched with the rest.
      const withWeights = { ...arrays.train, ys: [...arrays.train.ys, weights] };
      return await runWeightedEvaluation(model, arrayBatches(withWeights, batchSize, false), options, sizes);
    }
    return await runEvaluation(model, arrayBatches(arrays.train, batchSize, false), options, sizes);
  } catch (error) {
    throw withMessage(error, "evaluate");
  } finally {
    arrays.dispose();
    weights?.dispose();
  }
}

function sampleWeights(w: unknown, count: number): tf.Tensor {
  if (!(w instanceof tf.Tensor) || !(w.rank === 1 || (w.rank === 2 && w.shape[1] === 1)) || w.shape[0] !== count) {
    const got = w instanceof tf.Tensor ? `a tensor of shape [${w.shape.join(", ")}]` : typeof w;
    throw new Error(`sampleWeight must be a tf.Tensor of shape [${count}] (one weight per sample), got ${got}`);
  }
  return tf.tidy(() => w.reshape([count]).cast("float32"));
}

async function runWeightedEvaluation(
  model: tf.LayersModel,
  source: BatchSource,
  options: PassOptions,
  sizes: { batchSize: number | null; samples: number | null },
): Promise<Logs> {
  const names = kerasMetricNames(model.metricsNames, (model as unknown as { metrics?: unknown }).metrics);
  const step = weightedTestStep(model, names);
  const { callbacks, progress } = passCallbacks("evaluate", options);
  callbacks.setModel(model);
  callbacks.setParams(passParams(source.steps, options, sizes, names));
  const stop = new StopRequest({ signal: options.signal, stopOnInterrupt: options.stopOnInterrupt ?? inNotebook() });
  try {
    await callbacks.onTestBegin({});
    const running = new WeightedMeans(names, model);
    await eachBatch(source, "evaluate", stop, {
      begin: (batch) => callbacks.onTestBatchBegin(batch, {}),
      step: async (b) => running.add(await step(b)),
      end: (batch) => callbacks.onTestBatchEnd(batch, running.means()),
    });
    const logs = running.means();
    await callbacks.onTestEnd(logs);
    return logs;
  } catch (error) {
    progress?.fail();
    throw error;
  } finally {
    stop.dispose();
  }
}

/** `evaluate` for a `tf.data.Dataset` of `{xs, ys}` batches (the same batches `fitDataset` takes). */
export async function evaluateDataset(
  model: tf.LayersModel,
  dataset: tf.data.Dataset<tf.TensorContainer>,
  options: EvaluateDatasetOptions = {},
): Promise<Logs> {
  checkCompiled(model, "evaluateDataset");
  checkPassOptions("evaluateDataset", options, ["batches"]);
  if (options.batches !== undefined && !(Number.isInteger(options.batches) && options.batches >= 1)) {
    throw new Error(`batches must be a whole number >= 1, got ${String(options.batches)}`);
  }
  if (!dataset || typeof (dataset as { iterator?: unknown }).iterator !== "function") {
    throw new Error("dataset must be a tf.data.Dataset of {xs, ys} batches (e.g. tf.data.zip({xs, ys}).batch(32))");
  }
  await ensureBackend();
  try {
    return await runEvaluation(model, datasetBatches(model, dataset, options.batches, false), options, { batchSize: null, samples: null });
  } catch (error) {
    throw withMessage(error, "evaluateDataset");
  }
}

async function runEvaluation(
  model: tf.LayersModel,
  source: BatchSource,
  options: PassOptions,
  sizes: { batchSize: number | null; samples: number | null },
): Promise<Logs> {
  const names = kerasMetricNames(model.metricsNames, (model as unknown as { metrics?: unknown }).metrics);
  const { callbacks, progress } = passCallbacks("evaluate", options);
  callbacks.setModel(model);
  callbacks.setParams(passParams(source.steps, options, sizes, names));
  const stop = new StopRequest({ signal: options.signal, stopOnInterrupt: options.stopOnInterrupt ?? inNotebook() });
  try {
    if (stop.requested) throw stop.error("evaluate", 0, source.steps);
    return await evaluateWithHooks(model, source, names, callbacks, stop);
  } catch (error) {
    progress?.fail();
    throw error;
  } finally {
    stop.dispose();
  }
}

/**
 * Keras's `model.predict`: runs the model batch by batch (only one batch's activations alive at a time, the event
 * loop free between batches) and returns the outputs concatenated — one tensor, or one per model output. Callbacks
 * get `onPredictBegin`, `onPredictBatchBegin/End` (`logs.outputs`: the batch's outputs) and `onPredictEnd`.
 *
 * @example
 * const probabilities = (await predict(model, xTest)) as tf.Tensor2D;
 */
export async function predict(model: tf.LayersModel, x: Tensors, options: PassOptions = {}): Promise<tf.Tensor | tf.Tensor[]> {
  if (!model || typeof (model as { predict?: unknown }).predict !== "function" || !Array.isArray(model.inputs)) {
    throw new Error("model must be a tf.LayersModel (tf.sequential() or tf.model())");
  }
  checkPassOptions("predict", options);
  await ensureBackend();
  const xs = asTensorList(x, "x");
  if (xs.length !== model.inputs.length) throw new Error(`x: the model has ${model.inputs.length} input(s) but ${xs.length} tensor(s) were given`);
  const count = xs[0].shape[0];
  xs.forEach((t, i) => {
    if (t.rank === 0 || t.shape[0] !== count) {
      throw new Error(`x${xs.length > 1 ? `[${i}]` : ""} has ${t.shape[0] ?? 0} samples but x has ${count}: every input needs the same first dimension`);
    }
  });
  const batchSize = options.batchSize ?? 32;
  const source = arrayBatches({ xs, ys: [], count, dispose: () => undefined }, batchSize, false);
  const { callbacks, progress } = passCallbacks("predict", options);
  callbacks.setModel(model);
  callbacks.setParams(passParams(source.steps, options, { batchSize, samples: count }, []));
  const stop = new StopRequest({ signal: options.signal, stopOnInterrupt: options.stopOnInterrupt ?? inNotebook() });
  const parts: tf.Tensor[][] = model.outputs.map(() => []);
  try {
    await callbacks.onPredictBegin({});
    await eachBatch(source, "predict", stop, {
      begin: (batch) => callbacks.onPredictBatchBegin(batch, {}),
      step: (b) => {
        const out = model.predictOnBatch(b.xs);
        const outputs = Array.isArray(out) ? out : [out];
        outputs.forEach((t, i) => parts[i].push(t));
        return outputs;
      },
      end: (batch, outputs) => callbacks.onPredictBatchEnd(batch, { outputs: outputs.length === 1 ? outputs[0] : outputs }),
    });
    const result = parts.map((list) => (list.length === 1 ? list[0].clone() : tf.concat(list, 0)));
    await callbacks.onPredictEnd({});
    return result.length === 1 ? result[0] : result;
  } catch (error) {
    progress?.fail();
    throw withMessage(error, "predict");
  } finally {
    stop.dispose();
    for (const list of parts) tf.dispose(list);
  }
}

function checkCompiled(model: tf.LayersModel, call: string): void {
  if (!model || typeof (model as { evaluate?: unknown }).evaluate !== "function") {
    throw new Error("model must be a tf.LayersModel (tf.sequential() or tf.model()), compiled with model.compile(...)");
  }
  if (model.loss == null) throw new Error(`model is not compiled: ${call} needs the loss and metrics of model.compile({ optimizer, loss, metrics })`);
}

function checkPassOptions(call: string, o: PassOptions, extra: string[] = []): void {
  const known = ["batchSize", "verbose", "callbacks", "signal", "stopOnInterrupt", ...extra];
  if (typeof o === "object" && o !== null && !Array.isArray(o)) {
    for (const key of Object.keys(o)) {
      if (!known.includes(key)) throw new TypeError(`${call}: unknown option "${key}"; the options are ${known.join(", ")}`);
    }
  }
  // The options shared with fit get fit's checks; this pass's own (sampleWeight, batches) are checked where used.
  const shared = Object.fromEntries(Object.entries(o ?? {}).filter(([key]) => !extra.includes(key)));
  checkFitOptions((o === null || typeof o !== "object" ? o : shared) as Parameters<typeof checkFitOptions>[0]);
}

/** The user's callbacks plus Keras's progress bar for this pass when `verbose` is not 0. */
function passCallbacks(label: "evaluate" | "predict", options: PassOptions): { callbacks: CallbackList; progress?: PassProgress } {
  const verbose = options.verbose ?? 1;
  const progress = verbose === 0 ? undefined : new PassProgress(label, verbose);
  return { callbacks: new CallbackList([...(options.callbacks ?? []), ...(progress ? [progress] : [])]), progress };
}

/** Keras gives evaluate/predict callbacks `{ verbose, epochs: 1, steps }`; the rest as `fit` fills it. */
function passParams(steps: number | null, options: PassOptions, sizes: { batchSize: number | null; samples: number | null }, metrics: string[]): FitParams {
  return { epochs: 1, steps, verbose: options.verbose ?? 1, initialEpoch: 0, ...sizes, doValidation: false, metrics };
}
