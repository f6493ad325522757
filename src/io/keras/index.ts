// Keras 3 `.keras` files: config conversion, archive writing and reading. Importing this module registers the
// `.keras` and `.weights.h5` savers that ModelCheckpoint picks by path.
import { registerSaver } from "../saver.js";
import { kerasSavers } from "./savers.js";

export { keras3ModelConfig } from "./config.js";
export { toSnakeCase, layerKeys } from "./snake.js";
export { saveKeras, saveKerasWeights, kerasArchiveBytes, KERAS_FORMAT_VERSION } from "./save.js";
export type { SaveKerasOptions } from "./save.js";
export { loadKeras, loadKerasWeights, readKerasArchive } from "./load.js";
export type { LoadKerasOptions, KerasArchive } from "./load.js";
export { kerasSavers, kerasArchiveSaver, kerasWeightsSaver } from "./savers.js";

for (const saver of kerasSavers) registerSaver(saver);
