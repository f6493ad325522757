import type * as tf from "@tensorflow/tfjs";
import "../../../layers/multi-head-attention.js";
import type { MultiHeadAttention } from "../../../layers/multi-head-attention.js";
import { isObject, type Json, type JsonObject } from "../json.js";
import { objectsToKeras3, objectsToTfjs, pick, refuse } from "./common.js";
import { regularizerToKeras3 } from "../objects.js";
import type { LayerMapping, VarsGroup } from "./registry.js";

/**
 * Keras's MultiHeadAttention ↔ tslab-fit's MultiHeadAttention (src/layers/multi-head-attention.ts). Keras takes
 * `key`, `attention_mask` and `use_causal_mask` per call, recorded in the Functional node; the tfjs layer takes them
 * as inputs and options, so the node is read and written here too. Weights sit under Keras's EinsumDense sublayers,
 * which Keras's saver reaches through the public properties `key_dense`, `output_dense`, `query_dense` and
 * `value_dense` (sorted), then the private `_dropout_layer` and `_softmax` (no variables).
 */

/** The positional order of Keras's `MultiHeadAttention.call`. */
const CALL_ARGS = [
  "query", "value", "key", "query_mask", "value_mask", "key_mask", "attention_mask", "return_attention_scores", "training",
  "use_causal_mask",
];

const isTensor = (v: Json | undefined) => isObject(v) && v.class_name === "__keras_tensor__";
const absent = (v: Json | undefined) => v === undefined || v === null;

/** Keras saves the default attention axes as `[1]` once built (rank-3 inputs); `null` before. */
const defaultAxes = (v: Json) => v === null || v === undefined || v === 1 || (Array.isArray(v) && v.length === 1 && v[0] === 1);

/** A Functional call node of Keras's MultiHeadAttention → the tfjs input list and the options it implies. */
function readNode(node: JsonObject, where: string): { args: Json[]; config: JsonObject } {
  const args = Array.isArray(node.args) ? node.args : [];
  const call: Record<string, Json> = {};
  args.forEach((a, i) => {
    if (i < CALL_ARGS.length) call[CALL_ARGS[i]] = a;
  });
  if (args.length > CALL_ARGS.length) throw new Error(`config.json: ${where} is called with ${args.length} positional arguments`);
  for (const [k, v] of Object.entries(isObject(node.kwargs) ? node.kwargs : {})) {
    if (!CALL_ARGS.includes(k)) throw new Error(`config.json: ${where} is called with an unknown argument ${k}`);
    call[k] = v;
  }
  if (!isTensor(call.query) || !isTensor(call.value)) throw new Error(`config.json: ${where} is not called on query and value tensors`);
  for (const k of ["query_mask", "value_mask", "key_mask"]) {
    if (!absent(call[k])) {
      throw new Error(
        `config.json: ${where} receives ${k} (the padding mask of an Embedding(mask_zero=True) or Masking input), which ` +
          "tslab-fit's MultiHeadAttention does not apply. Pass the mask as attention_mask in Python, or drop mask_zero, and save again",
      );
    }
  }
  if (!absent(call.key) && !isTensor(call.key)) throw new Error(`config.json: ${where}: key is not a tensor`);
  if (!absent(call.attention_mask) && !isTensor(call.attention_mask)) throw new Error(`config.json: ${where}: attention_mask is not a tensor`);
  if (call.return_attention_scores !== undefined && call.return_attention_scores !== false) {
    throw new Error(`config.json: ${where} is called with return_attention_scores=True, which tslab-fit's MultiHeadAttention does not support (one output only)`);
  }
  if (!absent(call.training)) throw new Error(`config.json: ${where} is called with a fixed training=${JSON.stringify(call.training)}, which tfjs cannot express`);
  const causal = call.use_causal_mask ?? false;
  if (typeof causal !== "boolean") throw new Error(`config.json: ${where}: use_causal_mask ${JSON.stringify(causal)} is not a boolean`);
  // The tfjs layer's apply passes a tensor given in two roles once (and records which roles it fills).
  const inputs = [call.query, call.value, call.key].filter((t) => !absent(t));
  const tensors = [...inputs, ...(absent(call.attention_mask) ? [] : [call.attention_mask])];
  return { args: tensors, config: { use_causal_mask: causal, attention_mask_input: !absent(call.attention_mask) } };
}

/**
 * The tfjs layer's distinct inputs → Keras's query, value and key (left out when it is the value, as Keras then
 * uses the value), and the attention mask.
 */
function kerasCallInputs<T>(layer: tf.layers.Layer, tensors: T[]): { inputs: T[]; mask: T | undefined } {
  const { query, value, key, mask } = (layer as MultiHeadAttention).inputRoles(tensors);
  return { inputs: key === value ? [query, value] : [query, value, key], mask: mask ?? undefined };
}

/** The tfjs input list of one call → Keras's node: query and value (and key) positional, the rest as keywords. */
function writeNode(layer: tf.layers.Layer, tensors: JsonObject[]): { args: Json[]; kwargs: JsonObject } {
  const mha = layer as MultiHeadAttention;
  const { inputs, mask } = kerasCallInputs(layer, tensors);
  const kwargs: JsonObject = {};
  if (mask) kwargs.attention_mask = mask;
  if (mha.useCausalMask) kwargs.use_causal_mask = true;
  // Keras's Layer.__call__ then fills in the (absent) padding masks of each tensor argument.
  kwargs.query_mask = null;
  kwargs.value_mask = null;
  if (inputs.length === 3) kwargs.key_mask = null;
  return { args: inputs, kwargs };
}

/** Keras builds MultiHeadAttention from the shapes of query, value (and key): `build(query_shape, value_shape, key_shape)`. */
function buildConfig(layer: tf.layers.Layer, shapes: Json[]): JsonObject {
  const { inputs } = kerasCallInputs(layer, shapes);
  const dict: JsonObject = { query_shape: inputs[0], value_shape: inputs[1] };
  if (inputs.length === 3) dict.key_shape = inputs[2];
  return { shapes_dict: dict };
}

function groups(layer: tf.layers.Layer, base: string): VarsGroup[] {
  const mha = layer as MultiHeadAttention;
  const vars = (p: MultiHeadAttention["query"]) => (p ? [p.kernel, ...(p.bias ? [p.bias] : [])] : []);
  return [
    { path: `${base}/vars`, name: layer.name, vars: [] },
    { path: `${base}/key_dense/vars`, name: "key", vars: vars(mha.key) },
    { path: `${base}/output_dense/vars`, name: "attention_output", vars: vars(mha.attentionOutput) },
    { path: `${base}/query_dense/vars`, name: "query", vars: vars(mha.query) },
    { path: `${base}/value_dense/vars`, name: "value", vars: vars(mha.value) },
    { path: `${base}/_dropout_layer/vars`, name: "dropout", vars: [] },
    { path: `${base}/_softmax/vars`, name: "softmax", vars: [] },
  ];
}

export const ATTENTION_LAYERS: LayerMapping[] = [
  {
    keras: "MultiHeadAttention",
    tfjs: "MultiHeadAttention",
    read: (c, w) => {
      refuse(c, w, {
        attention_axes: (v) => !defaultAxes(v),
        use_gate: (v) => v === true,
        sliding_window: (v) => v !== null && v !== undefined,
      });
      return {
        ...pick(c, ["num_heads", "key_dim", "value_dim", "dropout", "use_bias", "output_shape"]),
        ...objectsToTfjs(c, w, ["kernel", "bias"]),
      };
    },
    write: (c, w) => {
      const { kernel_constraint, bias_constraint, ...initsAndRegs } = objectsToKeras3(c, w, ["kernel", "bias"]);
      return {
        num_heads: c.num_heads,
        key_dim: c.key_dim,
        value_dim: c.value_dim ?? c.key_dim,
        dropout: c.dropout ?? 0,
        use_bias: c.use_bias ?? true,
        output_shape: c.output_shape ?? null,
        attention_axes: [1],
        ...initsAndRegs,
        activity_regularizer: regularizerToKeras3(c.activity_regularizer ?? null, w),
        kernel_constraint,
        bias_constraint,
      };
    },
    readNode,
    writeNode,
    buildConfig,
    groups,
    note:
      "tslab-fit's own tfjs layer: (batch, sequence, features) inputs, default attention_axes; key, attention_mask and " +
      "use_causal_mask as in Keras; Keras's query/value masks from mask_zero and return_attention_scores refused",
  },
];
