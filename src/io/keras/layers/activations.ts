import type { JsonObject } from "../json.js";
import { objectsToKeras3, objectsToTfjs, refuse } from "./common.js";
import type { LayerMapping } from "./registry.js";

/**
 * Activation layers with parameters (the plain Activation layer is in core.ts). Keras 3 folds ThresholdedReLU and
 * LeakyReLU-like slopes into ReLU(max_value, negative_slope, threshold); tfjs keeps separate classes, so a Keras ReLU
 * is read as whichever tfjs class computes the same function, and tfjs's ThresholdedReLU is written as
 * ReLU(threshold=theta) (both compute x where x > theta, else 0).
 */

function num(v: unknown, d: number): number {
  return typeof v === "number" ? v : d;
}

/** A Keras ReLU as the tfjs class that computes the same function. */
function readRelu(c: JsonObject, w: string): { tfjs: string; config: JsonObject } {
  const max = c.max_value ?? null;
  const slope = num(c.negative_slope, 0);
  const threshold = num(c.threshold, 0);
  if (slope === 0 && threshold === 0) return { tfjs: "ReLU", config: { max_value: max } };
  if (slope === 0 && max === null) return { tfjs: "ThresholdedReLU", config: { theta: threshold } };
  if (threshold === 0 && max === null) return { tfjs: "LeakyReLU", config: { alpha: slope } };
  throw new Error(
    `${w}: ReLU(max_value=${JSON.stringify(max)}, negative_slope=${slope}, threshold=${threshold}) combines options no ` +
      "single TensorFlow.js layer has (tfjs offers ReLU(maxValue), LeakyReLU(alpha) and ThresholdedReLU(theta))",
  );
}

export const ACTIVATION_LAYERS: LayerMapping[] = [
  {
    keras: "LeakyReLU",
    tfjs: "LeakyReLU",
    read: (c) => ({ alpha: c.negative_slope ?? c.alpha ?? 0.3 }),
    write: (c) => ({ negative_slope: c.alpha ?? 0.3 }),
  },
  {
    keras: "ReLU",
    tfjs: "ReLU",
    read: (c, w) => readRelu(c, w).config,
    readClass: (c, w) => readRelu(c, w).tfjs,
    write: (c) => ({ max_value: c.max_value ?? null, negative_slope: 0, threshold: 0 }),
  },
  {
    keras: "ReLU",
    tfjs: "ThresholdedReLU",
    write: (c) => ({ max_value: null, negative_slope: 0, threshold: num(c.theta, 1) }),
    note: "saved as Keras ReLU(threshold=theta), which computes the same function",
  },
  {
    // Keras 3's ELU has no get_config of its own, so files Keras writes lack `alpha` (1.0 on load); it accepts one.
    keras: "ELU",
    tfjs: "ELU",
    read: (c, w) => {
      // tfjs's ELU throws "Non-default alpha value is not supported yet" for anything else.
      refuse(c, w, { alpha: (v) => typeof v === "number" && v !== 1 });
      return { alpha: 1 };
    },
    write: (c) => ({ alpha: num(c.alpha, 1) }),
  },
  {
    keras: "Softmax",
    tfjs: "Softmax",
    read: (c, w) => {
      // tfjs's softmax works along the last axis only; Keras allows any.
      const axis = Array.isArray(c.axis) && c.axis.length === 1 ? c.axis[0] : c.axis ?? -1;
      if (axis !== -1) throw new Error(`${w}: axis=${JSON.stringify(c.axis)} is not supported: TensorFlow.js's softmax works along the last axis only`);
      return { axis: -1 };
    },
    // tfjs runs softmax along the last axis only (and defaults to axis 1), so -1 is what every working layer does.
    write: () => ({ axis: -1 }),
    note: "tfjs's Softmax ignores an incoming mask (Keras's adds -inf at masked positions)",
  },
  {
    keras: "PReLU",
    tfjs: "PReLU",
    read: (c, w) => ({ shared_axes: c.shared_axes ?? null, ...objectsToTfjs(c, w, ["alpha"]) }),
    write: (c, w) => ({ ...objectsToKeras3(c, w, ["alpha"]), shared_axes: c.shared_axes ?? null }),
  },
];
