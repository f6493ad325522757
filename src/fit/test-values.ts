import type { Logs } from "./logs.js";

/**
 * Names tfjs's evaluate outputs. For a model with several outputs, tfjs 4.22's test function returns the running
 * total loss once per output (`[loss_0, loss_0 + loss_1, …]`) before the per-output losses and metrics, while
 * `metricsNames` lists the total once — so a plain zip reports the first output's loss as `loss`, shifts every
 * later name by one and drops the last metric (tfjs's own `fit` shows `val_*` values shifted so). The total is the
 * last of the running sums.
 */
export function namedTestValues(values: number[], names: string[], outputCount: number): Logs {
  const aligned = outputCount > 1 && values.length === names.length + outputCount - 1 ? [values[outputCount - 1], ...values.slice(outputCount)] : values;
  return Object.fromEntries(names.map((n, i) => [n, aligned[i]]));
}
