import * as tf from "@tensorflow/tfjs";
import { envelope, type Json } from "./json.js";

/**
 * Losses tfjs has no name for, written as functions that carry what Keras needs to write them back:
 * - `from_logits=True` cross-entropies: tfjs's named losses take probabilities, so these compute Keras's formulas on
 *   logits directly (the numerically stable forms Keras's backends use);
 * - a per-output loss scaled by its Keras `loss_weights` entry (tfjs's compile has no loss weights; scaling each
 *   output's loss gives the same total loss and gradients).
 */

export type LossFn = ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor) & {
  /** The Keras 3 identifier or envelope of the unweighted loss. */
  kerasLoss?: Json;
  /** The Keras `loss_weights` entry, when not 1. */
  kerasWeight?: number;
};

function tagged(fn: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor, name: string, kerasLoss: Json): LossFn {
  const f = fn as LossFn;
  Object.defineProperty(f, "name", { value: name });
  f.kerasLoss = kerasLoss;
  return f;
}

/** Per-sample binary cross-entropy on logits z: mean over the last axis of max(z,0) − z·y + log(1 + e^−|z|). */
function binaryFromLogits(yTrue: tf.Tensor, logits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const y = yTrue.toFloat();
    const per = tf.relu(logits).sub(logits.mul(y)).add(tf.log1p(tf.exp(logits.abs().neg())));
    return per.mean(-1);
  });
}

/** Per-sample categorical cross-entropy on logits: −Σ y · log_softmax(z). */
function categoricalFromLogits(yTrue: tf.Tensor, logits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.neg(tf.sum(yTrue.toFloat().mul(tf.logSoftmax(logits, -1)), -1)));
}

const REDUCTION = "sum_over_batch_size";

/** The tfjs loss for a Keras cross-entropy with from_logits=True, or undefined for other classes. */
export function fromLogitsLoss(className: string): LossFn | undefined {
  switch (className) {
    case "BinaryCrossentropy":
      return tagged(binaryFromLogits, "binaryCrossentropyFromLogits", envelope("keras.losses", "BinaryCrossentropy", {
        name: "binary_crossentropy", reduction: REDUCTION, from_logits: true, label_smoothing: 0, axis: -1,
      }));
    case "CategoricalCrossentropy":
      return tagged(categoricalFromLogits, "categoricalCrossentropyFromLogits", envelope("keras.losses", "CategoricalCrossentropy", {
        name: "categorical_crossentropy", reduction: REDUCTION, from_logits: true, label_smoothing: 0, axis: -1,
      }));
    default:
      return undefined;
  }
}

/** `base` scaled by a Keras loss weight; keeps what Keras needs to write the loss and weight back. */
export function weightedLoss(base: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor, kerasLoss: Json, weight: number): LossFn {
  const f = tagged((yTrue, yPred) => tf.tidy(() => base(yTrue, yPred).mul(weight)), `weighted_${(base as { name?: string }).name ?? "loss"}`, kerasLoss);
  f.kerasWeight = weight;
  return f;
}
