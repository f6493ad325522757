import "../../../layers/category-encoding-fix.js";
import type * as tf from "@tensorflow/tfjs";
import type { Json, JsonObject } from "../json.js";
import { refuse } from "./common.js";
import type { LayerMapping } from "./registry.js";

/**
 * CategoryEncoding. Both libraries count over the batch axis for a rank-1 input (one vector for the whole batch in
 * multi_hot and count modes) and over the last axis for rank 2; one_hot of (batch) or (batch, 1) gives (batch,
 * num_tokens). Keras also one-hot encodes (batch, k > 1) into rank 3 and accepts rank > 2 in the binary modes, where
 * tfjs 4.22 throws: those input shapes are refused when the model is read or written.
 */

// tfjs's (de)serializer turns camelCase string values into snake_case and back, so tfjs configs carry Keras's names.
const MODES = ["multi_hot", "one_hot", "count"];
const TFJS_MODE: Record<string, string> = { multi_hot: "multiHot", one_hot: "oneHot", count: "count" };

/** Why tfjs cannot encode inputs of this shape (batch axis included) as Keras does, or undefined when it can. */
export function categoryEncodingShapeProblem(mode: string, shape: readonly (number | null)[]): string | undefined {
  if (shape.length > 2) {
    return `an input of rank ${shape.length} (shape ${JSON.stringify(shape)}) is not supported: TensorFlow.js's CategoryEncoding takes rank 1 or 2 only`;
  }
  if (mode === "oneHot" && shape.length === 2 && shape[1] !== 1) {
    return `output_mode "one_hot" on an input of shape ${JSON.stringify(shape)} is not supported: Keras gives one one-hot row per ` +
      "value (rank 3), which TensorFlow.js's CategoryEncoding cannot produce. Feed shape (batch,) or (batch, 1), or use " +
      "\"multi_hot\" or \"count\"";
  }
  return undefined;
}

const shapeOf = (v: Json | undefined): (number | null)[] | undefined =>
  Array.isArray(v) && v.every((d) => d === null || typeof d === "number") ? (v as (number | null)[]) : undefined;

function checkShape(where: string, mode: string, shape: (number | null)[] | undefined): void {
  const problem = shape && categoryEncodingShapeProblem(mode, shape);
  if (problem) throw new Error(`${where}: ${problem}`);
}

/** The input shape of every call of a tfjs layer in its models. */
const callShapes = (layer: tf.layers.Layer): (number | null)[][] =>
  layer.inboundNodes
    .flatMap((n) => (Array.isArray(n.inputShapes[0]) ? (n.inputShapes as Json[]) : [n.inputShapes as Json]))
    .map(shapeOf)
    .filter((s): s is (number | null)[] => s !== undefined);

export const PREPROCESSING_LAYERS: LayerMapping[] = [
  {
    keras: "CategoryEncoding",
    tfjs: "CategoryEncoding",
    read: (c, w, _warn, _nested, entry) => {
      const keras = c.output_mode === "binary" ? "multi_hot" : String(c.output_mode ?? "multi_hot"); // "binary": Keras's old name
      const mode = TFJS_MODE[keras];
      if (!mode) throw new Error(`${w}: output_mode ${JSON.stringify(c.output_mode)} is not one of "multi_hot", "one_hot", "count"`);
      refuse(c, w, { sparse: (v) => v === true });
      const build = entry?.build_config;
      checkShape(w, mode, shapeOf(build && typeof build === "object" && !Array.isArray(build) ? (build as JsonObject).input_shape : undefined));
      return { num_tokens: c.num_tokens, output_mode: keras };
    },
    write: (c, w, layer) => {
      const keras = String(c.output_mode ?? "multi_hot");
      if (!MODES.includes(keras)) throw new Error(`${w}: outputMode "${keras}" has no Keras 3 counterpart (Keras has "multi_hot", "one_hot", "count")`);
      for (const shape of callShapes(layer)) checkShape(w, TFJS_MODE[keras], shape);
      return { num_tokens: c.num_tokens, output_mode: keras, sparse: false };
    },
    note: "inputs of rank 1 or 2 (tfjs's predict() reshapes a rank-1 batch to (batch, 1): call such a model with model.apply); one_hot only on (batch) or (batch, 1); sparse=True refused",
  },
];
