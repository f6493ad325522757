import "../../../layers/normalization.js";
import type { Json } from "../json.js";
import { initializerToKeras3, regularizerToKeras3, constraintToKeras3 } from "../objects.js";
import { objectsToTfjs, pick, refuse } from "./common.js";
import type { LayerMapping } from "./registry.js";

/** BatchNormalization, LayerNormalization and Normalization (tslab-fit's own layer, src/layers/normalization.ts). */
export const NORMALIZATION_LAYERS: LayerMapping[] = [
  {
    keras: "BatchNormalization",
    tfjs: "BatchNormalization",
    read: (c, w) => {
      if (Array.isArray(c.axis)) refuse(c, w, { axis: (v) => (v as Json[]).length !== 1 });
      return {
        ...pick(c, ["momentum", "epsilon", "center", "scale"]),
        axis: Array.isArray(c.axis) ? c.axis[0] : c.axis ?? -1,
        ...objectsToTfjs(c, w, ["beta", "gamma", "moving_mean", "moving_variance"]),
      };
    },
    write: (c, w) => ({
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
    }),
  },
  {
    keras: "LayerNormalization",
    tfjs: "LayerNormalization",
    read: (c, w) => {
      refuse(c, w, { rms_scaling: (v) => v === true });
      return { ...pick(c, ["axis", "epsilon", "center", "scale"]), ...objectsToTfjs(c, w, ["beta", "gamma"]) };
    },
    write: (c, w) => ({
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
    }),
  },
  {
    // Adapted statistics are weights (mean, variance, int count); fixed ones live in the config, as in Keras.
    keras: "Normalization",
    tfjs: "Normalization",
    read: (c) => pick(c, ["axis", "invert", "mean", "variance"]),
    write: (c) => ({ axis: c.axis ?? [-1], invert: c.invert ?? false, mean: c.mean ?? null, variance: c.variance ?? null }),
    note: "tslab-fit's own tfjs layer (tfjs-layers has none), with adapt(data)",
  },
];
