import type * as tf from "@tensorflow/tfjs";

/**
 * tfjs optimizers keep the rate in a protected `learningRate` field. SGD and Momentum also cache `-lr` as a
 * tensor, so for them only `setLearningRate` really changes the step; the others read the field every step.
 */
interface OptimizerInternals {
  learningRate?: number;
  setLearningRate?: (lr: number) => void;
  iterations?: number;
}

export function getLearningRate(optimizer: tf.Optimizer | undefined): number | undefined {
  const lr = (optimizer as unknown as OptimizerInternals | undefined)?.learningRate;
  return typeof lr === "number" ? lr : undefined;
}

export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  if (!Number.isFinite(lr) || lr < 0) {
    throw new Error(`learning rate must be a finite number >= 0, got ${lr}`);
  }
  const o = optimizer as unknown as OptimizerInternals;
  if (typeof o.setLearningRate === "function") o.setLearningRate(lr);
  else if (typeof o.learningRate === "number") o.learningRate = lr;
  else throw new Error(`cannot set the learning rate of ${optimizer.getClassName()}: it has no learningRate field`);
}

/** The optimizer's step counter (Keras's `optimizer.iterations`); 0 before the first step. */
export function getIterations(optimizer: tf.Optimizer | undefined): number {
  const it = (optimizer as unknown as OptimizerInternals | undefined)?.iterations;
  return typeof it === "number" ? it : 0;
}
