import * as tf from "@tensorflow/tfjs";

interface Slot {
  originalName: string;
  variable: tf.Variable;
}

/**
 * Adadelta with Keras's update rule. tfjs's `tf.train.adadelta` scales the step by the accumulated squared gradient
 * of the previous step; Keras (and the Adadelta paper) by the one just updated with this step's gradient:
 *
 *   E[g²] ← ρ·E[g²] + (1−ρ)·g²;  Δ = −√(E[Δ²] + ε) / √(E[g²] + ε) · g;  E[Δ²] ← ρ·E[Δ²] + (1−ρ)·Δ²;  w ← w + lr·Δ
 *
 * Slots, `getWeights`/`setWeights` and the class name are tfjs's Adadelta's, so it saves, restores and serializes
 * as one. `loadKeras` compiles Keras files that use Adadelta with it, so a run resumed here takes Keras's steps.
 */
export class KerasAdadelta extends tf.AdadeltaOptimizer {
  applyGradients(variableGradients: Parameters<tf.AdadeltaOptimizer["applyGradients"]>[0]): void {
    const self = this as unknown as { accumulatedGrads: Slot[]; accumulatedUpdates: Slot[]; learningRate: number; rho: number; epsilon: number };
    const names = Array.isArray(variableGradients) ? variableGradients.map((g) => g.name) : Object.keys(variableGradients);
    const { rho, epsilon: eps, learningRate: lr } = self;
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name];
      const slot = (slots: Slot[], suffix: string) => {
        slots[i] ??= { originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        return slots[i].variable;
      };
      const accumulatedGrad = slot(self.accumulatedGrads, "accum_grad");
      const accumulatedUpdate = slot(self.accumulatedUpdates, "accum_var");
      const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
      if (gradient == null) return;
      tf.tidy(() => {
        const newGrad = tf.add(tf.mul(accumulatedGrad, rho), tf.mul(tf.square(gradient), 1 - rho));
        const delta = tf.mul(tf.div(tf.sqrt(tf.add(accumulatedUpdate, eps)), tf.sqrt(tf.add(newGrad, eps))), gradient);
        const newUpdate = tf.add(tf.mul(accumulatedUpdate, rho), tf.mul(tf.square(delta), 1 - rho));
        accumulatedGrad.assign(newGrad);
        accumulatedUpdate.assign(newUpdate);
        value.assign(tf.sub(value, tf.mul(delta, lr)));
      });
    });
    this.incrementIterations();
  }
}

/** `tf.train.adadelta` with Keras's update rule (see KerasAdadelta). Keras's defaults: 0.001, 0.95, 1e-7. */
export function kerasAdadelta(learningRate = 0.001, rho = 0.95, epsilon = 1e-7): KerasAdadelta {
  return new KerasAdadelta(learningRate, rho, epsilon);
}
