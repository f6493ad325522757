import { promises as fs } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { applyCompileConfig } from "./compile-config.js";
import { readH5, type H5Tree } from "./h5.js";
import { isObject, type Json, type JsonObject } from "./json.js";
import { kerasClassName, type VarsGroup, kerasLayers as tfjsKerasLayers, layerGroups } from "./layout.js";
import { modelConfigToTfjs, type KerasLayerRef } from "./model-to-tfjs.js";
import { restoreOptimizerVars } from "./optimizer-state.js";
import { restoreTfjsHardSigmoid, TFJS_HARD_SIGMOID_KEY } from "./tfjs-hard-sigmoid.js";
import { layerKeys } from "./snake.js";
import { looksLikeZip, readZip } from "./zip.js";

export interface KerasArchive {
  /** metadata.json (`keras_version`, `date_saved`), or undefined when the archive has none. */
  metadata?: JsonObject;
  /** config.json: the Keras 3 serialized model, with compile_config when the model was compiled. */
  config: JsonObject;
  /** model.weights.h5: groups (with string attributes) and datasets by path. */
  weights: H5Tree;
}

export interface LoadKerasOptions {
  /** Apply compile_config (optimizer, loss, metrics) and optimizer state when tfjs supports them. Default true. */
  compile?: boolean;
  /** Leave out Keras data-augmentation layers (RandomFlip, RandomRotation, …) of a Sequential model. Default false. */
  dropAugmentation?: boolean;
  /** Where non-fatal notes go (default: console.warn). */
  onWarning?: (message: string) => void;
}

const MEMBERS = ["metadata.json", "config.json", "model.weights.h5"];

function legacyAdvice(path: string): string {
  return (
    `To convert it, load it with tf.keras 2 (TensorFlow ≤ 2.15, or the tf_keras package) and save it as legacy HDF5: ` +
    `tf.keras.models.load_model("${path}").save("model.h5"); then in Keras 3: ` +
    `keras.saving.load_model("model.h5").save("model.keras"). The result loads here.`
  );
}

function parseJson(bytes: Uint8Array, member: string, path: string): Json {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as Json;
  } catch (e) {
    throw new Error(`${path}: ${member} is not valid JSON (${(e as Error).message})`);
  }
}

/** Reads and checks a `.keras` archive without building a model. */
export async function readKerasArchive(path: string): Promise<KerasArchive> {
  const stat = await fs.stat(path).catch(() => undefined);
  if (stat === undefined) throw new Error(`${path}: no such file; loadKeras needs the path of a .keras file (a zip archive written by Keras 3 or tslab-fit)`);
  if (stat.isDirectory()) {
    throw new Error(`${path} is a folder, not a .keras file (a zip archive); a TF.js layers folder loads with tf.loadLayersModel("file://${path}/model.json")`);
  }
  const bytes = new Uint8Array(await fs.readFile(path));
  if (bytes.length >= 4 && bytes[0] === 0x89 && bytes[1] === 0x48 && bytes[2] === 0x44 && bytes[3] === 0x46) {
    if (path.endsWith(".weights.h5")) {
      throw new Error(`${path} holds weights only: build the model, then call loadKerasWeights(model, "${path}")`);
    }
    if (!path.endsWith(".keras")) {
      throw new Error(
        `${path} is a legacy Keras HDF5 model, which tslab-fit does not read. ` +
          `In Keras 3: keras.saving.load_model("${path}").save("model.keras"), then load model.keras.`,
      );
    }
    throw new Error(
      `${path} is not a Keras 3 archive but a legacy Keras HDF5 model (.h5) with a .keras name. ` +
        `Keras 3 loads such files under their .h5 name: keras.saving.load_model("model.h5").save("model.keras").`,
    );
  }
  if (!looksLikeZip(bytes)) throw new Error(`${path} is not a .keras file: a .keras file is a zip archive`);
  let members: Map<string, Uint8Array>;
  try {
    members = readZip(bytes);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  const metadata = members.has("metadata.json") ? parseJson(members.get("metadata.json")!, "metadata.json", path) : undefined;
  const version = isObject(metadata) && typeof metadata.keras_version === "string" ? metadata.keras_version : undefined;
  if (version && !version.startsWith("3.")) {
    throw new Error(
      `${path} was written by Keras ${version} (tf.keras 2), whose .keras layout (Keras-2 config keys such as ` +
        `batch_input_shape, and a different weights layout) neither Keras 3 nor tslab-fit can read. ${legacyAdvice(path)}`,
    );
  }
  if (!members.has("config.json")) throw new Error(`${path}: the archive has no config.json (members: ${[...members.keys()].join(", ")})`);
  if (!members.has("model.weights.h5")) {
    const npz = members.has("model.weights.npz") ? " It holds model.weights.npz, which tslab-fit does not read." : "";
    throw new Error(`${path}: the archive has no model.weights.h5.${npz}`);
  }
  const unknown = [...members.keys()].filter((m) => !MEMBERS.includes(m));
  if (unknown.length > 0) {
    throw new Error(
      `${path}: unexpected archive members ${unknown.join(", ")} (assets of layers tslab-fit does not support?). ` +
        `A .keras file readable here holds only ${MEMBERS.join(", ")}.`,
    );
  }
  const config = parseJson(members.get("config.json")!, "config.json", path);
  if (!isObject(config)) throw new Error(`${path}: config.json is not a JSON object`);
  if (!("module" in config) && version === undefined) {
    throw new Error(`${path}: config.json has no "module" key, the sign of a tf.keras 2 file. ${legacyAdvice(path)}`);
  }
  let weights: H5Tree;
  try {
    weights = await readH5(members.get("model.weights.h5")!);
  } catch (e) {
    throw new Error(`${path}: model.weights.h5 cannot be read: ${(e as Error).message}`);
  }
  return { metadata: isObject(metadata) ? metadata : undefined, config, weights };
}

/** Datasets directly under a `vars` group, in Keras's numeric order. */
function varsAt(tree: H5Tree, groupPath: string) {
  const prefix = `${groupPath}/`;
  const found: { index: number; path: string }[] = [];
  for (const p of tree.datasets.keys()) {
    if (!p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    if (!/^\d+$/.test(rest)) continue;
    found.push({ index: Number(rest), path: p });
  }
  found.sort((a, b) => a.index - b.index);
  found.forEach((f, i) => {
    if (f.index !== i) throw new Error(`weights file: ${groupPath} has variables ${found.map((x) => x.index).join(", ")}, not 0..${found.length - 1}`);
  });
  return found.map((f) => ({ path: f.path, ...tree.datasets.get(f.path)! }));
}

/** Copies each Keras layer's variables from the tree into the tfjs layer of the same name. */
export function assignLayerWeights(
  model: tf.LayersModel,
  layers: KerasLayerRef[],
  tree: H5Tree,
  source: string,
  warn: (m: string) => void = () => {},
): void {
  const keys = layerKeys(layers.map((l) => l.className));
  if (layers.length > 0 && tree.datasets.size > 0 && ![...tree.groups.keys()].includes("layers")) {
    throw new Error(`${source}: no layers/ group; the groups are ${[...tree.groups.keys()].filter((g) => !g.includes("/")).join(", ")}`);
  }
  layers.forEach((ref, i) => {
    if (ref.dropped) return;
    let layer: tf.layers.Layer;
    try {
      layer = model.getLayer(ref.name);
    } catch {
      throw new Error(`${source}: the rebuilt model has no layer "${ref.name}"`);
    }
    // Keras ≥ 3.6 names each layer's vars group; a different name means the class-derived order went astray.
    const named = tree.groups.get(`layers/${keys[i]}/vars`)?.name;
    if (named !== undefined && named !== ref.name) {
      warn(`layers/${keys[i]}/vars is labelled "${named}" but is loaded into layer "${ref.name}"`);
    }
    for (const group of layerGroups(layer, `layers/${keys[i]}`)) assignGroup(group, tree, source, ref);
  });
}

function assignGroup(group: VarsGroup, tree: H5Tree, source: string, ref: KerasLayerRef): void {
  const saved = varsAt(tree, group.path);
  const vars = group.vars;
  if (saved.length !== vars.length) {
    throw new Error(
      `${source}: layer "${ref.name}" (${ref.className}) expects ${vars.length} variables, but ${group.path} holds ${saved.length}`,
    );
  }
  vars.forEach((v, j) => {
    const d = saved[j];
    const shape = v.shape as number[];
    const isInt = v.dtype === "int32";
    if (d.dtype !== (isInt ? "<i8" : "<f4") || d.shape.join(",") !== shape.join(",")) {
      throw new Error(
        `${source}: ${d.path} is ${d.dtype} [${d.shape.join(", ")}], but variable ${v.name} of layer "${ref.name}" is ${v.dtype} [${shape.join(", ")}]`,
      );
    }
    const t = isInt
      ? tf.tensor(Int32Array.from(d.data as BigInt64Array, (x) => Number(x)), shape, "int32")
      : tf.tensor(d.data as Float32Array, shape, "float32");
    v.write(t);
    t.dispose();
  });
}

/**
 * Loads a Keras 3 `.keras` file written by Python Keras (3.x) or by tslab-fit as a tfjs LayersModel with the
 * file's weights, compiled as the file says when tfjs supports its optimizer, loss and metrics. The model is
 * ready for `predict`, and for `fit` when compiled.
 */
export async function loadKeras(path: string, options: LoadKerasOptions = {}): Promise<tf.LayersModel> {
  const warn = options.onWarning ?? ((m: string) => console.warn(`tslab-fit .keras: ${m}`));
  const archive = await readKerasArchive(path);
  let converted;
  try {
    converted = modelConfigToTfjs(archive.config, { dropAugmentation: options.dropAugmentation, warn });
    restoreTfjsHardSigmoid(converted.topology, archive.metadata?.[TFJS_HARD_SIGMOID_KEY]);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  let model: tf.LayersModel;
  try {
    model = await tf.models.modelFromJSON({ modelTopology: converted.topology } as unknown as tf.io.ModelJSON);
  } catch (e) {
    throw new Error(`${path}: TensorFlow.js could not rebuild the model: ${(e as Error).message}`);
  }
  assignLayerWeights(model, converted.kerasLayers, archive.weights, path, warn);
  if (options.compile !== false && archive.config.compile_config !== undefined) {
    if (applyCompileConfig(model, archive.config.compile_config, warn)) {
      await restoreOptimizerVars(model, archive.weights, warn);
    }
  }
  return model;
}

/**
 * Loads a Keras `.weights.h5` file (what `model.save_weights` and ModelCheckpoint(save_weights_only=True) write)
 * into a tfjs model of the same architecture. Layers are matched as Keras matches them: by class and position,
 * not by name.
 */
export async function loadKerasWeights(model: tf.LayersModel, path: string): Promise<void> {
  const tree = await readH5(new Uint8Array(await fs.readFile(path))).catch((e: Error) => {
    throw new Error(`${path}: ${e.message}`);
  });
  const refs = tfjsKerasLayers(model).map((l) => ({ className: kerasClassName(l), name: l.name, dropped: false }));
  assignLayerWeights(model, refs, tree, path);
}
