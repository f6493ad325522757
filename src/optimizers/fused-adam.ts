import * as tf from "@tensorflow/tfjs";
import { FUSED_ADAM, type FusedAdamAttrs } from "../kernels/wasm/adam.js";

/** The AdamOptimizer fields tfjs keeps protected; the fused step reads and writes them as the stock one does. */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  incrementIterations(): void;
}

type Gradients = Parameters<tf.AdamOptimizer["applyGradients"]>[0];

const STOCK = Symbol.for("tslab-fit.stockAdamApplyGradients");
type Tagged = tf.AdamOptimizer["applyGradients"] & { [STOCK]?: tf.AdamOptimizer["applyGradients"] };
// tfjs's own method, even if another copy of tslab-fit in this process patched the prototype first.
const current = tf.AdamOptimizer.prototype.applyGradients as Tagged;
const stockApplyGradients = current[STOCK] ?? current;

/**
 * tfjs's AdamOptimizer.applyGradients with the update of all variables in one kernel on wasm (src/kernels/wasm/
 * adam.ts): same moments, same bookkeeping (slot variables made the same way and named `<var>/m`, `<var>/v`, accBeta
 * and the iteration count advanced), so getWeights/setWeights, `.keras` optimizer state and learning-rate callbacks
 * (which set `learningRate`, read here every step) see no difference. Elsewhere, or for a non-float32 variable, the
 * stock method runs.
 */
function fusedApplyGradients(this: tf.AdamOptimizer, variableGradients: Gradients): void {
  const self = this as unknown as AdamInternals;
  const names = Array.isArray(variableGradients) ? variableGradients.map((g) => g.name) : Object.keys(variableGradients);
  const registered = tf.engine().registeredVariables;
  if (tf.getBackend() !== "wasm" || !tf.getKernel(FUSED_ADAM, "wasm") || names.some((n) => registered[n]?.dtype !== "float32")) {
    return stockApplyGradients.call(this, variableGradients);
  }
  tf.tidy(() => {
    const inputs: Record<string, tf.Tensor> = { accBeta1: self.accBeta1, accBeta2: self.accBeta2 };
    const targets: tf.Variable[] = [];
    names.forEach((name, i) => {
      const value = registered[name];
      self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
      if (gradient == null) return;
      const m = self.accumulatedFirstMoment[i]!.variable;
      const v = self.accumulatedSecondMoment[i]!.variable;
      const k = targets.length / 3;
      Object.assign(inputs, { [`value${k}`]: value, [`m${k}`]: m, [`v${k}`]: v, [`grad${k}`]: gradient.dtype === "float32" ? gradient : gradient.cast("float32") });
      targets.push(value, m, v);
    });
    const attrs: FusedAdamAttrs = { count: targets.length / 3, beta1: self.beta1, beta2: self.beta2, epsilon: self.epsilon, learningRate: self.learningRate };
    const outs = tf.engine().runKernel(FUSED_ADAM, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    self.accBeta1.assign(outs[0]);
    self.accBeta2.assign(outs[1]);
    targets.forEach((t, j) => t.assign(outs[2 + j]));
  });
  self.incrementIterations();
}

/** Makes every tf.AdamOptimizer (and subclass, e.g. AdamW) take the fused step on wasm. Idempotent. */
export function useFusedAdam(): void {
  (fusedApplyGradients as Tagged)[STOCK] = stockApplyGradients;
  tf.AdamOptimizer.prototype.applyGradients = fusedApplyGradients;
}

/** Puts tfjs's own applyGradients back (benchmarks and tests compare both in one process). */
export function useStockAdam(): void {
  tf.AdamOptimizer.prototype.applyGradients = stockApplyGradients;
}
