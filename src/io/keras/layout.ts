import * as tf from "@tensorflow/tfjs";
import { kerasClassName } from "./own-layers.js";
import { layerKeys } from "./snake.js";

/**
 * Where Keras puts each layer's variables in model.weights.h5 (keras-format.md §4): `layers/<key>/vars/<i>` with
 * `<key>` derived from class names in `model.layers` order, RNN weights under the layer's `cell/`.
 */

export const RNN_CELL_NAMES: Record<string, string> = {
  SimpleRNN: "simple_rnn_cell",
  LSTM: "lstm_cell",
  GRU: "gru_cell",
};

type LayerVariable = tf.LayerVariable;

/**
 * A layer's variables in Keras's saving order: trainable ones first, then non-trainable, each in creation order.
 * tfjs keeps exactly these two creation-ordered lists; its public `weights` getter reshuffles them when a layer is
 * frozen, so the private lists are used.
 */
export function layerVariables(layer: tf.layers.Layer): LayerVariable[] {
  const l = layer as unknown as { _trainableWeights: LayerVariable[]; _nonTrainableWeights: LayerVariable[]; cell?: tf.layers.Layer };
  // An RNN layer owns no variables itself; its cell does (Keras saves them under `cell/`).
  if (l.cell && RNN_CELL_NAMES[kerasClassName(layer.getClassName())]) return layerVariables(l.cell);
  return [...l._trainableWeights, ...l._nonTrainableWeights];
}

/** `model.layers` as Keras sees it: a Sequential's InputLayer is not one of its layers, a Functional's is. */
export function kerasLayers(model: tf.LayersModel): tf.layers.Layer[] {
  if (model instanceof tf.Sequential) return model.layers.filter((l, i) => !(i === 0 && l.getClassName() === "InputLayer"));
  return model.layers;
}

export interface LayerSlot {
  layer: tf.layers.Layer;
  /** The group holding the variables, e.g. `layers/dense_1/vars` or `layers/lstm/cell/vars`. */
  varsPath: string;
  /** Other `vars` groups Keras creates (empty), e.g. the outer `layers/lstm/vars` of an RNN. */
  emptyVarsPaths: { path: string; name: string }[];
  /** The `name` attribute Keras ≥ 3.6 puts on the variables' group. */
  varsName: string;
}

export function layerSlots(model: tf.LayersModel): LayerSlot[] {
  const layers = kerasLayers(model);
  const keys = layerKeys(layers.map((l) => kerasClassName(l.getClassName())));
  return layers.map((layer, i) => {
    const base = `layers/${keys[i]}`;
    const cell = RNN_CELL_NAMES[kerasClassName(layer.getClassName())];
    if (cell) {
      return { layer, varsPath: `${base}/cell/vars`, emptyVarsPaths: [{ path: `${base}/vars`, name: layer.name }], varsName: cell };
    }
    return { layer, varsPath: `${base}/vars`, emptyVarsPaths: [], varsName: layer.name };
  });
}
