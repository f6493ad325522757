import * as tf from "@tensorflow/tfjs";

/**
 * Keras's default GRU (`reset_after=True`, the cuDNN-compatible variant): the bias has two rows, one added to the
 * input projection and one to the recurrent projection, and the reset gate multiplies the recurrent projection of
 * the candidate after the matmul. tfjs's own GRU is the `reset_after=False` variant (bias `(3u,)`, reset gate applied
 * to h before the matmul), so the two cannot share weights.
 */

type Kwargs = Record<string, unknown>;

/** Arguments of `gruResetAfter`: those of `tf.layers.gru`, with Keras 3's defaults where tfjs's differ. */
export type GRUResetAfterArgs = Omit<tf.GRULayerArgs, "resetAfter" | "cell">;

/** The fields of tfjs's GRUCell this cell reuses (tfjs parses the arguments and serializes the config). */
interface GRUCellFields extends tf.layers.Layer {
  units: number;
  activation: { apply(x: tf.Tensor): tf.Tensor };
  recurrentActivation: { apply(x: tf.Tensor): tf.Tensor };
  useBias: boolean;
  kernelInitializer: unknown;
  recurrentInitializer: unknown;
  biasInitializer: unknown;
  kernelRegularizer?: unknown;
  recurrentRegularizer?: unknown;
  biasRegularizer?: unknown;
  kernelConstraint?: unknown;
  recurrentConstraint?: unknown;
  biasConstraint?: unknown;
  dropout: number;
  recurrentDropout: number;
  dropoutMask: tf.Tensor[] | null;
  recurrentDropoutMask: tf.Tensor[] | null;
  kernel: tf.LayerVariable;
  recurrentKernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  stateSize: number;
}

// tfjs does not export its GRUCell class, but every instance's constructor is that class.
const GRUCellBase = Object.getPrototypeOf(tf.layers.gruCell({ units: 1 })).constructor as {
  new (args: tf.GRUCellLayerArgs): GRUCellFields;
  fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T;
};

/** Keras's defaults where tfjs's GRU defaults differ (recurrent activation, kernel initializer). */
function withKerasDefaults<T extends GRUResetAfterArgs>(args: T): T {
  return {
    ...args,
    recurrentActivation: args.recurrentActivation ?? "sigmoid",
    kernelInitializer: args.kernelInitializer ?? "glorotUniform",
  };
}

/** One dropout mask per gate, kept across the time steps of a batch and disposed by the layer on its next call. */
function dropoutMasks(like: tf.Tensor, rate: number, count: number): tf.Tensor[] {
  return Array.from({ length: count }, () => tf.keep(tf.tidy(() => tf.dropout(tf.onesLike(like), rate))));
}

export class GRUResetAfterCell extends GRUCellBase {
  static className = "GRUResetAfterCell";

  constructor(args: tf.GRUCellLayerArgs) {
    super(withKerasDefaults({ ...args, resetAfter: undefined }));
  }

  getClassName(): string {
    return GRUResetAfterCell.className;
  }

  build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inputDim = shape[shape.length - 1] as number;
    const u = this.units;
    const add = (this as unknown as {
      addWeight: (name: string, shape: number[], dtype: undefined, init: unknown, reg: unknown, trainable: boolean, c: unknown) => tf.LayerVariable;
    }).addWeight.bind(this);
    this.kernel = add("kernel", [inputDim, 3 * u], undefined, this.kernelInitializer, this.kernelRegularizer, true, this.kernelConstraint);
    this.recurrentKernel = add("recurrent_kernel", [u, 3 * u], undefined, this.recurrentInitializer, this.recurrentRegularizer, true, this.recurrentConstraint);
    // Row 0 is added to the input projection, row 1 to the recurrent projection.
    this.bias = this.useBias ? add("bias", [2, 3 * u], undefined, this.biasInitializer, this.biasRegularizer, true, this.biasConstraint) : null;
    this.built = true;
  }

  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor[] {
    return tf.tidy(() => {
      const [x, hPrev] = inputs as tf.Tensor[];
      const training = kwargs.training === true;
      const u = this.units;
      // As in Keras, dropout acts only in training.
      if (training && this.dropout > 0 && this.dropout < 1 && this.dropoutMask == null) {
        this.dropoutMask = dropoutMasks(x, this.dropout, 3);
      }
      if (training && this.recurrentDropout > 0 && this.recurrentDropout < 1 && this.recurrentDropoutMask == null) {
        this.recurrentDropoutMask = dropoutMasks(hPrev, this.recurrentDropout, 3);
      }
      const kernel = this.kernel.read();
      const recurrent = this.recurrentKernel.read();
      const [inputBias, recurrentBias] = this.bias ? tf.unstack(this.bias.read()) : [null, null];
      // The projections of v for the gates z, r, h, each with its bias row: one matmul, or one per gate when each
      // gate has its own dropout mask (training with dropout).
      const project = (v: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null, masks: tf.Tensor[] | null): tf.Tensor[] => {
        if (!masks) return tf.split(b ? tf.add(tf.matMul(v, w), b) : tf.matMul(v, w), 3, 1);
        return [0, 1, 2].map((k) => {
          const p = tf.matMul(tf.mul(v, masks[k]), tf.slice(w, [0, k * u], [-1, u]));
          return b ? tf.add(p, tf.slice(b, [k * u], [u])) : p;
        });
      };
      const [xz, xr, xh] = project(x, kernel, inputBias, this.dropoutMask);
      const [hz, hr, hh] = project(hPrev, recurrent, recurrentBias, this.recurrentDropoutMask);
      const z = this.recurrentActivation.apply(tf.add(xz, hz));
      const r = this.recurrentActivation.apply(tf.add(xr, hr));
      const candidate = this.activation.apply(tf.add(xh, tf.mul(r, hh)));
      const h = tf.add(tf.mul(z, hPrev), tf.mul(tf.sub(1, z), candidate));
      return [h, h];
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    const config = super.getConfig();
    delete config.implementation;
    return { ...config, resetAfter: true };
  }
}
tf.serialization.registerClass(GRUResetAfterCell);

/**
 * A GRU layer with Keras's default `reset_after=True` formulation, trainable with `fit` and saved to `.keras` as
 * Keras's `GRU(reset_after=True)`. Defaults follow Keras 3: `recurrentActivation: "sigmoid"`,
 * `kernelInitializer: "glorotUniform"`. Its cell holds `kernel (in, 3u)`, `recurrent_kernel (u, 3u)` and
 * `bias (2, 3u)`, gates in Keras's order z, r, h.
 */
export class GRUResetAfter extends tf.RNN {
  static className = "GRUResetAfter";

  constructor(args: GRUResetAfterArgs) {
    const cell = new GRUResetAfterCell(args as tf.GRUCellLayerArgs);
    super({ ...args, cell } as unknown as tf.RNNLayerArgs);
  }

  getClassName(): string {
    return GRUResetAfter.className;
  }

  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      // Fresh dropout masks for every batch, as tfjs's GRU does.
      const cell = this.cell as unknown as GRUCellFields;
      if (cell.dropoutMask) tf.dispose(cell.dropoutMask);
      if (cell.recurrentDropoutMask) tf.dispose(cell.recurrentDropoutMask);
      cell.dropoutMask = null;
      cell.recurrentDropoutMask = null;
      const mask = kwargs?.mask ?? null;
      const training = kwargs?.training ?? null;
      const initialState = kwargs?.initialState ?? null;
      return super.call(inputs, { mask, training, initialState });
    });
  }

  static fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const { cell: _cell, resetAfter: _r, ...rest } = config;
    return new cls(rest);
  }
}
tf.serialization.registerClass(GRUResetAfter);

/** `tf.layers.gru` with Keras's default `reset_after=True` formulation (see GRUResetAfter). */
export function gruResetAfter(args: GRUResetAfterArgs): GRUResetAfter {
  return new GRUResetAfter(args);
}
