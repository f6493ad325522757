import { modelPathKind } from "../model-path.js";
import type { ModelSaver } from "../saver.js";
import { saveKeras, saveKerasWeights, snapshotKeras, snapshotKerasWeights } from "./save.js";

/** With `weightsOnly` Keras itself refuses `.keras`, so this does too. */
function refuseWeightsOnly(path: string, weightsOnly: boolean): void {
  if (!weightsOnly) return;
  throw new Error(
    `save_weights_only needs a path ending in .weights.h5 (Keras's rule); got ${path}. ` + `Use e.g. "${path.replace(/\.keras$/, ".weights.h5")}".`,
  );
}

/** `.keras` paths: a full Keras 3 archive. */
export const kerasArchiveSaver: ModelSaver = {
  format: "Keras 3 archive (.keras)",
  matches: (path) => modelPathKind(path) === "keras",
  async save(model, path, options) {
    refuseWeightsOnly(path, options.weightsOnly);
    await saveKeras(model, path);
  },
  async snapshot(model, path, options) {
    refuseWeightsOnly(path, options.weightsOnly);
    return snapshotKeras(model, path);
  },
};

/** `.weights.h5` paths: Keras's weights-only HDF5 file (what `model.save_weights` writes). */
export const kerasWeightsSaver: ModelSaver = {
  format: "Keras 3 weights (.weights.h5)",
  matches: (path) => modelPathKind(path) === "weights-h5",
  async save(model, path) {
    await saveKerasWeights(model, path);
  },
  snapshot: (model, path) => snapshotKerasWeights(model, path),
};

export const kerasSavers: readonly ModelSaver[] = [kerasArchiveSaver, kerasWeightsSaver];
