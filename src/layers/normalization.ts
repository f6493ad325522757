import * as tf from "@tensorflow/tfjs";

/**
 * Keras's `Normalization` preprocessing layer: `(x - mean) / max(sqrt(variance), 1e-7)` per position of the kept
 * axes (or `mean + x * max(sqrt(variance), 1e-7)` with `invert`). The statistics come from `adapt(data)` or are given
 * as `mean` and `variance`. Adapted statistics are weights (`mean`, `variance` and Keras's legacy int `count`), so
 * they are saved with the model, as in Keras.
 */

type LayerArgs = ConstructorParameters<typeof tf.layers.Layer>[0];
type Nested = number | Nested[];

export interface NormalizationArgs extends NonNullable<LayerArgs> {
  /** Axis or axes that keep their own statistics (default -1, the features); `null` for one mean over everything. */
  axis?: number | number[] | null;
  /** Fixed mean (scalar, or broadcast to the kept axes from the right); needs `variance` too. */
  mean?: Nested | null;
  /** Fixed variance, the same shape as `mean`. */
  variance?: Nested | null;
  /** Undo a normalization instead of applying it. Default false. */
  invert?: boolean;
}

/** What `adapt` reads: one tensor (or nested array) holding the whole data, a list of batches, or a dataset of batches. */
export type AdaptData = tf.Tensor | Nested[] | tf.Tensor[] | tf.data.Dataset<tf.Tensor | { xs: tf.Tensor }>;

/** Keras's backend epsilon, the floor of the standard deviation. */
const EPSILON = 1e-7;

function shapeOf(v: Nested): number[] {
  return Array.isArray(v) ? [v.length, ...(v.length > 0 ? shapeOf(v[0]) : [])] : [];
}

export class Normalization extends tf.layers.Layer {
  static className = "Normalization";
  readonly axis: number[];
  readonly invert: boolean;
  private readonly inputMean: Nested | null;
  private readonly inputVariance: Nested | null;
  private keepAxis: number[] = [];
  private broadcastShape: number[] = [];
  private adaptMean: tf.LayerVariable | null = null;
  private adaptVariance: tf.LayerVariable | null = null;
  private fixed: { mean: tf.Tensor; variance: tf.Tensor } | null = null;

  constructor(args: NormalizationArgs = {}) {
    super(args);
    const axis = args.axis === undefined ? -1 : args.axis;
    this.axis = axis === null ? [] : Array.isArray(axis) ? [...axis] : [axis];
    if (this.axis.some((a) => !Number.isInteger(a))) throw new Error(`Normalization: axis must be an integer or a list of integers (got ${JSON.stringify(args.axis)})`);
    this.invert = args.invert ?? false;
    this.inputMean = args.mean ?? null;
    this.inputVariance = args.variance ?? null;
    if ((this.inputMean === null) !== (this.inputVariance === null)) {
      throw new Error("Normalization: give both mean and variance, or neither (then call adapt(data))");
    }
    if (this.inputMean !== null && shapeOf(this.inputMean).join() !== shapeOf(this.inputVariance!).join()) {
      throw new Error(`Normalization: mean has shape [${shapeOf(this.inputMean)}] but variance has shape [${shapeOf(this.inputVariance!)}]`);
    }
    if (this.inputMean !== null && shapeOf(this.inputMean).length > this.axis.length) {
      throw new Error(`Normalization: mean has rank ${shapeOf(this.inputMean).length}, more than the ${this.axis.length} kept axes ${JSON.stringify(this.axis)}`);
    }
  }

  getClassName(): string {
    return Normalization.className;
  }

  build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const ndim = shape.length;
    if (this.axis.some((a) => a < -ndim || a >= ndim)) {
      throw new Error(`Normalization "${this.name}": axis ${JSON.stringify(this.axis)} is out of range for inputs of rank ${ndim}`);
    }
    this.keepAxis = [...new Set(this.axis.map((a) => (a < 0 ? a + ndim : a)))].sort((a, b) => a - b);
    for (const d of this.keepAxis) {
      if (shape[d] == null) throw new Error(`Normalization "${this.name}": kept axis ${d} of the input shape [${shape}] must have a known size`);
    }
    this.broadcastShape = shape.map((s, d) => (this.keepAxis.includes(d) ? (s as number) : 1));
    const statShape = this.keepAxis.map((d) => shape[d] as number);
    if (this.inputMean === null) {
      const add = (this as unknown as {
        addWeight: (name: string, shape: number[], dtype: tf.DataType, init: unknown, reg: undefined, trainable: boolean) => tf.LayerVariable;
      }).addWeight.bind(this);
      this.adaptMean = add("mean", statShape, "float32", tf.initializers.zeros(), undefined, false);
      this.adaptVariance = add("variance", statShape, "float32", tf.initializers.ones(), undefined, false);
      // Keras keeps an int `count` for older files; it is saved, never used.
      add("count", [], "int32", tf.initializers.zeros(), undefined, false);
    } else {
      this.fixed = tf.tidy(() => ({
        mean: tf.keep(this.broadcastStat(this.inputMean!)),
        variance: tf.keep(this.broadcastStat(this.inputVariance!)),
      }));
    }
    this.built = true;
  }

  /** A given statistic aligned to the kept axes from the right, as Keras does, in the broadcast shape. */
  private broadcastStat(v: Nested): tf.Tensor {
    const t = tf.tensor(v as number[], undefined, "float32");
    if (t.rank === 0) return tf.broadcastTo(t, this.broadcastShape);
    const expanded = this.broadcastShape.map(() => 1);
    for (let i = 1; i <= t.rank; i++) expanded[this.keepAxis[this.keepAxis.length - i]] = t.shape[t.rank - i];
    if (expanded.some((n, d) => n !== 1 && n !== this.broadcastShape[d])) {
      throw new Error(
        `Normalization "${this.name}": mean and variance of shape [${t.shape}] do not fit the kept axes ` +
          `${JSON.stringify(this.keepAxis)} of sizes [${this.keepAxis.map((d) => this.broadcastShape[d])}]`,
      );
    }
    return tf.broadcastTo(t.reshape(expanded), this.broadcastShape);
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = tf.cast(Array.isArray(inputs) ? inputs[0] : inputs, "float32");
      const mean = this.fixed ? this.fixed.mean : this.adaptMean!.read().reshape(this.broadcastShape);
      const variance = this.fixed ? this.fixed.variance : this.adaptVariance!.read().reshape(this.broadcastShape);
      const std = tf.maximum(tf.sqrt(variance), EPSILON);
      return this.invert ? tf.add(mean, tf.mul(x, std)) : tf.div(tf.sub(x, mean), std);
    });
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  /**
   * Computes the mean and variance of `data` over every axis but the kept ones, as Keras's `adapt`: all at once for
   * a tensor or array, batch by batch (combining the statistics exactly) for a list or dataset of batches.
   */
  async adapt(data: AdaptData): Promise<void> {
    if (this.inputMean !== null) throw new Error(`Normalization "${this.name}": it was given mean and variance, so it cannot be adapted`);
    // A nested array becomes a tensor of our own, disposed at the end; the caller's tensors are left alone.
    const owned = !(data instanceof tf.Tensor) && !(data instanceof tf.data.Dataset) && !(Array.isArray(data) && data[0] instanceof tf.Tensor)
      ? tf.tensor(data as number[])
      : null;
    const batches: AsyncIterable<tf.Tensor> | Iterable<tf.Tensor> = owned
      ? [owned]
      : data instanceof tf.data.Dataset
        ? { [Symbol.asyncIterator]: () => datasetBatches(data as tf.data.Dataset<tf.Tensor | { xs: tf.Tensor }>) }
        : data instanceof tf.Tensor
          ? [data]
          : (data as tf.Tensor[]);
    let totalMean: tf.Tensor | null = null;
    let totalVar: tf.Tensor | null = null;
    let totalCount = 0;
    try {
      for await (const batch of batches) {
        if (!(batch instanceof tf.Tensor)) throw new Error(`Normalization "${this.name}".adapt: every batch must be a tensor`);
        if (!this.built) this.build(batch.shape);
        const shapeOk = batch.rank === this.broadcastShape.length && this.keepAxis.every((d) => batch.shape[d] === this.broadcastShape[d]);
        if (!shapeOk) {
          throw new Error(`Normalization "${this.name}".adapt: data of shape [${batch.shape}] does not fit the layer's input (kept axes ${JSON.stringify(this.keepAxis)} of sizes [${this.keepAxis.map((d) => this.broadcastShape[d])}])`);
        }
        const reduce = batch.shape.map((_, d) => d).filter((d) => !this.keepAxis.includes(d));
        const count = reduce.reduce((n, d) => n * batch.shape[d], 1);
        const next = tf.tidy(() => {
          const { mean, variance } = tf.moments(tf.cast(batch, "float32"), reduce);
          if (totalMean === null || totalVar === null) return { mean: tf.keep(mean), variance: tf.keep(variance) };
          // Combine with the running statistics (the lack-of-fit sum of squares, as Keras does).
          const w = count / (totalCount + count);
          const newMean = tf.add(tf.mul(totalMean, 1 - w), tf.mul(mean, w));
          const newVar = tf.add(
            tf.mul(tf.add(totalVar, tf.square(tf.sub(totalMean, newMean))), 1 - w),
            tf.mul(tf.add(variance, tf.square(tf.sub(mean, newMean))), w),
          );
          return { mean: tf.keep(newMean), variance: tf.keep(newVar) };
        });
        tf.dispose([totalMean, totalVar] as tf.Tensor[]);
        totalMean = next.mean;
        totalVar = next.variance;
        totalCount += count;
      }
      if (totalMean === null || totalVar === null) throw new Error(`Normalization "${this.name}".adapt: the data holds no batches`);
      this.adaptMean!.write(totalMean);
      this.adaptVariance!.write(totalVar);
    } finally {
      tf.dispose([totalMean, totalVar].filter((t): t is tf.Tensor => t !== null));
      owned?.dispose();
    }
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), axis: this.axis, invert: this.invert, mean: this.inputMean, variance: this.inputVariance };
  }

  dispose(): ReturnType<tf.layers.Layer["dispose"]> {
    if (this.fixed) tf.dispose([this.fixed.mean, this.fixed.variance]);
    return super.dispose();
  }
}
tf.serialization.registerClass(Normalization);

async function* datasetBatches(ds: tf.data.Dataset<tf.Tensor | { xs: tf.Tensor }>): AsyncGenerator<tf.Tensor> {
  const it = await ds.iterator();
  for (;;) {
    const { value, done } = await it.next();
    if (done) return;
    try {
      yield value instanceof tf.Tensor ? value : value.xs;
    } finally {
      tf.dispose(value as tf.TensorContainer);
    }
  }
}

/** A Keras-style `Normalization` layer (see Normalization). */
export function normalization(args: NormalizationArgs = {}): Normalization {
  return new Normalization(args);
}
