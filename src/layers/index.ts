// Layers and activations Keras 3 has and TensorFlow.js lacks, usable from TypeScript and mapped to Keras's classes
// by the `.keras` reader and writer.
export { KerasHardSigmoid } from "./keras-hard-sigmoid.js";
export { GRUResetAfter, GRUResetAfterCell, gruResetAfter } from "./gru-reset-after.js";
export type { GRUResetAfterArgs } from "./gru-reset-after.js";
export { Normalization, normalization } from "./normalization.js";
export type { NormalizationArgs, AdaptData } from "./normalization.js";
