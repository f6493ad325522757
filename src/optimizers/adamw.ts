import * as tf from "@tensorflow/tfjs";

/**
 * Adam with decoupled weight decay, as Keras's `AdamW`: before each Adam step every trained variable shrinks by
 * `learning_rate · weight_decay · variable` (Loshchilov & Hutter), independent of the gradient. Saved to `.keras`
 * as Keras's AdamW with its moments, and read back from Keras's AdamW (or Adam with `weight_decay`).
 */
export class AdamW extends tf.AdamOptimizer {
  static override className = "AdamW";
  readonly weightDecay: number;

  constructor(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7, weightDecay = 0.004) {
    super(learningRate, beta1, beta2, epsilon);
    for (const [name, v] of Object.entries({ learningRate, beta1, beta2, epsilon, weightDecay })) {
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
        throw new Error(`AdamW: ${name} must be a finite number ≥ 0 (got ${String(v)})`);
      }
    }
    this.weightDecay = weightDecay;
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer["applyGradients"]>[0]): void {
    const names = Array.isArray(variableGradients) ? variableGradients.map((g) => g.name) : Object.keys(variableGradients);
    if (this.weightDecay > 0) {
      const registered = tf.engine().registeredVariables;
      const factor = 1 - this.learningRate * this.weightDecay;
      tf.tidy(() => {
        for (const name of names) {
          const v = registered[name];
          if (v && v.trainable) v.assign(v.mul(factor));
        }
      });
    }
    super.applyGradients(variableGradients);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), weightDecay: this.weightDecay };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const c = config as Record<string, number>;
    return new (cls as unknown as typeof AdamW)(c.learningRate, c.beta1, c.beta2, c.epsilon, c.weightDecay) as unknown as T;
  }
}

tf.serialization.registerClass(AdamW);
