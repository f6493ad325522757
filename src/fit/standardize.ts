import * as tf from "@tensorflow/tfjs";

interface StandardizeInternals {
  model?: StandardizeInternals;
  standardizeUserDataXY?(x: tf.Tensor[], y: tf.Tensor[], checkBatchAxis: boolean): [tf.Tensor[], tf.Tensor[]];
}

/**
 * Brings inputs and targets to the shapes the model's train function expects — tfjs's own check, run once per fit
 * rather than once per batch: rank-1 targets become [n, 1] (so a sparse loss or MSE sees what `model.fit` would
 * give it) and mismatched shapes fail with tfjs's message. Returns the tensors and those it newly created.
 */
export function standardize(model: tf.LayersModel, xs: tf.Tensor[], ys: tf.Tensor[]): { xs: tf.Tensor[]; ys: tf.Tensor[]; created: tf.Tensor[] } {
  const m = model as unknown as StandardizeInternals;
  const core = model.getClassName() === "Sequential" && m.model ? m.model : m;
  if (typeof core.standardizeUserDataXY !== "function") {
    const expand = (t: tf.Tensor) => (t.rank === 1 ? t.expandDims(1) : t);
    const out = { xs: xs.map(expand), ys: ys.map(expand) };
    return { ...out, created: [...out.xs, ...out.ys].filter((t) => !xs.includes(t) && !ys.includes(t)) };
  }
  const [sx, sy] = core.standardizeUserDataXY(xs, ys, true);
  return { xs: sx, ys: sy, created: [...sx, ...sy].filter((t) => !xs.includes(t) && !ys.includes(t)) };
}
