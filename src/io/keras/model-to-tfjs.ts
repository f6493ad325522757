import { isObject, type Json, type JsonObject } from "./json.js";
import { checkNodeKwargs, maskOperationNames } from "./mask-ops.js";
import { AUGMENTATION_LAYER_CLASSES, dtypeName, layerToTfjs } from "./layers-to-tfjs.js";
import { readerFor } from "./layers/index.js";

/**
 * A Keras 3 model config (config.json) as the Keras-2 style topology tfjs deserializes, plus the list of Keras
 * layers (class and name, in `model.layers` order) that decides the HDF5 group keys.
 */

export interface KerasLayerRef {
  className: string;
  name: string;
  /** Dropped on request (augmentation layers): its weights group is skipped. */
  dropped: boolean;
}

export interface TfjsTopology {
  topology: JsonObject;
  /** Keras's `model.layers`, which numbers the `layers/<key>` groups. */
  kerasLayers: KerasLayerRef[];
}

export interface ConvertOptions {
  dropAugmentation?: boolean;
  warn: (m: string) => void;
}

type Shape = (number | null)[];

function inputLayerShape(c: JsonObject): Shape | undefined {
  if (Array.isArray(c.batch_shape)) return c.batch_shape as Shape;
  if (Array.isArray(c.batch_input_shape)) return c.batch_input_shape as Shape;
  if (Array.isArray(c.shape)) return [null, ...(c.shape as Shape)];
  if (Array.isArray(c.input_shape)) return [null, ...(c.input_shape as Shape)];
  return undefined;
}

const MODEL_CLASSES = new Set(["Sequential", "Functional", "Model"]);

/** One layer entry as tfjs `{class_name, config}`; a nested Sequential or Functional model becomes its topology. */
function entryToTfjs(e: JsonObject, opts: ConvertOptions): JsonObject {
  if (!MODEL_CLASSES.has(String(e.class_name))) return layerToTfjs(e, opts.warn);
  // Augmentation layers are only dropped at the top level: a nested model's weight keys count every layer.
  const { topology } = modelConfigToTfjs(e, { ...opts, dropAugmentation: false });
  return topology;
}

/**
 * Converts every entry, collecting the refusals, so one error names every layer that cannot map (not just the first).
 */
function convertAll<T>(items: T[], convert: (item: T) => JsonObject): JsonObject[] {
  const out: JsonObject[] = [];
  const errors: string[] = [];
  for (const item of items) {
    try {
      out.push(convert(item));
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  if (errors.length === 1) throw new Error(errors[0]);
  if (errors.length > 1) throw new Error(`${errors.length} layers cannot be loaded:\n  - ${errors.join("\n  - ")}`);
  return out;
}

function entryName(e: JsonObject): string {
  const c = isObject(e.config) ? e.config : {};
  return String(c.name ?? e.name ?? "");
}

function sequentialToTfjs(model: JsonObject, opts: ConvertOptions): TfjsTopology {
  const cfg = model.config as JsonObject;
  const entries = (Array.isArray(cfg.layers) ? cfg.layers : []) as JsonObject[];
  let batchShape: Shape | undefined;
  let inputDtype = "float32";
  let inputName = "input_layer";
  const kerasLayers: KerasLayerRef[] = [];
  const kept: JsonObject[] = [];
  for (const e of entries) {
    if (!isObject(e) || typeof e.class_name !== "string") throw new Error("config.json: a Sequential layer entry has no class_name");
    if (e.class_name === "InputLayer") {
      const c = e.config as JsonObject;
      batchShape = inputLayerShape(c);
      inputDtype = dtypeName(c.dtype ?? null);
      inputName = String(c.name ?? "input_layer");
      continue;
    }
    const dropped = opts.dropAugmentation === true && AUGMENTATION_LAYER_CLASSES.has(e.class_name);
    kerasLayers.push({ className: e.class_name, name: entryName(e), dropped });
    if (dropped) {
      opts.warn(`dropped ${e.class_name} layer "${entryName(e)}" (identity at inference)`);
      continue;
    }
    kept.push(e);
  }
  const layers = convertAll(kept, (e) => entryToTfjs(e, opts));
  batchShape ??= (Array.isArray(cfg.build_input_shape) ? cfg.build_input_shape : undefined) as Shape | undefined;
  const bc = isObject(model.build_config) ? model.build_config : {};
  batchShape ??= (Array.isArray(bc.input_shape) ? bc.input_shape : undefined) as Shape | undefined;
  if (!batchShape) throw new Error("config.json: the Sequential model has no InputLayer and no build input shape, so it cannot be built");
  if (layers.length === 0) throw new Error("config.json: the Sequential model has no layers");
  // tfjs's Sequential takes its input from the first layer's batch_input_shape, and its dtype from the layer's
  // dtype, which would also become the dtype of that layer's weights. An input of another dtype (int32 token ids
  // into an Embedding) gets an InputLayer of its own, so the layer's weights stay float32.
  if (inputDtype === "float32") {
    Object.assign(layers[0].config as JsonObject, { batch_input_shape: batchShape });
  } else {
    layers.unshift({ class_name: "InputLayer", config: { batch_input_shape: batchShape, dtype: inputDtype, sparse: false, name: inputName } });
  }
  return {
    topology: { class_name: "Sequential", config: { name: cfg.name ?? "sequential", layers } },
    kerasLayers,
  };
}

/** A `__keras_tensor__` (or legacy `[name, node, tensor, kwargs]`) as tfjs's `[name, node, tensor, {}]`. */
function tensorRefs(arg: Json, where: string): Json[] {
  if (Array.isArray(arg)) {
    if (arg.length >= 3 && typeof arg[0] === "string" && typeof arg[1] === "number") return [[arg[0], arg[1], arg[2], {}]];
    return arg.flatMap((a) => tensorRefs(a, where));
  }
  if (isObject(arg) && arg.class_name === "__keras_tensor__" && isObject(arg.config)) {
    const h = arg.config.keras_history as Json[];
    return [[h[0], h[1], h[2], {}]];
  }
  throw new Error(`config.json: ${where} has an inbound argument tslab-fit cannot read: ${JSON.stringify(arg).slice(0, 120)}`);
}

function inboundNodes(nodes: Json, where: string, maskOps: Set<string>): Json[] {
  if (!Array.isArray(nodes)) return [];
  return nodes.map((node) => {
    if (Array.isArray(node)) return tensorRefs(node, where); // Keras-2 list form
    if (isObject(node) && Array.isArray(node.args)) {
      checkNodeKwargs(node, maskOps, where);
      return tensorRefs(node.args, where);
    }
    throw new Error(`config.json: ${where} has an unreadable inbound node`);
  });
}

type ReadNode = (node: JsonObject, where: string) => { args: Json[]; config: JsonObject };

/**
 * The nodes of a layer whose call arguments become tfjs inputs and options (MultiHeadAttention). The options are the
 * layer's, so every call must imply the same ones.
 */
function callNodes(nodes: Json, where: string, config: JsonObject, readNode: ReadNode): { config: JsonObject; inbound_nodes: Json[] } {
  const read = (Array.isArray(nodes) ? nodes : []).map((node) => {
    if (!isObject(node)) throw new Error(`config.json: ${where} has an inbound node in the legacy list form, which tslab-fit cannot read for this class`);
    return readNode(node, where);
  });
  const options = read.map((r) => JSON.stringify(r.config));
  if (options.some((o) => o !== options[0])) {
    throw new Error(`config.json: ${where} is called several times with different call options (${[...new Set(options)].join(" vs ")}), which one tfjs layer cannot hold`);
  }
  return { config: { ...config, ...(read[0]?.config ?? {}) }, inbound_nodes: read.map((r) => tensorRefs(r.args, where)) };
}

/** `["a", 0, 0]` (one tensor) or `[["a", 0, 0], …]` as a list of triples. */
function endpointList(v: Json): Json[] {
  if (!Array.isArray(v)) return [];
  if (typeof v[0] === "string") return [v.slice(0, 3)];
  return v.map((x) => (Array.isArray(x) ? x.slice(0, 3) : x));
}

function functionalToTfjs(model: JsonObject, opts: ConvertOptions): TfjsTopology {
  const cfg = model.config as JsonObject;
  const all = (Array.isArray(cfg.layers) ? cfg.layers : []) as JsonObject[];
  for (const e of all) {
    if (!isObject(e) || typeof e.class_name !== "string") throw new Error("config.json: a Functional layer entry has no class_name");
  }
  // Mask operation nodes are not layers: Keras leaves them out of model.layers (and the weights file), and tfjs
  // recomputes the masks they stand for.
  const maskOps = maskOperationNames(all);
  const entries = all.filter((e) => !maskOps.has(String(e.name)));
  const kerasLayers: KerasLayerRef[] = [];
  const layers = convertAll(entries, (e) => {
    const name = String(e.name ?? entryName(e));
    kerasLayers.push({ className: String(e.class_name), name, dropped: false });
    if (e.class_name === "InputLayer") {
      const c = e.config as JsonObject;
      const batchShape = inputLayerShape(c);
      if (!batchShape) throw new Error(`config.json: InputLayer "${name}" has no shape`);
      return {
        name,
        class_name: "InputLayer",
        config: { batch_input_shape: batchShape, dtype: dtypeName(c.dtype ?? null), sparse: false, name },
        inbound_nodes: [],
      };
    }
    const t = entryToTfjs(e, opts);
    const readNode = readerFor(String(e.class_name))?.readNode;
    if (readNode) return { name, class_name: t.class_name, ...callNodes(e.inbound_nodes, `layer "${name}"`, t.config as JsonObject, readNode) };
    return { name, class_name: t.class_name, config: t.config, inbound_nodes: inboundNodes(e.inbound_nodes, `layer "${name}"`, maskOps) };
  });
  const inputLayers = endpointList(cfg.input_layers);
  const outputLayers = endpointList(cfg.output_layers);
  // tfjs numbers a nested model's nodes from 1 (node 0 is its own graph); Keras does so for Functional only.
  const sequentials = new Set(entries.filter((e) => e.class_name === "Sequential").map((e) => String(e.name)));
  const shift = (ref: Json) => {
    if (Array.isArray(ref) && sequentials.has(String(ref[0]))) ref[1] = Number(ref[1]) + 1;
  };
  for (const l of layers) for (const node of l.inbound_nodes as Json[][]) node.forEach(shift);
  outputLayers.forEach(shift);
  return {
    topology: {
      class_name: "Model",
      config: { name: cfg.name ?? "functional", layers, input_layers: inputLayers, output_layers: outputLayers },
    },
    kerasLayers,
  };
}

export function modelConfigToTfjs(model: Json, opts: ConvertOptions): TfjsTopology {
  if (!isObject(model) || typeof model.class_name !== "string" || !isObject(model.config)) {
    throw new Error("config.json: not a serialized Keras model (no class_name/config)");
  }
  switch (model.class_name) {
    case "Sequential":
      return sequentialToTfjs(model, opts);
    case "Functional":
    case "Model":
      if (!Array.isArray(model.config.layers)) {
        throw new Error(`config.json: ${model.class_name} without a layer list is a subclassed model, which cannot be rebuilt outside Python`);
      }
      return functionalToTfjs(model, opts);
    default:
      throw new Error(
        `config.json: model class ${model.class_name}${model.registered_name ? ` (${String(model.registered_name)})` : ""} ` +
          "is a custom model; only Sequential and Functional models can be rebuilt in TensorFlow.js",
      );
  }
}
