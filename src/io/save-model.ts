import type * as tf from "@tensorflow/tfjs";
import { modelPathKind } from "./model-path.js";
import { findSaver, registerSaver, type ModelSaver, type PendingWrite } from "./saver.js";
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
  await saverFor(filepath, weightsOnly).save(model, filepath, { weightsOnly });
}

/**
 * Copies the model's state for a save to `filepath` now and returns the write still to do (serialisation and the
 * atomic file write), which may run while training goes on. A saver that cannot snapshot saves in full here; its
 * pending write then has nothing left to do.
 */
export async function snapshotModel(model: tf.LayersModel, filepath: string, options: { weightsOnly?: boolean } = {}): Promise<PendingWrite> {
  const weightsOnly = options.weightsOnly ?? false;
  const saver = saverFor(filepath, weightsOnly);
  if (saver.snapshot) return saver.snapshot(model, filepath, { weightsOnly });
  await saver.save(model, filepath, { weightsOnly });
  return async () => {};
}

function saverFor(filepath: string, weightsOnly: boolean): ModelSaver {
  checkSavePath(filepath, weightsOnly);
  const saver = findSaver(filepath);
  if (!saver) throw new Error(`no saver handles ${filepath}: .keras / .weights.h5 saving comes with tslab-fit's main module`);
  return saver;
}
