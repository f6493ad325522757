import type { JsonObject } from "../json.js";
import { activationToKeras3, activationToTfjs, notNull, objectsToKeras3, objectsToTfjs, pick, refuse, tuple, type Warn } from "./common.js";
import type { LayerMapping } from "./registry.js";
import { regularizerToKeras3 } from "../objects.js";

/** Convolutions: the same key set in both libraries, with Keras's tuples written out. */

const readConv = (c: JsonObject, w: string, warn: Warn): JsonObject => {
  refuse(c, w, { lora_rank: notNull, groups: (v) => v !== 1 && v !== null });
  return {
    ...pick(c, ["filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "use_bias"]),
    activation: activationToTfjs(c.activation, w, warn),
    ...objectsToTfjs(c, w, ["kernel", "bias"]),
  };
};

const writeConv = (rank: number) => (c: JsonObject, w: string): JsonObject => ({
  filters: c.filters,
  kernel_size: tuple(c.kernel_size, rank, w, "kernel_size"),
  strides: tuple(c.strides ?? 1, rank, w, "strides"),
  padding: c.padding ?? "valid",
  data_format: c.data_format ?? "channels_last",
  dilation_rate: tuple(c.dilation_rate ?? 1, rank, w, "dilation_rate"),
  groups: 1,
  activation: activationToKeras3(c.activation, w),
  use_bias: c.use_bias ?? true,
  ...objectsToKeras3(c, w, ["kernel", "bias"]),
  activity_regularizer: regularizerToKeras3(c.activity_regularizer, w),
});

/** Keras 3 writes activity_regularizer between the regularizers and constraints; order is cosmetic, kept anyway. */
function kerasOrder(o: JsonObject): JsonObject {
  const { kernel_constraint, bias_constraint, ...rest } = o;
  return { ...rest, kernel_constraint, bias_constraint };
}

export const CONV_LAYERS: LayerMapping[] = [
  { keras: "Conv1D", tfjs: "Conv1D", read: readConv, write: (c, w) => kerasOrder(writeConv(1)(c, w)) },
  { keras: "Conv2D", tfjs: "Conv2D", read: readConv, write: (c, w) => kerasOrder(writeConv(2)(c, w)) },
];
