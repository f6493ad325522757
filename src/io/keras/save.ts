import type * as tf from "@tensorflow/tfjs";
import { writeFileAtomic } from "../atomic.js";
import { compileConfigToKeras3 } from "./compile-config.js";
import { FLOAT_KEYS, FLOAT_MAP_KEYS } from "./float-keys.js";
import { TFJS_HARD_SIGMOID_KEY, tfjsHardSigmoidSites } from "./tfjs-hard-sigmoid.js";
import { keras3ModelConfig } from "./config.js";
import { addGroup, emptyTree, writeH5, type H5Tree } from "./h5.js";
import type { JsonObject } from "./json.js";
import { modelGroups } from "./layout.js";
import { addOptimizerVars } from "./optimizer-state.js";
import { archiveBytes, type ArchiveSnapshot } from "./archive.js";
import type { PendingWrite } from "../saver.js";

/** The Keras release whose file layout and config key set tslab-fit writes (keras-format.md §6). */
export const KERAS_FORMAT_VERSION = "3.5.0";

export interface SaveKerasOptions {
  /** Write `optimizer/vars` and the optimizer in compile_config (default true, as Keras's `include_optimizer`). */
  includeOptimizer?: boolean;
  /** Where notes go about things Keras will see differently (default: console.warn). */
  onWarning?: (message: string) => void;
}

/** The weights of a tfjs model as Keras lays them out in model.weights.h5 / *.weights.h5. */
export async function kerasWeightsTree(model: tf.LayersModel, includeOptimizer = true): Promise<H5Tree> {
  const tree = emptyTree();
  addGroup(tree, "layers");
  for (const group of modelGroups(model)) {
    addGroup(tree, group.path, { name: group.name });
    for (const [i, v] of group.vars.entries()) {
      if (v.dtype === "int32") {
        // Keras's int variables (Normalization's count) are int64 with its TensorFlow backend; every backend reads them.
        const ints = (await v.read().data()) as Int32Array;
        tree.datasets.set(`${group.path}/${i}`, { shape: v.shape as number[], dtype: "<i8", data: BigInt64Array.from(ints, (x) => BigInt(x)) });
        continue;
      }
      if (v.dtype !== "float32") {
        throw new Error(`Cannot save variable ${v.name} (${group.path}): dtype ${v.dtype} (only float32 is written)`);
      }
      const data = (await v.read().data()) as Float32Array;
      tree.datasets.set(`${group.path}/${i}`, { shape: v.shape as number[], dtype: "<f4", data: new Float32Array(data) });
    }
  }
  if (includeOptimizer) await addOptimizerVars(tree, model);
  // The model's own variables: always none, but Keras 3.3 opens this group without checking that it exists.
  addGroup(tree, "vars", { name: model.name });
  return tree;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** `%Y-%m-%d@%H:%M:%S` in local time, as Keras stamps metadata.json. */
function dateSaved(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}@${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * JSON in Python's `json.dumps` default style (", " and ": " separators, one line), as Keras writes it. Numbers under
 * a key of FLOAT_KEYS (directly or in a list) are written as Python floats: `0.0`, not `0`; so are the values of a
 * dict under a key of FLOAT_MAP_KEYS (loss weights by output name).
 */
export function pythonJson(value: unknown, asFloat = false, floatValues = false): string {
  if (typeof value === "number") return asFloat ? pythonFloat(value) : pythonNumber(value);
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((v) => pythonJson(v, asFloat)).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  const entry = ([k, v]: [string, unknown]) => `${JSON.stringify(k)}: ${pythonJson(v, floatValues || FLOAT_KEYS.has(k), FLOAT_MAP_KEYS.has(k))}`;
  return `{${entries.map(entry).join(", ")}}`;
}

/** Python's repr of a float: integral values keep a `.0` (`1.0`, `-0.0`, but `1e+16`). */
function pythonFloat(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${Object.is(n, -0) ? "-0" : String(n)}.0`;
  return pythonNumber(n);
}

/**
 * Python's float repr uses the same shortest digits as JavaScript but switches to exponent notation outside
 * 1e-4 ≤ |x| < 1e16 and pads the exponent to two digits (`1e-07`, not `1e-7`).
 */
function pythonNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`cannot write ${n} to config.json`);
  if (n === 0 || Number.isInteger(n)) return Math.abs(n) < 1e16 ? String(n) : pyExp(n);
  const exp = Number(n.toExponential().split("e")[1]);
  return exp < -4 || exp >= 16 ? pyExp(n) : String(n);
}

function pyExp(n: number): string {
  const [mantissa, e] = n.toExponential().split("e");
  const sign = e.startsWith("-") ? "-" : "+";
  return `${mantissa}e${sign}${e.replace(/^[+-]/, "").padStart(2, "0")}`;
}

/**
 * Where the model uses tfjs's own hard_sigmoid (not KerasHardSigmoid, which Keras computes alike), with a warning:
 * Keras will compute another formula. The sites go to metadata.json so that loadKeras restores them exactly.
 */
function hardSigmoidSites(model: tf.LayersModel, warn: (m: string) => void): string[] {
  const sites = tfjsHardSigmoidSites(model.toJSON(null, false) as unknown as JsonObject);
  if (sites.length > 0) {
    warn(
      "the model uses hard_sigmoid (tfjs's default LSTM/GRU recurrent activation): tfjs computes clip(0.2x+0.5), " +
        "Keras 3 computes relu6(x+3)/6, so predictions in Python Keras will differ (loadKeras restores tfjs's). Use " +
        "recurrentActivation: 'sigmoid' for identical results.",
    );
  }
  return sites;
}

function metadata(now: Date, tfjsHardSigmoid: string[]): JsonObject {
  const m: JsonObject = { keras_version: KERAS_FORMAT_VERSION, date_saved: dateSaved(now) };
  if (tfjsHardSigmoid.length > 0) m[TFJS_HARD_SIGMOID_KEY] = tfjsHardSigmoid;
  return m;
}

/**
 * A `.keras` archive's content copied out of the model now (config, optimizer state, weight values): training may
 * go on while `archiveBytes` turns it into a file.
 */
export async function kerasArchiveSnapshot(model: tf.LayersModel, options: SaveKerasOptions = {}): Promise<ArchiveSnapshot> {
  const warn = options.onWarning ?? ((m: string) => console.warn(`tslab-fit .keras: ${m}`));
  const includeOptimizer = options.includeOptimizer ?? true;
  const config = keras3ModelConfig(model);
  const tfjsHardSigmoid = hardSigmoidSites(model, warn);
  const compiled = compileConfigToKeras3(model);
  compiled.notes.forEach(warn);
  if (compiled.config) {
    if (!includeOptimizer) delete compiled.config.optimizer;
    config.compile_config = compiled.config;
  }
  // Optimizer variables only make sense next to an optimizer in compile_config.
  const weights = await kerasWeightsTree(model, includeOptimizer && compiled.config?.optimizer !== undefined);
  const savedAt = new Date();
  return {
    metadataJson: pythonJson(metadata(savedAt, tfjsHardSigmoid)),
    configJson: pythonJson(config),
    weights,
    savedAt,
  };
}

/** The bytes of a `.keras` archive for a tfjs model. */
export async function kerasArchiveBytes(model: tf.LayersModel, options: SaveKerasOptions = {}): Promise<Uint8Array> {
  return archiveBytes(await kerasArchiveSnapshot(model, options));
}

/**
 * Saves a tfjs model as a Keras 3 `.keras` archive (config.json, metadata.json, model.weights.h5) that Python's
 * `keras.saving.load_model` reads. Atomic: the file appears complete or not at all.
 */
export async function saveKeras(model: tf.LayersModel, path: string, options: SaveKerasOptions = {}): Promise<void> {
  await (await snapshotKeras(model, path, options))();
}

/** `saveKeras` in two steps: the model's state is copied now; the returned write builds and writes the archive. */
export async function snapshotKeras(model: tf.LayersModel, path: string, options: SaveKerasOptions = {}): Promise<PendingWrite> {
  if (!path.endsWith(".keras")) throw new Error(`saveKeras: the path must end in .keras (got ${path})`);
  const snapshot = await kerasArchiveSnapshot(model, options);
  return async ({ pause } = {}) => writeFileAtomic(path, await archiveBytes(snapshot, pause));
}

/** Saves only the weights, as Keras's `model.save_weights("x.weights.h5")` lays them out. Atomic. */
export async function saveKerasWeights(model: tf.LayersModel, path: string, options: SaveKerasOptions = {}): Promise<void> {
  await (await snapshotKerasWeights(model, path, options))();
}

/** `saveKerasWeights` in two steps: the weights (and optimizer state) are copied now, written by the returned call. */
export async function snapshotKerasWeights(model: tf.LayersModel, path: string, options: SaveKerasOptions = {}): Promise<PendingWrite> {
  if (!path.endsWith(".weights.h5")) throw new Error(`saveKerasWeights: the path must end in .weights.h5 (got ${path})`);
  // Layer classes are checked the same way as for a full archive, so unsupported layers fail clearly here too.
  keras3ModelConfig(model);
  const withOptimizer = (options.includeOptimizer ?? true) && compileConfigToKeras3(model).config?.optimizer !== undefined;
  const tree = await kerasWeightsTree(model, withOptimizer);
  return async ({ pause } = {}) => writeFileAtomic(path, await writeH5(tree, pause));
}
