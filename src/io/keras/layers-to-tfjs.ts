import { isObject, type Json, type JsonObject } from "./json.js";
import { KERAS_HARD_SIGMOID } from "../../layers/keras-hard-sigmoid.js";
import { SUPPORTED_LAYER_CLASSES } from "./layers-to-keras3.js";
import { tfjsClassName } from "./own-layers.js";
import { constraintToTfjs, initializerToTfjs, regularizerToTfjs } from "./objects.js";

/**
 * Keras 3 layer configs to the Keras-2 style configs tfjs deserializes. Each converter copies the keys tfjs
 * understands, converts nested objects, ignores keys that do not change the computation (`seed`,
 * `quantization_config: null`, `synchronized`, …) and refuses settings tfjs cannot honour, naming them.
 */

type Converter = (c: JsonObject, where: string, warn: (m: string) => void) => JsonObject;

/** Layer classes the reader rebuilds: the same set the writer supports, in both directions. */
export const READABLE_LAYER_CLASSES = SUPPORTED_LAYER_CLASSES;

/** Keras 3 data-augmentation layers: identity at inference, so a Sequential may drop them on request. */
export const AUGMENTATION_LAYER_CLASSES = new Set([
  "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast", "RandomBrightness",
  "RandomCrop", "RandomHeight", "RandomWidth", "GaussianNoise", "GaussianDropout", "AlphaDropout",
]);

const TFJS_ACTIVATIONS: Record<string, string> = {
  linear: "linear", relu: "relu", relu6: "relu6", elu: "elu", selu: "selu", sigmoid: "sigmoid",
  // Keras 3's hard_sigmoid is relu6(x+3)/6, not tfjs's clip(0.2x+0.5, 0, 1).
  hard_sigmoid: KERAS_HARD_SIGMOID, tanh: "tanh", softmax: "softmax", softplus: "softplus", softsign: "softsign",
  swish: "swish", silu: "swish", gelu: "gelu", mish: "mish", log_softmax: "log_softmax",
};

function activation(v: Json, where: string, warn: (m: string) => void): Json {
  if (v === null || v === undefined) return "linear";
  const name = typeof v === "string" ? v : undefined;
  const t = name ? TFJS_ACTIVATIONS[name] : undefined;
  if (!t) throw new Error(`${where}: activation ${JSON.stringify(v)} is not available in TensorFlow.js`);
  return t;
}

function refuse(c: JsonObject, where: string, checks: Record<string, (v: Json) => boolean>): void {
  for (const [key, bad] of Object.entries(checks)) {
    if (key in c && bad(c[key])) {
      throw new Error(`${where}: ${key}=${JSON.stringify(c[key])} is not supported by TensorFlow.js`);
    }
  }
}

const notNull = (v: Json) => v !== null && v !== undefined && v !== 0;

function objects(c: JsonObject, where: string, prefixes: string[]): JsonObject {
  const out: JsonObject = {};
  for (const p of prefixes) {
    if (`${p}_initializer` in c) out[`${p}_initializer`] = initializerToTfjs(c[`${p}_initializer`], `${where} ${p}_initializer`);
    if (`${p}_regularizer` in c) out[`${p}_regularizer`] = regularizerToTfjs(c[`${p}_regularizer`], `${where} ${p}_regularizer`);
    if (`${p}_constraint` in c) out[`${p}_constraint`] = constraintToTfjs(c[`${p}_constraint`], `${where} ${p}_constraint`);
  }
  // tfjs refuses to call layers that have one ("not supported yet"), so say so up front.
  refuse(c, where, { activity_regularizer: (v) => v !== null && v !== undefined });
  return out;
}

function pick(c: JsonObject, keys: string[]): JsonObject {
  const out: JsonObject = {};
  for (const k of keys) if (k in c) out[k] = c[k];
  return out;
}

const dense: Converter = (c, w, warn) => {
  refuse(c, w, { lora_rank: notNull, quantization_config: notNull });
  return { ...pick(c, ["units", "use_bias"]), activation: activation(c.activation, w, warn), ...objects(c, w, ["kernel", "bias"]) };
};

const conv2d: Converter = (c, w, warn) => {
  refuse(c, w, { lora_rank: notNull, groups: (v) => v !== 1 && v !== null });
  return {
    ...pick(c, ["filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "use_bias"]),
    activation: activation(c.activation, w, warn),
    ...objects(c, w, ["kernel", "bias"]),
  };
};

const rnnCommon = ["units", "use_bias", "dropout", "recurrent_dropout", "return_sequences", "return_state", "go_backwards", "stateful", "unroll"];

const rnn = (kind: "SimpleRNN" | "LSTM" | "GRU"): Converter => (c, w, warn) => {
  const out: JsonObject = {
    ...pick(c, rnnCommon),
    activation: activation(c.activation ?? "tanh", w, warn),
    ...objects(c, w, ["kernel", "recurrent", "bias"]),
  };
  if (kind !== "SimpleRNN") out.recurrent_activation = activation(c.recurrent_activation ?? "sigmoid", w, warn);
  if (kind === "LSTM") out.unit_forget_bias = c.unit_forget_bias ?? true;
  // Keras's default reset_after=True GRU is rebuilt as GRUResetAfter (see tfjsClassName).
  if (kind === "GRU") out.reset_after = c.reset_after === false ? false : true;
  return out;
};

const pooling: Converter = (c) => pick(c, ["pool_size", "padding", "strides", "data_format"]);

const globalPooling = (rank: number): Converter => (c, w) => {
  refuse(c, w, { keepdims: (v) => v === true });
  // tfjs's 1D global pooling has no data_format and works on channels_last only.
  if (rank === 1) {
    refuse(c, w, { data_format: (v) => v !== "channels_last" && v !== null });
    return {};
  }
  return pick(c, ["data_format"]);
};

const CONVERTERS: Record<string, Converter> = {
  Dense: dense,
  Conv2D: conv2d,
  Conv1D: conv2d,
  MaxPooling2D: pooling,
  AveragePooling2D: pooling,
  MaxPooling1D: pooling,
  AveragePooling1D: pooling,
  GlobalAveragePooling1D: globalPooling(1),
  GlobalAveragePooling2D: globalPooling(2),
  GlobalMaxPooling1D: globalPooling(1),
  GlobalMaxPooling2D: globalPooling(2),
  LayerNormalization: (c, w) => {
    refuse(c, w, { rms_scaling: (v) => v === true });
    return { ...pick(c, ["axis", "epsilon", "center", "scale"]), ...objects(c, w, ["beta", "gamma"]) };
  },
  ZeroPadding2D: (c) => pick(c, ["padding", "data_format"]),
  UpSampling2D: (c) => pick(c, ["size", "data_format", "interpolation"]),
  LeakyReLU: (c) => ({ alpha: c.negative_slope ?? c.alpha ?? 0.3 }),
  Flatten: (c) => pick(c, ["data_format"]),
  Dropout: (c) => pick(c, ["rate", "noise_shape", "seed"]),
  BatchNormalization: (c, w) => {
    if (Array.isArray(c.axis)) refuse(c, w, { axis: (v) => (v as Json[]).length !== 1 });
    const out = {
      ...pick(c, ["momentum", "epsilon", "center", "scale"]),
      axis: Array.isArray(c.axis) ? c.axis[0] : c.axis ?? -1,
      ...objects(c, w, ["beta", "gamma", "moving_mean", "moving_variance"]),
    };
    return out;
  },
  Activation: (c, w, warn) => ({ activation: activation(c.activation, w, warn) }),
  Embedding: (c, w) => {
    refuse(c, w, { lora_rank: notNull, quantization_config: notNull });
    return { ...pick(c, ["input_dim", "output_dim", "mask_zero"]), ...objects(c, w, ["embeddings"]) };
  },
  SimpleRNN: rnn("SimpleRNN"),
  LSTM: rnn("LSTM"),
  GRU: rnn("GRU"),
  Reshape: (c) => pick(c, ["target_shape"]),
  Rescaling: (c, w) => {
    refuse(c, w, { scale: (v) => typeof v !== "number", offset: (v) => typeof v !== "number" });
    return pick(c, ["scale", "offset"]);
  },
  Concatenate: (c) => pick(c, ["axis"]),
  Add: () => ({}),
  Multiply: () => ({}),
  Average: () => ({}),
  Maximum: () => ({}),
  Minimum: () => ({}),
  // tslab-fit's own Normalization layer (src/layers/normalization.ts).
  Normalization: (c) => pick(c, ["axis", "invert", "mean", "variance"]),
};

/** A Keras layer dtype (string or DTypePolicy envelope) as a plain name. */
export function dtypeName(d: Json): string {
  if (typeof d === "string") return d;
  if (isObject(d) && isObject(d.config) && typeof d.config.name === "string") return d.config.name;
  return "float32";
}

/** The tfjs `{class_name, config}` of one non-input Keras 3 layer entry. */
export function layerToTfjs(entry: JsonObject, warn: (m: string) => void): JsonObject {
  const cls = String(entry.class_name);
  const c = isObject(entry.config) ? entry.config : {};
  const where = `layer "${String(c.name ?? entry.name)}" (${cls})`;
  if (cls === "Sequential" || cls === "Functional" || cls === "Model") {
    throw new Error(`${where}: nested models are not supported by tslab-fit's .keras reader`);
  }
  const convert = CONVERTERS[cls];
  if (!convert) {
    const hint = AUGMENTATION_LAYER_CLASSES.has(cls)
      ? " It only acts during training; pass { dropAugmentation: true } to loadKeras to load the model without it."
      : "";
    throw new Error(
      `${where} is not supported: TensorFlow.js has no ${cls} layer that tslab-fit can map. ` +
        `Supported: ${READABLE_LAYER_CLASSES.join(", ")}.${hint}`,
    );
  }
  if (entry.registered_name !== null && entry.registered_name !== undefined && entry.registered_name !== cls) {
    throw new Error(`${where}: custom object "${String(entry.registered_name)}" cannot be rebuilt in TensorFlow.js`);
  }
  const dtype = dtypeName(c.dtype ?? null);
  if (dtype !== "float32") warn(`${where}: dtype policy "${dtype}" loaded as float32`);
  return {
    class_name: tfjsClassName(cls, c),
    config: { name: c.name ?? entry.name ?? null, trainable: c.trainable ?? true, ...convert(c, where, warn) },
  };
}
