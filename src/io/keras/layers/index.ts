import { ACTIVATION_LAYERS } from "./activations.js";
import { ATTENTION_LAYERS } from "./attention.js";
import { CONV_LAYERS } from "./conv.js";
import { CORE_LAYERS } from "./core.js";
import { EXTRA_LAYERS } from "./extra.js";
import { MERGING_LAYERS } from "./merging.js";
import { NORMALIZATION_LAYERS } from "./normalization.js";
import { POOLING_LAYERS } from "./pooling.js";
import { PREPROCESSING_LAYERS } from "./preprocessing.js";
import { RECURRENT_LAYERS } from "./recurrent.js";
import { registerLayerMappings } from "./registry.js";
import { REGULARIZATION_LAYERS } from "./regularization.js";
import { RESHAPING_LAYERS } from "./reshaping.js";
import { WRAPPER_LAYERS } from "./wrappers.js";

/**
 * Every layer family, registered once. To map a new class: add a `LayerMapping` to its family's list (or a new
 * family file listed here). Nothing else changes: the reader, writer, weights layout and docs table read the registry.
 */
const FAMILIES = [
  CORE_LAYERS, CONV_LAYERS, POOLING_LAYERS, NORMALIZATION_LAYERS, RECURRENT_LAYERS, RESHAPING_LAYERS,
  ACTIVATION_LAYERS, MERGING_LAYERS, REGULARIZATION_LAYERS, WRAPPER_LAYERS, EXTRA_LAYERS,
  PREPROCESSING_LAYERS, ATTENTION_LAYERS,
];
for (const family of FAMILIES) registerLayerMappings(family);

export { readerFor, writerFor, allLayerMappings, ownVariables } from "./registry.js";
export type { LayerMapping, NestedRead, NestedWrite, VarsGroup } from "./registry.js";
