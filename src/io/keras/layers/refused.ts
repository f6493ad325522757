/**
 * Classes tslab-fit refuses, with the reason and what the user can do. Keras classes are refused while reading a
 * `.keras` file, tfjs classes while writing one; both lists feed the error messages and the docs table.
 */

export interface Refusal {
  reason: string;
  instead: string;
}

const NO_TFJS = (what: string): Refusal => ({
  reason: `TensorFlow.js has no ${what} layer`,
  instead: "Rebuild the model without it in Python, or build it in TypeScript and load the weights with loadKerasWeights",
});

/** Keras 3 classes without a mapping, keyed by class name. */
export const REFUSED_KERAS: Record<string, Refusal> = {
  GroupedQueryAttention: NO_TFJS("GroupedQueryAttention"),
  Attention: NO_TFJS("Attention"),
  AdditiveAttention: NO_TFJS("AdditiveAttention"),
  EinsumDense: NO_TFJS("EinsumDense"),
  Lambda: {
    reason: "a Lambda layer holds Python code, which cannot run in TypeScript",
    instead: "Replace it by built-in layers in Python and save again",
  },
  Identity: NO_TFJS("Identity"),
  Subtract: NO_TFJS("Subtract merge"),
  Cropping3D: NO_TFJS("Cropping3D"),
  SpatialDropout3D: {
    reason: "TensorFlow.js has no SpatialDropout3D layer",
    instead: "It is the identity at inference: replace it by Dropout in Python (or remove it) and save again",
  },
  Conv1DTranspose: NO_TFJS("Conv1DTranspose"),
  SeparableConv1D: NO_TFJS("SeparableConv1D"),
  DepthwiseConv1D: NO_TFJS("DepthwiseConv1D"),
  ConvLSTM1D: NO_TFJS("ConvLSTM1D"),
  ConvLSTM3D: NO_TFJS("ConvLSTM3D"),
  GroupNormalization: NO_TFJS("GroupNormalization"),
  UnitNormalization: NO_TFJS("UnitNormalization"),
  RMSNormalization: NO_TFJS("RMSNormalization"),
  TextVectorization: { reason: "TensorFlow.js has no text preprocessing layers", instead: "Tokenize in TypeScript before the model and save the model from its Embedding on" },
  StringLookup: { reason: "TensorFlow.js has no string lookup layers", instead: "Map strings to ids in TypeScript before the model" },
  IntegerLookup: NO_TFJS("IntegerLookup"),
  Hashing: NO_TFJS("Hashing"),
  Discretization: NO_TFJS("Discretization"),
};


/** tfjs classes the writer refuses (besides those with no Keras 3 class at all). */
export const REFUSED_TFJS: Record<string, Refusal> = {
  // Keras's Resizing and CenterCrop load as tslab-fit's KerasResizing and KerasCenterCrop (layers/preprocessing.ts).
  Resizing: {
    reason:
      "TensorFlow.js's Resizing aligns corners (with cropToAspectRatio it samples from the top-left corner without " +
      "cropping) while Keras's uses half-pixel centers, and no Keras 3 layer computes tfjs's sampling, so Keras would " +
      "compute other images",
    instead: "Build the model with tslab-fit's kerasResizing (Keras's half-pixel resize, saved as Keras's Resizing)",
  },
  RandomWidth: {
    reason: "Keras 3 has no RandomWidth layer any more",
    instead: "Remove it from the model before saving (it only acts during training)",
  },
  CenterCrop: {
    reason:
      "TensorFlow.js's CenterCrop samples its box with cropAndResize (coordinates scaled by size − 1, and a one-pixel " +
      "shift when the width differs by one), so it does not return the center pixels Keras's CenterCrop returns",
    instead: "Build the model with tslab-fit's kerasCenterCrop (Keras's exact center crop, saved as Keras's CenterCrop)",
  },
  ConvLSTM2DCell: { reason: "a bare RNN cell is not a model layer", instead: "Use ConvLSTM2D" },
  GRUResetAfterCell: { reason: "a bare RNN cell is not a model layer", instead: "Use GRUResetAfter (gruResetAfter)" },
};
