import * as tf from "@tensorflow/tfjs";
import { envelope, isObject, type Json, type JsonObject } from "./json.js";
import { kerasClassOf, layerConfigToKeras3 } from "./layers-to-keras3.js";
import { writerFor } from "./layers/index.js";

/**
 * Keras 3 serialization of a tfjs model (config.json without compile_config). tfjs's `toJSON()` is Keras-2 style;
 * this rewrites it into the key set Keras 3.3–3.5 loaders accept (keras-format.md §6): envelopes with `module`,
 * an explicit InputLayer with `batch_shape` at the head of a Sequential, the `Functional` envelope with dict-form
 * `inbound_nodes`, and `build_config` on every built layer.
 */

type Shape = (number | null)[];
type Node = tf.layers.Layer["inboundNodes"][number];

/** Nodes of a layer that belong to this model (tfjs's toJSON numbers them among these only). */
function modelNodes(model: tf.LayersModel, layer: tf.layers.Layer): Node[] {
  const containerNodes = (model as unknown as { containerNodes: Set<string> }).containerNodes;
  return layer.inboundNodes.filter((_, i) => containerNodes.has(`${layer.name}_ib-${i}`));
}

function inputShapeOf(node: Node | undefined): Json {
  if (!node) return null;
  const shapes = node.inputTensors.map((t) => t.shape as Shape);
  return shapes.length === 1 ? shapes[0] : shapes;
}

function buildConfig(layer: tf.layers.Layer, node: Node | undefined): JsonObject {
  const custom = writerFor(layer.getClassName())?.buildConfig;
  if (custom && node) return custom(layer, node.inputTensors.map((t) => t.shape as Shape));
  return { input_shape: inputShapeOf(node) };
}

function inputLayerEntry(batchShape: Shape, dtype: string, name: string): JsonObject {
  return envelope("keras.layers", "InputLayer", { batch_shape: batchShape, dtype, sparse: false, name });
}

function layerEntry(layer: tf.layers.Layer, json: JsonObject, node: Node | undefined): JsonObject {
  // A model used as a layer is written as Keras writes a nested model: its whole config, then build_config.
  if (layer instanceof tf.LayersModel) {
    const nested = layer.toJSON(null, false) as unknown as JsonObject;
    const entry = layer instanceof tf.Sequential ? sequentialConfig(layer, nested) : functionalConfig(layer, nested);
    return { ...entry, build_config: buildConfig(layer, node) };
  }
  const className = layer.getClassName();
  const cfg = isObject(json.config) ? json.config : {};
  const dtype = (layer as unknown as { dtype?: string }).dtype ?? "float32";
  return {
    ...envelope("keras.layers", kerasClassOf(className), layerConfigToKeras3(layer, cfg, dtype)),
    build_config: buildConfig(layer, node),
  };
}

function sequentialConfig(model: tf.Sequential, json: JsonObject): JsonObject {
  const cfg = json.config as JsonObject;
  const jsonLayers = cfg.layers as JsonObject[];
  let layers = model.layers;
  let entries = jsonLayers;
  let batchShape = model.inputs[0].shape as Shape;
  let dtype: string = model.inputs[0].dtype;
  // A user-written InputLayer shows up in tfjs's Sequential.layers, never in Keras's: fold it into the entry Keras
  // puts first.
  if (layers.length > 0 && layers[0].getClassName() === "InputLayer") {
    const inCfg = jsonLayers[0].config as JsonObject;
    batchShape = (inCfg.batch_input_shape as Shape) ?? batchShape;
    dtype = (inCfg.dtype as string) ?? dtype;
    layers = layers.slice(1);
    entries = jsonLayers.slice(1);
  }
  const keras: JsonObject[] = [inputLayerEntry(batchShape, dtype, "input_layer")];
  for (const layer of layers) {
    // Keras's Sequential calls each layer on one tensor; a layer whose call takes several (query and value) cannot sit there.
    if (writerFor(layer.getClassName())?.writeNode) {
      throw new Error(
        `Cannot save layer "${layer.name}" (${layer.getClassName()}) inside a Sequential model: Keras's Sequential calls it ` +
          "on one tensor, and Keras's class takes several (query and value). Build the model with tf.model (Functional) instead.",
      );
    }
  }
  layers.forEach((layer, i) => keras.push(layerEntry(layer, entries[i], layer.inboundNodes[0])));
  return {
    ...envelope("keras", "Sequential", {
      name: model.name,
      trainable: model.trainable,
      dtype: "float32",
      layers: keras,
      build_input_shape: batchShape,
    }),
    build_config: { input_shape: batchShape },
  };
}

/** tfjs `[[name, node, tensor], …]` as Keras 3 writes it: a flat triple for a single tensor. */
function tensorRefs(refs: Json, kerasNode: (name: string, tfjsNode: number) => number): Json {
  const list = (refs as Json[][]).map((r) => [r[0], kerasNode(String(r[0]), Number(r[1])), r[2]]);
  return list.length === 1 ? list[0] : list;
}

function functionalConfig(model: tf.LayersModel, json: JsonObject): JsonObject {
  const cfg = json.config as JsonObject;
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  const nodesOf = new Map(model.layers.map((l) => [l.name, modelNodes(model, l)]));
  // tfjs numbers a nested model's calls from 1 (node 0 is its own graph, outside this container); Keras does the same
  // for a nested Functional but numbers a nested Sequential's calls from 0.
  const offset = (name: string) => (byName.get(name) instanceof tf.LayersModel ? 1 : 0);
  const kerasNode = (name: string, tfjsNode: number) => (byName.get(name) instanceof tf.Sequential ? tfjsNode - 1 : tfjsNode);
  const kerasTensor = (ref: Json[]): JsonObject => {
    const [name, nodeIndex, tensorIndex] = ref as [string, number, number];
    const t = nodesOf.get(name)?.[nodeIndex - offset(name)]?.outputTensors[tensorIndex];
    if (!t) throw new Error(`Cannot save the model graph: no tensor ${name}[${nodeIndex}][${tensorIndex}]`);
    return {
      class_name: "__keras_tensor__",
      config: { shape: t.shape as Shape, dtype: t.dtype, keras_history: [name, kerasNode(name, nodeIndex), tensorIndex] },
    };
  };
  const layers = (cfg.layers as JsonObject[]).map((entry) => {
    const name = entry.name as string;
    const layer = byName.get(name);
    if (!layer) throw new Error(`Cannot save the model graph: layer "${name}" is not in model.layers`);
    if (layer.getClassName() === "InputLayer") {
      const inCfg = entry.config as JsonObject;
      return {
        ...inputLayerEntry(inCfg.batch_input_shape as Shape, (inCfg.dtype as string) ?? "float32", name),
        name,
        inbound_nodes: [],
      };
    }
    const nodes = nodesOf.get(name) ?? [];
    const writeNode = writerFor(layer.getClassName())?.writeNode;
    const inbound = (entry.inbound_nodes as Json[][][]).map((node) => {
      const tensors = node.map((ref) => kerasTensor(ref));
      if (writeNode) return writeNode(layer, tensors);
      // A layer called on one tensor gets it as its single argument; merge layers get a list.
      return { args: tensors.length === 1 ? [tensors[0]] : [tensors], kwargs: {} };
    });
    return { ...layerEntry(layer, entry, nodes[0]), name, inbound_nodes: inbound };
  });
  return {
    module: "keras.src.models.functional",
    class_name: "Functional",
    config: {
      name: model.name,
      trainable: model.trainable,
      layers,
      input_layers: tensorRefs(cfg.input_layers, kerasNode),
      output_layers: tensorRefs(cfg.output_layers, kerasNode),
    },
    registered_name: "Functional",
    build_config: { input_shape: null },
  };
}

/**
 * The Keras 3 serialized config of a tfjs model, as `model.get_config()` wrapped by `serialize_keras_object`
 * (the object Keras puts in config.json, without `compile_config`). Throws, naming the layer and class, for layers
 * the `.keras` format support does not cover.
 */
export function keras3ModelConfig(model: tf.LayersModel): JsonObject {
  if (!model.inputs || model.inputs.length === 0) {
    throw new Error(`Cannot convert model "${model.name}": it is not built yet (give its first layer an inputShape)`);
  }
  const json = model.toJSON(null, false) as unknown as JsonObject;
  if (model instanceof tf.Sequential) return sequentialConfig(model, json);
  return functionalConfig(model, json);
}
