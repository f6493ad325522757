import * as tf from "@tensorflow/tfjs";
import type { Batch } from "./batches.js";
import type { Logs } from "./logs.js";

type LossOrMetric = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;
interface TestInternals {
  model?: TestInternals;
  lossFunctions?: LossOrMetric[];
  metricsTensors?: Array<[LossOrMetric, number]>;
}

/** Per batch: Σ weight × value for every logs key, Σ weight, and the batch size. */
export interface WeightedSums {
  sums: number[];
  weight: number;
  size: number;
}

/**
 * One evaluation step with per-sample weights, as Keras 3 weighs them: a loss is `Σ w·loss / batch size` (Keras's
 * "sum over batch size" reduction, so zero weights lower it), a metric is the weighted mean `Σ w·m / Σ w`. Uses the
 * loss and metric functions tfjs compiled (its own evaluate has no sample weights). The batch's last target is the
 * weight column.
 */
export function weightedTestStep(model: tf.LayersModel, names: string[]): (b: Batch) => Promise<WeightedSums> {
  const m = model as unknown as TestInternals;
  const core = model.getClassName() === "Sequential" && m.model ? m.model : m;
  const losses = core.lossFunctions;
  const metrics = core.metricsTensors;
  if (!Array.isArray(losses) || !Array.isArray(metrics)) {
    throw new Error("sampleWeight: this tfjs version does not expose the compiled loss and metric functions it needs");
  }
  return async (b) => {
    const ys = Array.isArray(b.ys) ? b.ys : [b.ys];
    const targets = ys.slice(0, -1);
    const weights = ys[ys.length - 1].reshape([-1]);
    const scalars = tf.tidy(() => {
      const out = model.predictOnBatch(b.xs);
      const outputs = Array.isArray(out) ? out : [out];
      const weighted = (fn: LossOrMetric, i: number, name: string) => {
        const values = fn(targets[i], outputs[i]);
        if (values.rank === 0) throw new Error(`sampleWeight: "${name}" gives one value per batch, not one per sample, so it cannot be weighted`);
        const perSample = values.rank === 1 ? values : values.mean(Array.from({ length: values.rank - 1 }, (_, k) => k + 1));
        return tf.sum(tf.mul(perSample, weights));
      };
      const perOutput = losses.map((fn, i) => weighted(fn, i, `${model.outputNames[i]} loss`));
      return [tf.addN(perOutput), ...metrics.map(([fn, i], k) => weighted(fn, i, names[k + 1])), tf.sum(weights)];
    });
    const values = await Promise.all(scalars.map(async (s) => (await s.data())[0]));
    tf.dispose([...scalars, weights]);
    return { sums: values.slice(0, -1), weight: values[values.length - 1], size: b.size };
  };
}

/** Running weighted means over the batches so far: losses per sample, metrics per unit of weight. */
export class WeightedMeans {
  private readonly sums: number[];
  private weight = 0;
  private samples = 0;
  private readonly isLoss: boolean[];

  constructor(
    private readonly names: string[],
    model: tf.LayersModel,
  ) {
    this.sums = names.map(() => 0);
    // "loss" and, for several outputs, "<output>_loss" are losses; the rest are metrics.
    this.isLoss = names.map((n) => n === "loss" || (model.outputs.length > 1 && model.outputNames.some((o) => n === `${o}_loss`)));
  }

  add(step: WeightedSums): void {
    step.sums.forEach((v, i) => (this.sums[i] += v));
    this.weight += step.weight;
    this.samples += step.size;
  }

  means(): Logs {
    return Object.fromEntries(this.names.map((n, i) => [n, this.sums[i] / (this.isLoss[i] ? this.samples : this.weight)]));
  }
}
