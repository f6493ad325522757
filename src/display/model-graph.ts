import type * as tf from "@tensorflow/tfjs";

/** One layer of a model, as the summary and the diagram show it. */
export interface LayerInfo {
  name: string;
  className: string;
  /** Keras notation: `(None, 28, 28, 1)`; several shapes in a list. */
  inputShape: string;
  outputShape: string;
  params: number;
  trainableParams: number;
  /** Keras's "Connected to": `dense[0][0]` (layer, node index, tensor index) per incoming tensor. */
  connectedTo: string[];
  /** Names of the layers feeding this one (for the diagram's edges). */
  sources: string[];
  /** Longest path from an input: inputs are 0, a merge sits below all of its branches. */
  depth: number;
}

export interface ModelGraph {
  name: string;
  /** Sequential models print no "Connected to" column and no input layer row, as Keras does. */
  sequential: boolean;
  /** Every layer including the input layers, in the model's (topological) order. */
  layers: LayerInfo[];
  totals: { params: number; trainable: number; nonTrainable: number };
}

interface NodeInternals {
  inboundLayers: tf.layers.Layer[];
  nodeIndices: number[];
  tensorIndices: number[];
  inputShapes: Shape | Shape[];
  outputShapes: Shape | Shape[];
}
type Shape = Array<number | null>;
interface LayerInternals {
  inboundNodes: NodeInternals[];
}

export function formatShape(shape: unknown): string {
  if (!Array.isArray(shape)) return "?";
  if (shape.length > 0 && Array.isArray(shape[0])) return shape.length === 1 ? formatShape(shape[0]) : `[${shape.map(formatShape).join(", ")}]`;
  const dims = shape.map((d) => (d === null || d === undefined ? "None" : String(d)));
  return `(${dims.join(", ")}${dims.length === 1 ? "," : ""})`;
}

const count = (weights: tf.LayerVariable[]) => weights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);

/** Reads a tfjs model's layer graph: what Keras's `summary()` and `plot_model` draw. */
export function modelGraph(model: tf.LayersModel): ModelGraph {
  if (!model || !Array.isArray((model as { layers?: unknown }).layers) || !Array.isArray(model.inputs)) {
    throw new Error("model must be a tf.LayersModel (tf.sequential() or tf.model())");
  }
  const sequential = model.getClassName() === "Sequential";
  if (sequential && model.layers.length === 0) throw new Error("the Sequential model has no layers yet");
  const inputLayers = model.inputs.map((t) => t.sourceLayer);
  const all = [...inputLayers.filter((l) => !model.layers.includes(l)), ...model.layers];
  const inModel = new Set(all);
  const containerNodes = (model as unknown as { containerNodes?: Set<string> }).containerNodes;
  const ownNodes = (layer: tf.layers.Layer) =>
    (layer as unknown as LayerInternals).inboundNodes.filter(
      (node, i) => node.inboundLayers.every((l) => inModel.has(l)) && (sequential ? i === 0 : !containerNodes?.size || containerNodes.has(`${layer.name}_ib-${i}`)),
    );
  const depth = new Map<string, number>();
  const layers = all.map((layer): LayerInfo => {
    const nodes = ownNodes(layer);
    const sources = nodes.flatMap((n) => n.inboundLayers.map((l) => l.name));
    const connectedTo = nodes.flatMap((n) => n.inboundLayers.map((l, k) => `${l.name}[${n.nodeIndices[k]}][${n.tensorIndices[k]}]`));
    const d = sources.length === 0 ? 0 : Math.max(...sources.map((s) => depth.get(s) ?? 0)) + 1;
    depth.set(layer.name, d);
    const isInput = layer.getClassName() === "InputLayer";
    const shapeOf = (s: NodeInternals["inputShapes"] | undefined) => formatShape(s);
    return {
      name: layer.name,
      className: layer.getClassName(),
      inputShape: isInput ? formatShape((layer as unknown as { batchInputShape?: Shape }).batchInputShape) : shapeOf(nodes[0]?.inputShapes),
      outputShape: formatShape(nodes[0]?.outputShapes ?? safeOutputShape(layer)),
      params: layer.countParams(),
      trainableParams: count(layer.trainableWeights),
      connectedTo,
      sources,
      depth: d,
    };
  });
  // Weights shared by several layers count once, as in Keras.
  const unique = <T>(list: T[]) => [...new Set(list)];
  const trainable = count(unique(model.trainableWeights));
  const nonTrainable = count(unique(model.nonTrainableWeights));
  return { name: model.name, sequential, layers, totals: { params: trainable + nonTrainable, trainable, nonTrainable } };
}

function safeOutputShape(layer: tf.layers.Layer): unknown {
  try {
    return layer.outputShape;
  } catch {
    return undefined;
  }
}
