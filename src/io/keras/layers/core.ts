import type { JsonObject } from "../json.js";
import { initializerToKeras3, regularizerToKeras3, constraintToKeras3 } from "../objects.js";
import { activationToKeras3, activationToTfjs, notNull, objectsToTfjs, pick, refuse } from "./common.js";
import type { LayerMapping } from "./registry.js";

/** Core layers: Dense, Activation, Flatten, Dropout, Reshape, Embedding, Masking, Rescaling. */
export const CORE_LAYERS: LayerMapping[] = [
  {
    keras: "Dense",
    tfjs: "Dense",
    read: (c, w, warn) => {
      refuse(c, w, { lora_rank: notNull, quantization_config: notNull });
      return { ...pick(c, ["units", "use_bias"]), activation: activationToTfjs(c.activation, w, warn), ...objectsToTfjs(c, w, ["kernel", "bias"]) };
    },
    write: (c, w) => {
      const out: JsonObject = {
        units: c.units,
        activation: activationToKeras3(c.activation, w),
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
    },
  },
  {
    keras: "Activation",
    tfjs: "Activation",
    read: (c, w, warn) => ({ activation: activationToTfjs(c.activation, w, warn) }),
    write: (c, w) => ({ activation: activationToKeras3(c.activation, w) }),
  },
  {
    keras: "Flatten",
    tfjs: "Flatten",
    read: (c) => pick(c, ["data_format"]),
    write: (c) => ({ data_format: c.data_format ?? "channels_last" }),
  },
  {
    keras: "Dropout",
    tfjs: "Dropout",
    read: (c) => pick(c, ["rate", "noise_shape", "seed"]),
    write: (c) => ({ rate: c.rate, seed: typeof c.seed === "number" ? c.seed : null, noise_shape: c.noise_shape ?? null }),
  },
  {
    keras: "Reshape",
    tfjs: "Reshape",
    read: (c) => pick(c, ["target_shape"]),
    write: (c) => ({ target_shape: c.target_shape }),
  },
  {
    keras: "Embedding",
    tfjs: "Embedding",
    read: (c, w) => {
      refuse(c, w, { lora_rank: notNull, quantization_config: notNull });
      return { ...pick(c, ["input_dim", "output_dim", "mask_zero"]), ...objectsToTfjs(c, w, ["embeddings"]) };
    },
    write: (c, w) => ({
      input_dim: c.input_dim,
      output_dim: c.output_dim,
      embeddings_initializer: initializerToKeras3(c.embeddings_initializer, w),
      embeddings_regularizer: regularizerToKeras3(c.embeddings_regularizer, w),
      activity_regularizer: regularizerToKeras3(c.activity_regularizer, w),
      embeddings_constraint: constraintToKeras3(c.embeddings_constraint, w),
      mask_zero: c.mask_zero === true,
    }),
  },
  {
    keras: "Rescaling",
    tfjs: "Rescaling",
    read: (c, w) => {
      refuse(c, w, { scale: (v) => typeof v !== "number", offset: (v) => typeof v !== "number" });
      return pick(c, ["scale", "offset"]);
    },
    write: (c) => ({ scale: c.scale, offset: c.offset ?? 0 }),
  },
  {
    keras: "Masking",
    tfjs: "Masking",
    read: (c, w) => {
      refuse(c, w, { mask_value: (v) => typeof v !== "number" });
      return { mask_value: c.mask_value };
    },
    write: (c) => ({ mask_value: c.mask_value ?? 0 }),
  },
];
