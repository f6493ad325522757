import type * as tf from "@tensorflow/tfjs";
import type { Json, JsonObject } from "../json.js";
import { regularizerToKeras3 } from "../objects.js";
import { activationToKeras3, activationToTfjs, notNull, objectsToKeras3, objectsToTfjs, pick, refuse, tuple, type Warn } from "./common.js";
import type { LayerMapping } from "./registry.js";

/**
 * Convolutions. Both libraries store kernels in the same shapes: Conv (k…, in, filters), transposed Conv
 * (k…, filters, in), depthwise (kh, kw, in, multiplier), separable depthwise + pointwise (1, 1, in·m, filters).
 */

const ones = (v: Json) => (Array.isArray(v) ? v.some((x) => x !== 1) : v !== 1 && v !== null && v !== undefined);

const GEOMETRY = ["kernel_size", "strides", "padding", "data_format", "dilation_rate", "use_bias"];

/** Activation, geometry and the listed weight objects, read from a Keras conv config. */
const readWith = (keys: string[], prefixes: string[], check: (c: JsonObject, w: string) => void = () => {}) =>
  (c: JsonObject, w: string, warn: Warn): JsonObject => {
    refuse(c, w, { lora_rank: notNull, groups: (v) => v !== 1 && v !== null });
    check(c, w);
    return { ...pick(c, keys), activation: activationToTfjs(c.activation, w, warn), ...objectsToTfjs(c, w, prefixes) };
  };

/** Keras's conv key order: geometry, activation, use_bias, initializers, regularizers, activity, constraints. */
function writeWith(rank: number, head: (c: JsonObject, layer: tf.layers.Layer) => JsonObject, prefixes: string[], extra: (c: JsonObject, w: string) => JsonObject = () => ({})) {
  return (c: JsonObject, w: string, layer: tf.layers.Layer): JsonObject => {
    const objects = objectsToKeras3(c, w, prefixes);
    const constraints = Object.fromEntries(Object.entries(objects).filter(([k]) => k.endsWith("_constraint")));
    const rest = Object.fromEntries(Object.entries(objects).filter(([k]) => !k.endsWith("_constraint")));
    return {
      ...head(c, layer),
      kernel_size: tuple(c.kernel_size, rank, w, "kernel_size"),
      strides: tuple(c.strides ?? 1, rank, w, "strides"),
      padding: c.padding ?? "valid",
      ...extra(c, w),
      data_format: c.data_format ?? "channels_last",
      dilation_rate: tuple(c.dilation_rate ?? 1, rank, w, "dilation_rate"),
      ...(prefixes.includes("kernel") && !("output_padding" in extra(c, w)) ? { groups: 1 } : {}),
      activation: activationToKeras3(c.activation, w),
      use_bias: c.use_bias ?? true,
      ...rest,
      activity_regularizer: regularizerToKeras3(c.activity_regularizer, w),
      ...constraints,
    };
  };
}

const conv = (cls: string, rank: number): LayerMapping => ({
  keras: cls,
  tfjs: cls,
  read: readWith(["filters", ...GEOMETRY], ["kernel", "bias"]),
  write: writeWith(rank, (c) => ({ filters: c.filters }), ["kernel", "bias"]),
});

const convTranspose = (cls: string, rank: number): LayerMapping => ({
  keras: cls,
  tfjs: cls,
  // tfjs's transposed convolutions have no output_padding and no dilation.
  read: readWith(["filters", "kernel_size", "strides", "padding", "data_format", "use_bias"], ["kernel", "bias"], (c, w) =>
    refuse(c, w, { output_padding: (v) => v !== null && v !== undefined, dilation_rate: ones }),
  ),
  write: writeWith(rank, (c) => ({ filters: c.filters }), ["kernel", "bias"], () => ({ output_padding: null })),
});

export const CONV_LAYERS: LayerMapping[] = [
  conv("Conv1D", 1),
  conv("Conv2D", 2),
  conv("Conv3D", 3),
  convTranspose("Conv2DTranspose", 2),
  // Correct on wasm only with tslab-fit's Conv3DBackpropInputV2 kernel (src/kernels/wasm/conv3d-backprop-input.ts).
  convTranspose("Conv3DTranspose", 3),
  {
    keras: "DepthwiseConv2D",
    tfjs: "DepthwiseConv2D",
    read: readWith(["depth_multiplier", ...GEOMETRY], ["depthwise", "bias"]),
    write: writeWith(2, (c) => ({ depth_multiplier: c.depth_multiplier ?? 1 }), ["depthwise", "bias"]),
  },
  {
    keras: "SeparableConv2D",
    tfjs: "SeparableConv2D",
    read: readWith(["depth_multiplier", "filters", ...GEOMETRY], ["depthwise", "pointwise", "bias"]),
        // tfjs leaves depth_multiplier out of SeparableConv2D's toJSON(); the layer object has it.
    write: writeWith(2, (c, layer) => ({ depth_multiplier: (layer as unknown as { depthMultiplier: number }).depthMultiplier, filters: c.filters }), ["depthwise", "pointwise", "bias"]),
  },
];
