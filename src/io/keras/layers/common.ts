import { KERAS_HARD_SIGMOID } from "../../../layers/keras-hard-sigmoid.js";
import type { Json, JsonObject } from "../json.js";
import {
  constraintToKeras3, constraintToTfjs, initializerToKeras3, initializerToTfjs, regularizerToKeras3, regularizerToTfjs,
} from "../objects.js";

/** Helpers shared by the per-family layer mappings (reading Keras 3 configs and writing them). */

export type Warn = (message: string) => void;

// ---- Keras 3 → tfjs ----

const TFJS_ACTIVATIONS: Record<string, string> = {
  linear: "linear", relu: "relu", relu6: "relu6", elu: "elu", selu: "selu", sigmoid: "sigmoid",
  // Keras 3's hard_sigmoid is relu6(x+3)/6, not tfjs's clip(0.2x+0.5, 0, 1).
  hard_sigmoid: KERAS_HARD_SIGMOID, tanh: "tanh", softmax: "softmax", softplus: "softplus", softsign: "softsign",
  swish: "swish", silu: "swish", gelu: "gelu", mish: "mish", log_softmax: "log_softmax",
};

/** A Keras activation name as tfjs spells it, or an error naming it. */
export function activationToTfjs(v: Json, where: string, _warn: Warn): Json {
  if (v === null || v === undefined) return "linear";
  const name = typeof v === "string" ? v : undefined;
  const t = name ? TFJS_ACTIVATIONS[name] : undefined;
  if (!t) throw new Error(`${where}: activation ${JSON.stringify(v)} is not available in TensorFlow.js`);
  return t;
}

/** Throws, naming the key, when a config value is one tfjs cannot honour. */
export function refuse(c: JsonObject, where: string, checks: Record<string, (v: Json) => boolean>): void {
  for (const [key, bad] of Object.entries(checks)) {
    if (key in c && bad(c[key])) {
      throw new Error(`${where}: ${key}=${JSON.stringify(c[key])} is not supported by TensorFlow.js`);
    }
  }
}

export const notNull = (v: Json) => v !== null && v !== undefined && v !== 0;

/** The `<p>_initializer/_regularizer/_constraint` keys of a Keras config, converted for tfjs. */
export function objectsToTfjs(c: JsonObject, where: string, prefixes: string[]): JsonObject {
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

export function pick(c: JsonObject, keys: string[]): JsonObject {
  const out: JsonObject = {};
  for (const k of keys) if (k in c) out[k] = c[k];
  return out;
}

// ---- tfjs → Keras 3 ----

/** Keras stores sizes, strides and dilations as tuples of the layer's rank. */
export function tuple(v: Json, n: number, where: string, key: string): Json {
  if (typeof v === "number") return Array.from({ length: n }, () => v);
  if (Array.isArray(v) && v.length === n) return v;
  throw new Error(`${where}: unexpected ${key} ${JSON.stringify(v)}`);
}

const KERAS3_ACTIVATIONS = new Set([
  "linear", "relu", "relu6", "elu", "selu", "sigmoid", "hard_sigmoid", "tanh", "softmax", "softplus", "softsign",
  "swish", "silu", "gelu", "mish", "log_softmax", "exponential",
]);

/** A tfjs activation name as Keras 3 spells it; tfjs-only names are refused. */
export function activationToKeras3(v: Json, where: string): Json {
  // Keras 3's own hard_sigmoid formula, loaded from a Keras file (tfjs's "hard_sigmoid" is the other formula).
  if (v === KERAS_HARD_SIGMOID) return "hard_sigmoid";
  const name = v === null || v === undefined ? "linear" : v;
  if (typeof name !== "string") throw new Error(`${where}: unexpected activation ${JSON.stringify(v)}`);
  if (!KERAS3_ACTIVATIONS.has(name)) throw new Error(`${where}: activation "${name}" has no Keras 3 equivalent`);
  return name;
}

/** `<p>_initializer`, `<p>_regularizer`, `<p>_constraint` for each prefix, in Keras's key order (all initializers first). */
export function objectsToKeras3(c: JsonObject, where: string, prefixes: string[]): JsonObject {
  const out: JsonObject = {};
  for (const p of prefixes) out[`${p}_initializer`] = initializerToKeras3(c[`${p}_initializer`], where);
  for (const p of prefixes) out[`${p}_regularizer`] = regularizerToKeras3(c[`${p}_regularizer`] ?? null, where);
  for (const p of prefixes) out[`${p}_constraint`] = constraintToKeras3(c[`${p}_constraint`] ?? null, where);
  return out;
}
