import type * as tf from "@tensorflow/tfjs";
import { findSaver, registerSaver } from "./saver.js";
import { registerFileRouter, tfjsLayersSaver } from "./tfjs-layers-saver.js";

// Order matters: later registrations win. Paths no saver handles yet get a clear message instead of a wrong file.
registerSaver({
  format: "HDF5 (.h5 / .keras)",
  matches: (p) => /\.(keras|h5)$/i.test(p),
  async save(_model, p) {
    throw new Error(`saving to ${p} is not supported yet: .keras / .weights.h5 support is not installed; use a folder path (TF.js layers format)`);
  },
});
registerSaver(tfjsLayersSaver);
registerFileRouter();

/** Checks a checkpoint path against the kind of save, Keras-style, before training starts. */
export function checkSavePath(filepath: string, weightsOnly: boolean): void {
  if (typeof filepath !== "string" || filepath === "") throw new Error(`filepath must be a non-empty string, got ${JSON.stringify(filepath)}`);
  const lower = filepath.toLowerCase();
  if (weightsOnly && /\.keras$/.test(lower)) {
    throw new Error(`filepath: with saveWeightsOnly the path must end in ".weights.h5" or be a folder, got ${filepath}`);
  }
  if (!weightsOnly && lower.endsWith(".weights.h5")) {
    throw new Error(`filepath: a ".weights.h5" path needs saveWeightsOnly: true; for the whole model use ".keras" or a folder, got ${filepath}`);
  }
  if (lower.endsWith(".h5") && !lower.endsWith(".weights.h5")) {
    throw new Error(`filepath: legacy ".h5" model files are not supported; use ".keras", ".weights.h5" or a folder, got ${filepath}`);
  }
}

/** Saves through the saver chosen by the path: a folder (TF.js layers), `.keras` or `.weights.h5`. */
export async function saveModel(model: tf.LayersModel, filepath: string, options: { weightsOnly?: boolean } = {}): Promise<void> {
  const weightsOnly = options.weightsOnly ?? false;
  checkSavePath(filepath, weightsOnly);
  const saver = findSaver(filepath);
  if (!saver) throw new Error(`no saver handles ${filepath}`);
  await saver.save(model, filepath, { weightsOnly });
}
