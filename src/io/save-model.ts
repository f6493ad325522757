import type * as tf from "@tensorflow/tfjs";
import { modelPathKind } from "./model-path.js";
import { findSaver, registerSaver } from "./saver.js";
import { registerFileRouter, tfjsLayersSaver } from "./tfjs-layers-saver.js";

registerSaver(tfjsLayersSaver);
registerFileRouter();

/** Checks a checkpoint path against the kind of save, Keras-style, before training starts. */
export function checkSavePath(filepath: string, weightsOnly: boolean): void {
  if (typeof filepath !== "string" || filepath === "") {
    const Class = typeof filepath === "string" ? RangeError : TypeError;
    throw new Class(`filepath must be a non-empty string (a folder, ".keras" or ".weights.h5" path), got ${JSON.stringify(filepath)}`);
  }
  const kind = modelPathKind(filepath);
  if (kind === "legacy-h5") {
    throw new RangeError(`filepath: legacy ".h5" model files are not supported; use ".keras", ".weights.h5" or a folder, got ${filepath}`);
  }
  if (kind !== "folder" && !filepath.endsWith(kind === "keras" ? ".keras" : ".weights.h5")) {
    throw new RangeError(`filepath: write the extension in lower case (".keras" / ".weights.h5"), as Keras requires, got ${filepath}`);
  }
  if (weightsOnly && kind === "keras") {
    throw new RangeError(`filepath: with saveWeightsOnly the path must end in ".weights.h5" or be a folder, got ${filepath}`);
  }
  if (!weightsOnly && kind === "weights-h5") {
    throw new RangeError(`filepath: a ".weights.h5" path needs saveWeightsOnly: true; for the whole model use ".keras" or a folder, got ${filepath}`);
  }
}

/** Saves through the saver chosen by the path: a folder (TF.js layers), `.keras` or `.weights.h5`. */
export async function saveModel(model: tf.LayersModel, filepath: string, options: { weightsOnly?: boolean } = {}): Promise<void> {
  const weightsOnly = options.weightsOnly ?? false;
  checkSavePath(filepath, weightsOnly);
  const saver = findSaver(filepath);
  if (!saver) throw new Error(`no saver handles ${filepath}: .keras / .weights.h5 saving comes with tslab-fit's main module`);
  await saver.save(model, filepath, { weightsOnly });
}
