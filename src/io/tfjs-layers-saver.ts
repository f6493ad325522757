import * as tf from "@tensorflow/tfjs";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { recoverDir, writeDirAtomic } from "./atomic.js";
import { modelPathKind } from "./model-path.js";
import type { ModelSaver, PendingWrite, SaveOptions } from "./saver.js";

/**
 * The TF.js layers format — a folder with `model.json` and `weights.bin` — written and read with Node's fs, so it
 * works on every backend (tfjs-node's `file://` handler needs libtensorflow). `tf.loadLayersModel("file://…")`
 * works too: importing tslab-fit registers a `file://` load router unless tfjs-node provides one.
 */
export const tfjsLayersSaver: ModelSaver = {
  format: "TF.js layers folder (model.json + weights.bin)",
  matches: (p) => modelPathKind(p) === "folder",
  async save(model: tf.LayersModel, target: string, options: SaveOptions): Promise<void> {
    await (await this.snapshot!(model, target, options))();
  },
  async snapshot(model: tf.LayersModel, target: string, options: SaveOptions): Promise<PendingWrite> {
    // tfjs hands the save handler fresh copies (topology JSON, one concatenated weight buffer): keeping them is the
    // snapshot, and the folder can be written later.
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
      }),
    );
    const copy = artifacts!;
    return () => writeDirAtomic(target, (dir) => writeArtifacts(dir, copy, options.weightsOnly), isModelFolder);
  },
};

/** A folder this saver wrote: model.json and weight files only. */
function isModelFolder(names: string[]): boolean {
  return names.every((n) => n === "model.json" || /^weights.*\.bin$/.test(n));
}

async function writeArtifacts(dir: string, a: tf.io.ModelArtifacts, weightsOnly: boolean): Promise<void> {
  const weightData = a.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(a.weightData);
  await fs.writeFile(path.join(dir, "weights.bin"), new Uint8Array(weightData));
  const json: Record<string, unknown> = {
    format: a.format ?? "layers-model",
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy ?? null,
    weightsManifest: [{ paths: ["./weights.bin"], weights: a.weightSpecs ?? [] }],
  };
  if (!weightsOnly) {
    json.modelTopology = a.modelTopology;
    if (a.trainingConfig) json.trainingConfig = a.trainingConfig;
  }
  await fs.writeFile(path.join(dir, "model.json"), JSON.stringify(json));
}

/** Reads a layers folder (or its model.json) back into tfjs model artifacts. */
export async function readLayersArtifacts(modelJsonPath: string): Promise<tf.io.ModelArtifacts> {
  const folder = path.basename(modelJsonPath) === "model.json" ? path.dirname(modelJsonPath) : modelJsonPath;
  // A save cut off by a crash between its two renames leaves the folder missing and its copies beside it; copies a
  // crashed process left next to a complete folder are removed.
  await recoverDir(folder);
  const file = (await fs.stat(modelJsonPath)).isDirectory() ? path.join(modelJsonPath, "model.json") : modelJsonPath;
  const modelJSON = JSON.parse(await fs.readFile(file, "utf8")) as tf.io.ModelJSON;
  return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
    const specs = manifest.flatMap((group) => group.weights);
    const buffers = await Promise.all(
      manifest.flatMap((group) => group.paths.map((p) => fs.readFile(path.join(path.dirname(file), p)))),
    );
    const joined = Buffer.concat(buffers);
    return [specs, joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength)];
  });
}

/**
 * Loads weights saved in the layers format (e.g. by a `saveWeightsOnly` checkpoint) into `model`. Like Keras's
 * `load_weights`, weights are matched by order, not by name: tfjs numbers layer names per process
 * (`dense_Dense3`), so names differ between the model that saved and the one that loads.
 */
export async function loadLayersWeights(model: tf.LayersModel, folder: string): Promise<void> {
  const artifacts = await readLayersArtifacts(folder);
  const specs = artifacts.weightSpecs ?? [];
  const named = tf.io.decodeWeights(artifacts.weightData!, specs);
  const tensors = specs.map((s) => named[s.name]);
  try {
    const expected = model.weights;
    if (expected.length !== tensors.length) {
      throw new Error(`${folder} holds ${tensors.length} weights but the model has ${expected.length}`);
    }
    expected.forEach((w, i) => {
      if (w.shape.join() !== tensors[i].shape.join()) {
        throw new Error(`${folder}: weight ${i} (${specs[i].name}) has shape [${tensors[i].shape}] but the model's ${w.name} is [${w.shape}]`);
      }
    });
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}

let deferToNativeFileHandler = false;

/** Called when tfjs-node loads: its own `file://` handler takes over, and two handlers would make tfjs throw. */
export function deferFileRouterToTfjsNode(): void {
  deferToNativeFileHandler = true;
}

function fileUrlPath(url: string | string[]): string | undefined {
  const u = Array.isArray(url) ? url[0] : url;
  if (typeof u !== "string" || !u.startsWith("file://")) return undefined;
  return u.slice("file://".length);
}

let registered = false;
export function registerFileRouter(): void {
  if (registered) return;
  registered = true;
  tf.io.registerLoadRouter((url) => {
    const p = deferToNativeFileHandler ? undefined : fileUrlPath(url);
    return (p === undefined ? null : { load: () => readLayersArtifacts(p) }) as tf.io.IOHandler;
  });
  tf.io.registerSaveRouter((url) => {
    const p = deferToNativeFileHandler ? undefined : fileUrlPath(url);
    if (p === undefined) return null as unknown as tf.io.IOHandler;
    return {
      save: async (artifacts: tf.io.ModelArtifacts) => {
        await writeDirAtomic(p.endsWith("model.json") ? path.dirname(p) : p, (dir) => writeArtifacts(dir, artifacts, false), isModelFolder);
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      },
    };
  });
}

