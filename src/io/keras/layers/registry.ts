import type * as tf from "@tensorflow/tfjs";
import type { Json, JsonObject } from "../json.js";
import type { Warn } from "./common.js";

/**
 * One small mapping per layer class, grouped by family (core.ts, conv.ts, …) and registered in layers/index.ts.
 * A mapping says how a Keras 3 class and a tfjs class correspond: how to read a Keras config into the Keras-2 style
 * config tfjs deserializes, how to write tfjs's `toJSON()` config as Keras 3 writes it, and where the layer's
 * variables sit in model.weights.h5.
 */

/** One `vars` group of model.weights.h5 and the tfjs variables it holds, in Keras's order. */
export interface VarsGroup {
  /** e.g. `layers/dense_1/vars` or `layers/bidirectional/forward_layer/cell/vars`. */
  path: string;
  /** The `name` attribute Keras ≥ 3.6 puts on the group. */
  name: string;
  vars: tf.LayerVariable[];
}

/** The groups of a child object (inner layer, cell, nested model) placed under `base`. */
export type ChildGroups = (child: tf.layers.Layer, base: string) => VarsGroup[];

/** Converts a wrapped layer (Bidirectional's, TimeDistributed's) while reading: Keras envelope → tfjs `{class_name, config}`. */
export interface NestedRead {
  toTfjs(entry: JsonObject): JsonObject;
}

/** Converts a wrapped tfjs layer while writing: the layer and its tfjs config → a Keras 3 envelope. */
export interface NestedWrite {
  toKeras(layer: tf.layers.Layer, tfjsConfig: JsonObject): JsonObject;
}

export interface LayerMapping {
  /** The Keras 3 class; the HDF5 key `layers/<snake_case(keras)>` derives from it. */
  keras: string;
  /** The tfjs class. */
  tfjs: string;
  /**
   * Keras 3 config → tfjs config (snake_case keys, as tfjs's deserializer reads them); `entry` is the layer's whole
   * Keras entry (with its build_config). Absent: write-only.
   */
  read?: (c: JsonObject, where: string, warn: Warn, nested: NestedRead, entry?: JsonObject) => JsonObject;
  /** The tfjs class to build when it depends on the config (Keras ReLU → ReLU, LeakyReLU or ThresholdedReLU). */
  readClass?: (c: JsonObject, where: string) => string;
  /** tfjs `toJSON()` config → the exact key set Keras 3.3–3.5 writes for the class. Absent: read-only. */
  write?: (c: JsonObject, where: string, layer: tf.layers.Layer, nested: NestedWrite) => JsonObject;
  /** Where the layer's variables go, relative to `base` (`layers/<key>`). Default: its own variables in `base/vars`. */
  groups?: (layer: tf.layers.Layer, base: string, child: ChildGroups) => VarsGroup[];
  /**
   * A Functional call node whose arguments the tfjs layer takes differently (MultiHeadAttention's key, attention_mask,
   * use_causal_mask): Keras's node `{args, kwargs}` → the tensors in the tfjs layer's input order and the config keys
   * the call implies. Absent: the node's positional tensors, keyword tensors refused.
   */
  readNode?: (node: JsonObject, where: string) => { args: Json[]; config: JsonObject };
  /** The reverse of `readNode`: the tfjs layer's input tensors (Keras tensor envelopes) → Keras's `args` and `kwargs`. */
  writeNode?: (layer: tf.layers.Layer, tensors: JsonObject[]) => { args: Json[]; kwargs: JsonObject };
  /** Keras's `build_config` from the input shapes of the first call. Default: `{input_shape}`. */
  buildConfig?: (layer: tf.layers.Layer, shapes: Json[]) => JsonObject;
  /** Base keys Keras's constructor does not accept (SpatialDropout1D takes no `trainable`). */
  omitBaseKeys?: ("trainable" | "dtype")[];
  /** A limit worth stating in the docs table. */
  note?: string;
}

const byKeras = new Map<string, LayerMapping>();
const byTfjs = new Map<string, LayerMapping>();
const all: LayerMapping[] = [];

/** Adds mappings; a class may be registered once per direction. */
export function registerLayerMappings(mappings: readonly LayerMapping[]): void {
  for (const m of mappings) {
    if (m.read) {
      if (byKeras.has(m.keras)) throw new Error(`Keras class ${m.keras} is mapped twice for reading`);
      byKeras.set(m.keras, m);
    }
    if (m.write) {
      if (byTfjs.has(m.tfjs)) throw new Error(`tfjs class ${m.tfjs} is mapped twice for writing`);
      byTfjs.set(m.tfjs, m);
    }
    all.push(m);
  }
}

/** The mapping that reads a Keras 3 class. */
export function readerFor(kerasClass: string): LayerMapping | undefined {
  return byKeras.get(kerasClass);
}

/** The mapping that writes a tfjs class. */
export function writerFor(tfjsClass: string): LayerMapping | undefined {
  return byTfjs.get(tfjsClass);
}

/** Every registered mapping, in registration order. */
export function allLayerMappings(): readonly LayerMapping[] {
  return all;
}

/**
 * A layer's own variables in Keras's saving order: trainable ones first, then non-trainable, each in creation order.
 * tfjs keeps exactly these two creation-ordered lists; its public `weights` getter reshuffles them when a layer is
 * frozen, so the private lists are used.
 */
export function ownVariables(layer: tf.layers.Layer): tf.LayerVariable[] {
  const l = layer as unknown as { _trainableWeights: tf.LayerVariable[]; _nonTrainableWeights: tf.LayerVariable[] };
  return [...l._trainableWeights, ...l._nonTrainableWeights];
}
