// Layers and activations Keras 3 has and TensorFlow.js lacks, usable from TypeScript and mapped to Keras's classes
// by the `.keras` reader and writer.
import "./category-encoding-fix.js";
export { KerasHardSigmoid } from "./keras-hard-sigmoid.js";
export { GRUResetAfter, GRUResetAfterCell, gruResetAfter } from "./gru-reset-after.js";
export type { GRUResetAfterArgs } from "./gru-reset-after.js";
export { Normalization, normalization } from "./normalization.js";
export type { NormalizationArgs, AdaptData } from "./normalization.js";
export {
  ZeroPadding1D, ZeroPadding3D, Cropping1D, UpSampling1D, UpSampling3D, GlobalAveragePooling3D, GlobalMaxPooling3D, SpatialDropout2D,
} from "./keras-extra.js";
export { MultiHeadAttention, multiHeadAttention } from "./multi-head-attention.js";
export type { MultiHeadAttentionArgs } from "./multi-head-attention.js";
export {
  KerasResizing, KerasCenterCrop, KerasCategoryEncoding, kerasResizing, kerasCenterCrop, kerasCategoryEncoding,
} from "./keras-preprocessing.js";
export type {
  KerasResizingArgs, KerasCenterCropArgs, KerasCategoryEncodingArgs, ImageDataFormat, ResizeInterpolation, CategoryOutputMode,
} from "./keras-preprocessing.js";
