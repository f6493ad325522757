import { KERAS_HARD_SIGMOID } from "../../layers/keras-hard-sigmoid.js";
import type { Json, JsonObject } from "./json.js";
import { constraintToKeras3, initializerToKeras3, regularizerToKeras3 } from "./objects.js";

/**
 * Layer configs from tfjs's Keras-2 style `toJSON()` to Keras 3 `config` objects. Each builder emits exactly the key
 * set Keras 3.3–3.5 writes for that class: Keras 3 layer constructors reject unknown keyword arguments, so copying
 * tfjs leftovers (`batch_input_shape`, `input_length`, `implementation`) would break loading.
 */

type Builder = (c: JsonObject, where: string) => JsonObject;

/** Layer classes the writer supports (tfjs class name = Keras 3 class name for all of them). */
export const SUPPORTED_LAYER_CLASSES = [
  "InputLayer", "Dense", "Conv2D", "MaxPooling2D", "AveragePooling2D", "Flatten", "Dropout", "BatchNormalization",
  "Activation", "Embedding", "SimpleRNN", "LSTM", "GRU", "Reshape", "Rescaling",
  "Conv1D", "MaxPooling1D", "AveragePooling1D", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
  "GlobalMaxPooling1D", "GlobalMaxPooling2D", "LayerNormalization", "ZeroPadding2D", "UpSampling2D", "LeakyReLU",
  "Concatenate", "Add", "Multiply", "Average", "Maximum", "Minimum", "Normalization",
] as const;

/** Keras stores sizes, strides and dilations as tuples of the layer's rank. */
function tuple(v: Json, n: number, where: string, key: string): Json {
  if (typeof v === "number") return Array.from({ length: n }, () => v);
  if (Array.isArray(v) && v.length === n) return v;
  throw new Error(`${where}: unexpected ${key} ${JSON.stringify(v)}`);
}

/** Activation names are shared, except that tfjs's `linear` etc. are also Keras 3 names; reject tfjs-only ones. */
const KERAS3_ACTIVATIONS = new Set([
  "linear", "relu", "relu6", "elu", "selu", "sigmoid", "hard_sigmoid", "tanh", "softmax", "softplus", "softsign",
  "swish", "silu", "gelu", "mish", "log_softmax", "exponential",
]);

function activation(v: Json, where: string): Json {
  // Keras 3's own hard_sigmoid formula, loaded from a Keras file (tfjs's "hard_sigmoid" is the other formula).
  if (v === KERAS_HARD_SIGMOID) return "hard_sigmoid";
  const name = v === null || v === undefined ? "linear" : v;
  if (typeof name !== "string") throw new Error(`${where}: unexpected activation ${JSON.stringify(v)}`);
  if (!KERAS3_ACTIVATIONS.has(name)) throw new Error(`${where}: activation "${name}" has no Keras 3 equivalent`);
  return name;
}

const dense: Builder = (c, w) => {
  const out: JsonObject = {
    units: c.units,
    activation: activation(c.activation, w),
    use_bias: c.use_bias ?? true,
    kernel_initializer: initializerToKeras3(c.kernel_initializer, w),
    bias_initializer: initializerToKeras3(c.bias_initializer, w),
    kernel_regularizer: regularizerToKeras3(c.kernel_regularizer, w),
    bias_regularizer: regularizerToKeras3(c.bias_regularizer, w),
    kernel_constraint: constraintToKeras3(c.kernel_constraint, w),
    bias_constraint: constraintToKeras3(c.bias_constraint, w),
  };
  // Keras's Dense omits activity_regularizer from its config, but its base Layer accepts one.
  const act = regularizerToKeras3(c.activity_regularizer, w);
  if (act !== null) out.activity_regularizer = act;
  return out;
};

const conv = (rank: number): Builder => (c, w) => ({
  filters: c.filters,
  kernel_size: tuple(c.kernel_size, rank, w, "kernel_size"),
  strides: tuple(c.strides ?? 1, rank, w, "strides"),
  padding: c.padding ?? "valid",
  data_format: c.data_format ?? "channels_last",
  dilation_rate: tuple(c.dilation_rate ?? 1, rank, w, "dilation_rate"),
  groups: 1,
  activation: activation(c.activation, w),
  use_bias: c.use_bias ?? true,
  kernel_initializer: initializerToKeras3(c.kernel_initializer, w),
  bias_initializer: initializerToKeras3(c.bias_initializer, w),
  kernel_regularizer: regularizerToKeras3(c.kernel_regularizer, w),
  bias_regularizer: regularizerToKeras3(c.bias_regularizer, w),
  activity_regularizer: regularizerToKeras3(c.activity_regularizer, w),
  kernel_constraint: constraintToKeras3(c.kernel_constraint, w),
  bias_constraint: constraintToKeras3(c.bias_constraint, w),
});

const pooling = (rank: number): Builder => (c, w) => {
  const poolSize = tuple(c.pool_size ?? 2, rank, w, "pool_size");
  return {
    pool_size: poolSize,
    padding: c.padding ?? "valid",
    // Keras stores the effective strides (pool_size when none were given).
    strides: c.strides === null || c.strides === undefined ? poolSize : tuple(c.strides, rank, w, "strides"),
    data_format: c.data_format ?? "channels_last",
  };
};

const globalPooling: Builder = (c) => ({ data_format: c.data_format ?? "channels_last", keepdims: false });

const layerNorm: Builder = (c, w) => ({
  axis: c.axis ?? -1,
  epsilon: c.epsilon ?? 0.001,
  center: c.center ?? true,
  scale: c.scale ?? true,
  beta_initializer: initializerToKeras3(c.beta_initializer, w),
  gamma_initializer: initializerToKeras3(c.gamma_initializer, w),
  beta_regularizer: regularizerToKeras3(c.beta_regularizer ?? null, w),
  gamma_regularizer: regularizerToKeras3(c.gamma_regularizer ?? null, w),
  beta_constraint: null,
  gamma_constraint: null,
});

const batchNorm: Builder = (c, w) => ({
  axis: c.axis ?? -1,
  momentum: c.momentum ?? 0.99,
  epsilon: c.epsilon ?? 0.001,
  center: c.center ?? true,
  scale: c.scale ?? true,
  beta_initializer: initializerToKeras3(c.beta_initializer, w),
  gamma_initializer: initializerToKeras3(c.gamma_initializer, w),
  moving_mean_initializer: initializerToKeras3(c.moving_mean_initializer, w),
  moving_variance_initializer: initializerToKeras3(c.moving_variance_initializer, w),
  beta_regularizer: regularizerToKeras3(c.beta_regularizer, w),
  gamma_regularizer: regularizerToKeras3(c.gamma_regularizer, w),
  beta_constraint: constraintToKeras3(c.beta_constraint, w),
  gamma_constraint: constraintToKeras3(c.gamma_constraint, w),
  synchronized: false,
});

const embedding: Builder = (c, w) => ({
  input_dim: c.input_dim,
  output_dim: c.output_dim,
  embeddings_initializer: initializerToKeras3(c.embeddings_initializer, w),
  embeddings_regularizer: regularizerToKeras3(c.embeddings_regularizer, w),
  activity_regularizer: regularizerToKeras3(c.activity_regularizer, w),
  embeddings_constraint: constraintToKeras3(c.embeddings_constraint, w),
  mask_zero: c.mask_zero === true,
});

/** Keys every Keras 3 RNN layer writes before its cell's keys. */
function rnnBase(c: JsonObject): JsonObject {
  return {
    return_sequences: c.return_sequences ?? false,
    return_state: c.return_state ?? false,
    go_backwards: c.go_backwards ?? false,
    stateful: c.stateful ?? false,
    unroll: c.unroll ?? false,
    zero_output_for_mask: false,
  };
}

function rnnWeights(c: JsonObject, w: string): JsonObject {
  return {
    use_bias: c.use_bias ?? true,
    kernel_initializer: initializerToKeras3(c.kernel_initializer, w),
    recurrent_initializer: initializerToKeras3(c.recurrent_initializer, w),
    bias_initializer: initializerToKeras3(c.bias_initializer, w),
    kernel_regularizer: regularizerToKeras3(c.kernel_regularizer, w),
    recurrent_regularizer: regularizerToKeras3(c.recurrent_regularizer, w),
    bias_regularizer: regularizerToKeras3(c.bias_regularizer, w),
    activity_regularizer: regularizerToKeras3(c.activity_regularizer, w),
    kernel_constraint: constraintToKeras3(c.kernel_constraint, w),
    recurrent_constraint: constraintToKeras3(c.recurrent_constraint, w),
    bias_constraint: constraintToKeras3(c.bias_constraint, w),
    dropout: c.dropout ?? 0,
    recurrent_dropout: c.recurrent_dropout ?? 0,
  };
}

const simpleRnn: Builder = (c, w) => ({
  ...rnnBase(c),
  units: c.units,
  activation: activation(c.activation ?? "tanh", w),
  ...rnnWeights(c, w),
});

const lstm: Builder = (c, w) => ({
  ...rnnBase(c),
  units: c.units,
  activation: activation(c.activation ?? "tanh", w),
  recurrent_activation: activation(c.recurrent_activation ?? "hard_sigmoid", w),
  // tfjs treats a missing unit_forget_bias as false; it only affects initialization.
  unit_forget_bias: c.unit_forget_bias === true,
  ...rnnWeights(c, w),
  seed: null,
});

const gru: Builder = (c, w) => ({
  ...rnnBase(c),
  units: c.units,
  activation: activation(c.activation ?? "tanh", w),
  recurrent_activation: activation(c.recurrent_activation ?? "hard_sigmoid", w),
  ...rnnWeights(c, w),
  // tfjs's GRU is the reset_before variant (bias shape (3u,)); Keras 3 defaults to reset_after (GRUResetAfter).
  reset_after: false,
  seed: null,
});

const BUILDERS: Record<string, Builder> = {
  Dense: dense,
  Conv2D: conv(2),
  Conv1D: conv(1),
  MaxPooling2D: pooling(2),
  AveragePooling2D: pooling(2),
  MaxPooling1D: pooling(1),
  AveragePooling1D: pooling(1),
  GlobalAveragePooling1D: globalPooling,
  GlobalAveragePooling2D: globalPooling,
  GlobalMaxPooling1D: globalPooling,
  GlobalMaxPooling2D: globalPooling,
  LayerNormalization: layerNorm,
  ZeroPadding2D: (c) => ({ padding: c.padding, data_format: c.data_format ?? "channels_last" }),
  UpSampling2D: (c, w) => ({
    size: tuple(c.size ?? 2, 2, w, "size"),
    data_format: c.data_format ?? "channels_last",
    interpolation: c.interpolation ?? "nearest",
  }),
  LeakyReLU: (c) => ({ negative_slope: c.alpha ?? 0.3 }),
  Flatten: (c) => ({ data_format: c.data_format ?? "channels_last" }),
  Dropout: (c) => ({ rate: c.rate, seed: typeof c.seed === "number" ? c.seed : null, noise_shape: c.noise_shape ?? null }),
  BatchNormalization: batchNorm,
  Activation: (c, w) => ({ activation: activation(c.activation, w) }),
  Embedding: embedding,
  SimpleRNN: simpleRnn,
  LSTM: lstm,
  GRU: gru,
  GRUResetAfter: (c, w) => ({ ...gru(c, w), reset_after: true }),
  Reshape: (c) => ({ target_shape: c.target_shape }),
  Rescaling: (c) => ({ scale: c.scale, offset: c.offset ?? 0 }),
  Concatenate: (c) => ({ axis: c.axis ?? -1 }),
  Add: () => ({}),
  Multiply: () => ({}),
  Average: () => ({}),
  Maximum: () => ({}),
  Minimum: () => ({}),
  Normalization: (c) => ({ axis: c.axis ?? [-1], invert: c.invert ?? false, mean: c.mean ?? null, variance: c.variance ?? null }),
};

/** The Keras 3 `config` of one (non-input) layer. */
export function layerConfigToKeras3(className: string, tfjsConfig: JsonObject, dtype: string): JsonObject {
  const where = `layer "${String(tfjsConfig.name)}" (${className})`;
  const build = BUILDERS[className];
  if (!build) {
    throw new Error(
      `Cannot save ${where} to a .keras file: class ${className} is not supported. ` +
        `Supported layers: ${SUPPORTED_LAYER_CLASSES.join(", ")}.`,
    );
  }
  return { name: tfjsConfig.name, trainable: tfjsConfig.trainable ?? true, dtype, ...build(tfjsConfig, where) };
}
