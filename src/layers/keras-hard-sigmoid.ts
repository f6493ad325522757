import * as tf from "@tensorflow/tfjs";

/**
 * Keras 3's `hard_sigmoid`, `relu6(x + 3) / 6`. TensorFlow.js's own `hardSigmoid` is Keras 2's
 * `clip(0.2x + 0.5, 0, 1)`, so a Keras 3 file that names `hard_sigmoid` is loaded with this activation instead, and
 * it is saved back under Keras's name. Use it in TypeScript as `activation: "kerasHardSigmoid"` (or
 * `recurrentActivation:`), with a cast: tfjs's typings list only its built-in names.
 */
export class KerasHardSigmoid extends tf.serialization.Serializable {
  static className = "kerasHardSigmoid";

  getClassName(): string {
    return KerasHardSigmoid.className;
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.div(tf.relu6(tf.add(x, 3)), 6));
  }

  getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}
tf.serialization.registerClass(KerasHardSigmoid);

/** The activation name tfjs layer configs use for KerasHardSigmoid (snake case, as in `toJSON()`). */
export const KERAS_HARD_SIGMOID = "keras_hard_sigmoid";
