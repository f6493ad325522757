import * as tf from "@tensorflow/tfjs";
import { kerasAdadelta } from "../../optimizers/keras-adadelta.js";
import { AdamW } from "../../optimizers/adamw.js";
import { envelope, isObject, type Json, type JsonObject } from "./json.js";
import { fromLogitsLoss, weightedLoss, type LossFn } from "./losses.js";

/**
 * Keras 3 `compile_config` in both directions. Losses and metrics travel as Keras's string identifiers; the
 * optimizer as a full envelope with Keras 3.3's key set (its float32 learning rate written as Python would print it).
 */

/** tfjs loss names → Keras 3 identifiers. */
const LOSS_TO_KERAS: Record<string, string> = {
  meanSquaredError: "mean_squared_error",
  meanAbsoluteError: "mean_absolute_error",
  meanAbsolutePercentageError: "mean_absolute_percentage_error",
  meanSquaredLogarithmicError: "mean_squared_logarithmic_error",
  squaredHinge: "squared_hinge",
  hinge: "hinge",
  categoricalHinge: "categorical_hinge",
  logcosh: "log_cosh",
  categoricalCrossentropy: "categorical_crossentropy",
  sparseCategoricalCrossentropy: "sparse_categorical_crossentropy",
  binaryCrossentropy: "binary_crossentropy",
  kullbackLeiblerDivergence: "kl_divergence",
  poisson: "poisson",
};

/** Keras 3 loss identifiers and class names → tfjs loss names. */
const LOSS_TO_TFJS: Record<string, string> = {
  mse: "meanSquaredError",
  mean_squared_error: "meanSquaredError",
  MeanSquaredError: "meanSquaredError",
  mae: "meanAbsoluteError",
  mean_absolute_error: "meanAbsoluteError",
  MeanAbsoluteError: "meanAbsoluteError",
  mape: "meanAbsolutePercentageError",
  mean_absolute_percentage_error: "meanAbsolutePercentageError",
  MeanAbsolutePercentageError: "meanAbsolutePercentageError",
  msle: "meanSquaredLogarithmicError",
  mean_squared_logarithmic_error: "meanSquaredLogarithmicError",
  MeanSquaredLogarithmicError: "meanSquaredLogarithmicError",
  squared_hinge: "squaredHinge",
  SquaredHinge: "squaredHinge",
  hinge: "hinge",
  Hinge: "hinge",
  categorical_hinge: "categoricalHinge",
  CategoricalHinge: "categoricalHinge",
  log_cosh: "logcosh",
  logcosh: "logcosh",
  LogCosh: "logcosh",
  categorical_crossentropy: "categoricalCrossentropy",
  CategoricalCrossentropy: "categoricalCrossentropy",
  sparse_categorical_crossentropy: "sparseCategoricalCrossentropy",
  SparseCategoricalCrossentropy: "sparseCategoricalCrossentropy",
  binary_crossentropy: "binaryCrossentropy",
  BinaryCrossentropy: "binaryCrossentropy",
  kl_divergence: "kullbackLeiblerDivergence",
  kld: "kullbackLeiblerDivergence",
  KLDivergence: "kullbackLeiblerDivergence",
  poisson: "poisson",
  Poisson: "poisson",
};

/** Metric names both libraries understand, Keras spelling → tfjs spelling. */
const METRIC_TO_TFJS: Record<string, string> = {
  accuracy: "accuracy",
  acc: "accuracy",
  binary_accuracy: "binaryAccuracy",
  categorical_accuracy: "categoricalAccuracy",
  mse: "mse",
  mean_squared_error: "mse",
  mae: "mae",
  mean_absolute_error: "mae",
  mape: "mape",
  mean_absolute_percentage_error: "mape",
  categorical_crossentropy: "categoricalCrossentropy",
  sparse_categorical_crossentropy: "sparseCategoricalCrossentropy",
};

const METRIC_TO_KERAS: Record<string, string> = {
  accuracy: "accuracy",
  acc: "accuracy",
  binaryAccuracy: "binary_accuracy",
  categoricalAccuracy: "categorical_accuracy",
  mse: "mean_squared_error",
  MSE: "mean_squared_error",
  meanSquaredError: "mean_squared_error",
  mae: "mean_absolute_error",
  MAE: "mean_absolute_error",
  meanAbsoluteError: "mean_absolute_error",
  mape: "mean_absolute_percentage_error",
  MAPE: "mean_absolute_percentage_error",
  categoricalCrossentropy: "categorical_crossentropy",
  sparseCategoricalCrossentropy: "sparse_categorical_crossentropy",
  binaryCrossentropy: "binary_crossentropy",
};

/** Keys every Keras 3.3+ optimizer config has. */
function baseOptimizerConfig(name: string, lr: number): JsonObject {
  return {
    name,
    // Keras keeps the rate in a float32 variable and prints its float64 value (0.0010000000474974513).
    learning_rate: Math.fround(lr),
    weight_decay: null,
    clipnorm: null,
    global_clipnorm: null,
    clipvalue: null,
    use_ema: false,
    ema_momentum: 0.99,
    ema_overwrite_frequency: null,
    loss_scale_factor: null,
    gradient_accumulation_steps: null,
  };
}

/** The Keras 3 optimizer envelope for a tfjs optimizer, or undefined when Keras has no equivalent. */
export function optimizerToKeras3(opt: tf.Optimizer): JsonObject | undefined {
  const c = opt.getConfig() as Record<string, number | boolean>;
  const lr = Number(c.learningRate);
  const keras = (cls: string, name: string, extra: JsonObject) =>
    envelope("keras.optimizers", cls, { ...baseOptimizerConfig(name, lr), ...extra });
  switch (opt.getClassName()) {
    case "Adam":
      return keras("Adam", "adam", { beta_1: Number(c.beta1), beta_2: Number(c.beta2), epsilon: Number(c.epsilon), amsgrad: false });
    case "AdamW":
      return keras("AdamW", "adamw", {
        weight_decay: Number(c.weightDecay),
        beta_1: Number(c.beta1),
        beta_2: Number(c.beta2),
        epsilon: Number(c.epsilon),
        amsgrad: false,
      });
    case "SGD":
      return keras("SGD", "SGD", { momentum: 0, nesterov: false });
    case "Momentum":
      return keras("SGD", "SGD", { momentum: Number(c.momentum), nesterov: Boolean(c.useNesterov) });
    case "RMSProp":
      return keras("RMSprop", "rmsprop", { rho: Number(c.decay), momentum: Number(c.momentum), epsilon: Number(c.epsilon), centered: Boolean(c.centered) });
    case "Adagrad":
      return keras("Adagrad", "adagrad", { initial_accumulator_value: Number(c.initialAccumulatorValue ?? 0.1), epsilon: 1e-7 });
    case "Adadelta":
      return keras("Adadelta", "adadelta", { rho: Number(c.rho), epsilon: Number(c.epsilon) });
    case "Adamax":
      return keras("Adamax", "adamax", { beta_1: Number(c.beta1), beta_2: Number(c.beta2), epsilon: Number(c.epsilon) });
    default:
      return undefined;
  }
}

function nameOf(x: unknown): string | undefined {
  if (typeof x === "string") return x;
  if (typeof x === "function") return (x as { name?: string }).name;
  return undefined;
}

/**
 * `compile_config` for a compiled tfjs model, plus notes on what could not be expressed. Returns undefined when the
 * model is not compiled or its loss has no Keras identifier (Keras could not re-compile it anyway).
 */
export function compileConfigToKeras3(model: tf.LayersModel): { config?: JsonObject; notes: string[] } {
  const notes: string[] = [];
  const m = model as unknown as { optimizer?: tf.Optimizer; loss?: unknown; metrics?: unknown };
  if (!m.optimizer || m.loss === undefined) return { notes };
  const losses = lossesToKeras(m.loss, outputNames(model));
  if (!losses) {
    notes.push(`loss ${describeLoss(m.loss)} has no Keras 3 identifier; compile_config omitted`);
    return { notes };
  }
  const optimizer = optimizerToKeras3(m.optimizer);
  if (!optimizer) notes.push(`optimizer ${m.optimizer.getClassName()} has no Keras 3 equivalent; written without it`);
  const metricNames = (list: unknown): Json[] => {
    const out: Json[] = [];
    for (const metric of list === undefined || list === null ? [] : Array.isArray(list) ? list : [list]) {
      const k = METRIC_TO_KERAS[nameOf(metric) ?? ""];
      if (k) out.push(k);
      else notes.push(`metric ${String(nameOf(metric))} has no Keras 3 identifier; left out`);
    }
    return out;
  };
  let metrics: Json;
  if (isObject(m.metrics) && !Array.isArray(m.metrics) && typeof m.metrics !== "function") {
    metrics = Object.fromEntries(Object.entries(m.metrics).map(([name, list]) => [name, metricNames(list)]));
  } else {
    const flat = metricNames(m.metrics);
    metrics = flat.length > 0 ? flat : null;
  }
  const config: JsonObject = {};
  if (optimizer) config.optimizer = optimizer;
  Object.assign(config, {
    loss: losses.loss,
    loss_weights: losses.weights,
    metrics,
    weighted_metrics: null,
    run_eagerly: false,
    steps_per_execution: 1,
    jit_compile: false,
  });
  return { config, notes };
}

function describeLoss(loss: unknown): string {
  if (isObject(loss) && typeof loss !== "function") return JSON.stringify(Object.fromEntries(Object.entries(loss).map(([k, v]) => [k, nameOf(v)])));
  return String((Array.isArray(loss) ? loss.map(nameOf) : nameOf(loss)) ?? loss);
}

/** One tfjs loss (name or function) as Keras's identifier, with its loss weight. */
function lossToKeras(l: unknown): { id: Json; weight: number } | undefined {
  const fn = l as LossFn;
  if (typeof l === "function" && fn.kerasLoss !== undefined) return { id: fn.kerasLoss, weight: fn.kerasWeight ?? 1 };
  const id = LOSS_TO_KERAS[nameOf(l) ?? ""];
  return id ? { id, weight: 1 } : undefined;
}

/** tfjs's compile `loss` (one, a list or a dict by output) as Keras's `loss` and `loss_weights`. */
function lossesToKeras(loss: unknown, outputs: string[]): { loss: Json; weights: Json } | undefined {
  if (isObject(loss) && !Array.isArray(loss) && typeof loss !== "function") {
    const entries = outputs.filter((o) => o in loss).map((o) => [o, lossToKeras(loss[o])] as const);
    if (entries.length === 0 || entries.some(([, e]) => !e)) return undefined;
    const weighted = entries.some(([, e]) => e!.weight !== 1);
    return {
      loss: Object.fromEntries(entries.map(([o, e]) => [o, e!.id])),
      weights: weighted ? Object.fromEntries(entries.map(([o, e]) => [o, e!.weight])) : null,
    };
  }
  const list = (Array.isArray(loss) ? loss : [loss]).map(lossToKeras);
  if (list.length === 0 || list.some((e) => !e)) return undefined;
  const weighted = list.some((e) => e!.weight !== 1);
  return {
    loss: list.length === 1 && !Array.isArray(loss) ? list[0]!.id : list.map((e) => e!.id),
    weights: weighted ? list.map((e) => e!.weight) : null,
  };
}

// ---- Keras 3 → tfjs ----

function optimizerFromKeras(o: Json): tf.Optimizer {
  const cls = typeof o === "string" ? o.toLowerCase() : isObject(o) && typeof o.class_name === "string" ? o.class_name.toLowerCase() : undefined;
  const c = isObject(o) && isObject(o.config) ? o.config : {};
  const num = (k: string, d: number) => (typeof c[k] === "number" ? (c[k] as number) : d);
  const lr = num("learning_rate", cls === "sgd" ? 0.01 : 0.001);
  // Adam's and AdamW's weight decay is the decoupled decay tslab-fit's AdamW applies; other optimizers' is refused.
  const decays = cls === "adam" || cls === "adamw";
  const unsupported = ["weight_decay", "clipnorm", "global_clipnorm", "clipvalue"]
    .filter((k) => !(decays && k === "weight_decay"))
    .filter((k) => c[k] !== null && c[k] !== undefined);
  if (c.use_ema === true) unsupported.push("use_ema");
  if (c.amsgrad === true) unsupported.push("amsgrad");
  if (unsupported.length > 0) throw new Error(`optimizer options ${unsupported.join(", ")} are not available in TensorFlow.js`);
  switch (cls) {
    case "adam":
      if (num("weight_decay", 0) > 0) return new AdamW(lr, num("beta_1", 0.9), num("beta_2", 0.999), num("epsilon", 1e-7), num("weight_decay", 0));
      return tf.train.adam(lr, num("beta_1", 0.9), num("beta_2", 0.999), num("epsilon", 1e-7));
    case "adamw":
      return new AdamW(lr, num("beta_1", 0.9), num("beta_2", 0.999), num("epsilon", 1e-7), num("weight_decay", 0.004));
    case "sgd": {
      const momentum = num("momentum", 0);
      return momentum > 0 ? tf.train.momentum(lr, momentum, c.nesterov === true) : tf.train.sgd(lr);
    }
    case "rmsprop":
      return tf.train.rmsprop(lr, num("rho", 0.9), num("momentum", 0), num("epsilon", 1e-7), c.centered === true);
    case "adagrad":
      return tf.train.adagrad(lr, num("initial_accumulator_value", 0.1));
    case "adadelta":
      // Keras's update rule, which tfjs's own Adadelta does not follow.
      return kerasAdadelta(lr, num("rho", 0.95), num("epsilon", 1e-7));
    case "adamax":
      return tf.train.adamax(lr, num("beta_1", 0.9), num("beta_2", 0.999), num("epsilon", 1e-7), 0);
    default:
      throw new Error(`optimizer ${JSON.stringify(typeof o === "string" ? o : isObject(o) ? o.class_name : o)} is not available in TensorFlow.js`);
  }
}

function lossFromKeras(l: Json): string | LossFn {
  if (typeof l === "string" && LOSS_TO_TFJS[l]) return LOSS_TO_TFJS[l];
  if (isObject(l) && typeof l.class_name === "string" && LOSS_TO_TFJS[l.class_name]) {
    const c = isObject(l.config) ? l.config : {};
    if (c.from_logits === true) {
      if (l.class_name === "SparseCategoricalCrossentropy") {
        // tfjs accepts integer targets of shape [n, 1] only for its own sparse loss, which takes probabilities.
        throw new Error(
          "loss SparseCategoricalCrossentropy(from_logits=True) cannot be expressed: TensorFlow.js takes integer targets " +
            "only for its own sparse loss, which expects probabilities. Add a softmax output layer and compile with " +
            "sparseCategoricalCrossentropy, or use one-hot targets with categorical cross-entropy from logits",
        );
      }
      const onLogits = fromLogitsLoss(l.class_name);
      if (!onLogits) throw new Error(`loss ${l.class_name}(from_logits=True) is not available in TensorFlow.js`);
      if (typeof c.label_smoothing === "number" && c.label_smoothing !== 0) {
        throw new Error(`loss ${l.class_name}(label_smoothing=${c.label_smoothing}) is not available in TensorFlow.js`);
      }
      return onLogits;
    }
    if (typeof c.label_smoothing === "number" && c.label_smoothing !== 0) {
      throw new Error(`loss ${l.class_name}(label_smoothing=${c.label_smoothing}) is not available in TensorFlow.js`);
    }
    return LOSS_TO_TFJS[l.class_name];
  }
  throw new Error(`loss ${JSON.stringify(isObject(l) ? l.class_name : l)} is not available in TensorFlow.js`);
}

function metricsFromKeras(ms: Json, warn: (msg: string) => void): string[] {
  const flat: Json[] = Array.isArray(ms) ? ms.flat(2) : ms === null || ms === undefined ? [] : [ms];
  const out: string[] = [];
  for (const m of flat) {
    if (m === null) continue;
    const name = typeof m === "string" ? m : isObject(m) && isObject(m.config) && typeof m.config.name === "string" ? m.config.name : undefined;
    const t = name ? METRIC_TO_TFJS[name] : undefined;
    if (t) out.push(t);
    else warn(`metric ${JSON.stringify(name ?? m)} is not available in TensorFlow.js; left out`);
  }
  return out;
}

/** Keras metrics (flat list for every output, list of lists or dict per output) as tfjs's compile `metrics`. */
function metricsForOutputs(ms: Json, outputs: string[], warn: (msg: string) => void): string[] | Record<string, string[]> {
  if (isObject(ms)) {
    const out: Record<string, string[]> = {};
    for (const [name, m] of Object.entries(ms)) {
      if (!outputs.includes(name)) throw new Error(`metrics name output "${name}", but the model's outputs are ${outputs.join(", ")}`);
      out[name] = metricsFromKeras(m, warn);
    }
    return out;
  }
  if (Array.isArray(ms) && ms.some((m) => Array.isArray(m) || m === null)) {
    if (ms.length !== outputs.length) throw new Error(`metrics has ${ms.length} per-output lists for ${outputs.length} outputs`);
    return Object.fromEntries(outputs.map((name, i) => [name, metricsFromKeras(ms[i], warn)]));
  }
  return metricsFromKeras(ms, warn);
}

/** The model's output names (a tfjs Sequential's own `outputNames` stays empty). */
function outputNames(model: tf.LayersModel): string[] {
  return model.outputs.map((o) => o.sourceLayer.name);
}

/** One entry per output: Keras's dict (by output name), list, or one loss for every output. */
function perOutput<T>(v: Json, outputs: string[], what: string, one: (x: Json) => T): T[] {
  if (isObject(v) && !("class_name" in v)) {
    for (const k of Object.keys(v)) {
      if (!outputs.includes(k)) throw new Error(`${what} names output "${k}", but the model's outputs are ${outputs.join(", ")}`);
    }
    return outputs.map((name) => {
      if (!(name in v)) throw new Error(`${what} has no entry for output "${name}"`);
      return one(v[name]);
    });
  }
  if (Array.isArray(v)) {
    if (v.length !== outputs.length) throw new Error(`${what} has ${v.length} entries for ${outputs.length} outputs`);
    return v.map(one);
  }
  return outputs.map(() => one(v));
}

type TfjsLoss = string | LossFn;

/**
 * The tfjs losses for Keras's `loss` and `loss_weights`: unchanged when every weight is 1; otherwise one function per
 * output, scaled by its weight (tfjs's own loss functions are taken from a first compile).
 */
function compileLosses(model: tf.LayersModel, optimizer: tf.Optimizer, cc: JsonObject): TfjsLoss | TfjsLoss[] {
  const outputs = outputNames(model);
  const specs = perOutput(cc.loss, outputs, "loss", (x) => x);
  const losses = specs.map(lossFromKeras);
  const weights = cc.loss_weights === null || cc.loss_weights === undefined
    ? outputs.map(() => 1)
    : perOutput(cc.loss_weights, outputs, "loss_weights", (w) => {
        if (typeof w !== "number" || !Number.isFinite(w)) throw new Error(`loss_weights entry ${JSON.stringify(w)} is not a number`);
        return w;
      });
  const single = !(isObject(cc.loss) && !("class_name" in cc.loss)) && !Array.isArray(cc.loss);
  if (weights.every((w) => w === 1)) return single ? losses[0] : losses;
  model.compile({ optimizer, loss: losses as string[] });
  const resolved = (model as unknown as { lossFunctions: ((a: tf.Tensor, b: tf.Tensor) => tf.Tensor)[] }).lossFunctions;
  return resolved.map((fn, i) => (weights[i] === 1 ? losses[i] : weightedLoss(fn, specs[i], weights[i])));
}

/**
 * Compiles a loaded model as Keras's `compile_config` says, when tfjs has the pieces. Returns false (after a
 * warning) when it cannot: the model then still predicts, and can be compiled by hand before `fit`.
 */
export function applyCompileConfig(model: tf.LayersModel, cc: Json, warn: (msg: string) => void): boolean {
  if (!isObject(cc)) return false;
  try {
    if (cc.loss === null || cc.loss === undefined) throw new Error("the compile_config has no loss");
    let optimizer: tf.Optimizer;
    if (cc.optimizer === undefined || cc.optimizer === null) {
      // Keras compiles with its default optimizer (RMSprop) in this case.
      warn("the compile_config has no optimizer; using rmsprop, Keras's default");
      optimizer = tf.train.rmsprop(0.001, 0.9, 0, 1e-7);
    } else {
      optimizer = optimizerFromKeras(cc.optimizer);
    }
    const metrics = metricsForOutputs(cc.metrics ?? null, outputNames(model), warn);
    const loss = compileLosses(model, optimizer, cc);
    model.compile({ optimizer, loss: loss as string, metrics: metrics as string[] });
    return true;
  } catch (e) {
    warn(`model not compiled: ${(e as Error).message}. Call model.compile(...) yourself before fit.`);
    return false;
  }
}
