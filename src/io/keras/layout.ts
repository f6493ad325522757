import * as tf from "@tensorflow/tfjs";
import { ownVariables, writerFor, type VarsGroup } from "./layers/index.js";
import { RNN_CELL_NAMES } from "./layers/recurrent.js";
import { layerKeys } from "./snake.js";

/**
 * Where Keras puts each layer's variables in model.weights.h5 (keras-format.md §4): `layers/<key>/vars/<i>` with
 * `<key>` derived from Keras class names in `model.layers` order; nested objects (an RNN's `cell/`, a wrapper's
 * inner layer) below it, as each layer family's mapping says.
 */

export { RNN_CELL_NAMES };
export type { VarsGroup };

/** The variable groups of one tfjs layer placed at `base` (`layers/<key>`). */
export function layerGroups(layer: tf.layers.Layer, base: string): VarsGroup[] {
  // A nested model: an empty own `vars`, then its layers under `layers/` as in a top-level file.
  if (layer instanceof tf.LayersModel) return [{ path: `${base}/vars`, name: layer.name, vars: [] }, ...modelGroups(layer, `${base}/layers`)];
  const mapping = writerFor(layer.getClassName());
  if (mapping?.groups) return mapping.groups(layer, base, layerGroups);
  return [{ path: `${base}/vars`, name: layer.name, vars: ownVariables(layer) }];
}

/** A layer's variables in Keras's saving order (all groups, in order). */
export function layerVariables(layer: tf.layers.Layer): tf.LayerVariable[] {
  return layerGroups(layer, "").flatMap((g) => g.vars);
}

/** `model.layers` as Keras sees it: a Sequential's InputLayer is not one of its layers, a Functional's is. */
export function kerasLayers(model: tf.LayersModel): tf.layers.Layer[] {
  if (model instanceof tf.Sequential) return model.layers.filter((l, i) => !(i === 0 && l.getClassName() === "InputLayer"));
  return model.layers;
}

/** The Keras class of a tfjs layer (the key of its HDF5 group derives from it). */
export function kerasClassName(layer: tf.layers.Layer): string {
  if (layer instanceof tf.Sequential) return "Sequential";
  if (layer instanceof tf.LayersModel) return "Functional";
  return writerFor(layer.getClassName())?.keras ?? layer.getClassName();
}

/** Every variable group of a model, layer by layer, under `prefix` (`layers` at the top). */
export function modelGroups(model: tf.LayersModel, prefix = "layers"): VarsGroup[] {
  const layers = kerasLayers(model);
  const keys = layerKeys(layers.map(kerasClassName));
  return layers.flatMap((layer, i) => layerGroups(layer, `${prefix}/${keys[i]}`));
}
