import * as tf from "@tensorflow/tfjs";

/**
 * A copy of a model's weights that later training cannot change. tfjs's `getWeights()` returns the live variables
 * (optimizers assign in place), so a snapshot must clone them.
 */
export class WeightSnapshot {
  private constructor(private readonly tensors: tf.Tensor[]) {}

  static take(model: tf.LayersModel): WeightSnapshot {
    return new WeightSnapshot(tf.tidy(() => model.getWeights().map((w) => w.clone())));
  }

  restoreInto(model: tf.LayersModel): void {
    model.setWeights(this.tensors);
  }

  dispose(): void {
    tf.dispose(this.tensors);
  }
}
