import * as tf from "@tensorflow/tfjs";

/**
 * Keras 3 layers that tfjs-layers lacks, as small tfjs layers (channels_last only), so models using them move between
 * Python and TypeScript. Each computes what Keras's layer computes; registered for tfjs (de)serialization by class
 * name, which is Keras's.
 */

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Shape = (number | null)[];

function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

function pair(v: number | number[] | undefined, d: number, what: string): [number, number] {
  const p = v === undefined ? [d, d] : typeof v === "number" ? [v, v] : v;
  if (p.length !== 2 || p.some((x) => !Number.isInteger(x) || x < 0)) throw new Error(`${what} must be an integer ≥ 0 or a pair of them (got ${JSON.stringify(v)})`);
  return [p[0], p[1]];
}

function triple(v: number | number[] | undefined, d: number, what: string): [number, number, number] {
  const p = v === undefined ? [d, d, d] : typeof v === "number" ? [v, v, v] : v;
  if (p.length !== 3 || p.some((x) => !Number.isInteger(x) || x < 1)) throw new Error(`${what} must be an integer ≥ 1 or three of them (got ${JSON.stringify(v)})`);
  return [p[0], p[1], p[2]];
}

function channelsLast(dataFormat: unknown, cls: string): void {
  if (dataFormat !== undefined && dataFormat !== null && dataFormat !== "channelsLast" && dataFormat !== "channels_last") {
    throw new Error(`${cls}: dataFormat ${JSON.stringify(dataFormat)} is not supported (channelsLast only)`);
  }
}

/** Repeats every entry of `axis` n times (numpy's repeat), as Keras's UpSampling layers do. */
function repeatAxis(x: tf.Tensor, axis: number, n: number): tf.Tensor {
  if (n === 1) return x;
  const shape = x.shape;
  const expanded = x.expandDims(axis + 1);
  const reps = shape.map(() => 1);
  reps.splice(axis + 1, 0, n);
  const tiled = tf.tile(expanded, reps);
  const out = [...shape];
  out[axis] = shape[axis] * n;
  return tiled.reshape(out);
}

const grow = (d: number | null, by: number) => (d === null ? null : d + by);
const times = (d: number | null, by: number) => (d === null ? null : d * by);

export class ZeroPadding1D extends tf.layers.Layer {
  static className = "ZeroPadding1D";
  readonly padding: [number, number];
  constructor(args: LayerArgs & { padding?: number | number[]; dataFormat?: string } = {}) {
    super(args);
    channelsLast(args.dataFormat, "ZeroPadding1D");
    this.padding = pair(args.padding, 1, "ZeroPadding1D padding");
  }
  override computeOutputShape(s: Shape): Shape {
    return [s[0], grow(s[1], this.padding[0] + this.padding[1]), s[2]];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.pad(single(inputs), [[0, 0], this.padding, [0, 0]]));
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), padding: this.padding };
  }
}

export class ZeroPadding3D extends tf.layers.Layer {
  static className = "ZeroPadding3D";
  readonly padding: [[number, number], [number, number], [number, number]];
  constructor(args: LayerArgs & { padding?: number | number[] | number[][]; dataFormat?: string } = {}) {
    super(args);
    channelsLast(args.dataFormat, "ZeroPadding3D");
    const p = args.padding ?? 1;
    const parts = typeof p === "number" ? [p, p, p] : p.length === 3 ? p : undefined;
    if (!parts) throw new Error(`ZeroPadding3D padding must be an integer or three values/pairs (got ${JSON.stringify(p)})`);
    this.padding = parts.map((x) => pair(x as number | number[], 1, "ZeroPadding3D padding")) as ZeroPadding3D["padding"];
  }
  override computeOutputShape(s: Shape): Shape {
    const [a, b, c] = this.padding;
    return [s[0], grow(s[1], a[0] + a[1]), grow(s[2], b[0] + b[1]), grow(s[3], c[0] + c[1]), s[4]];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.pad(single(inputs), [[0, 0], ...this.padding, [0, 0]]));
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), padding: this.padding };
  }
}

export class Cropping1D extends tf.layers.Layer {
  static className = "Cropping1D";
  readonly cropping: [number, number];
  constructor(args: LayerArgs & { cropping?: number | number[] } = {}) {
    super(args);
    this.cropping = pair(args.cropping, 1, "Cropping1D cropping");
  }
  override computeOutputShape(s: Shape): Shape {
    return [s[0], grow(s[1], -(this.cropping[0] + this.cropping[1])), s[2]];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = single(inputs);
    const steps = (x.shape[1] as number) - this.cropping[0] - this.cropping[1];
    if (steps <= 0) throw new Error(`Cropping1D: cropping ${this.cropping} leaves no steps of ${x.shape[1]}`);
    return tf.tidy(() => x.slice([0, this.cropping[0], 0], [-1, steps, -1]));
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), cropping: this.cropping };
  }
}

export class UpSampling1D extends tf.layers.Layer {
  static className = "UpSampling1D";
  readonly size: number;
  constructor(args: LayerArgs & { size?: number } = {}) {
    super(args);
    this.size = args.size ?? 2;
    if (!Number.isInteger(this.size) || this.size < 1) throw new Error(`UpSampling1D size must be an integer ≥ 1 (got ${String(args.size)})`);
  }
  override computeOutputShape(s: Shape): Shape {
    return [s[0], times(s[1], this.size), s[2]];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => repeatAxis(single(inputs), 1, this.size));
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), size: this.size };
  }
}

export class UpSampling3D extends tf.layers.Layer {
  static className = "UpSampling3D";
  readonly size: [number, number, number];
  constructor(args: LayerArgs & { size?: number | number[]; dataFormat?: string } = {}) {
    super(args);
    channelsLast(args.dataFormat, "UpSampling3D");
    this.size = triple(args.size, 2, "UpSampling3D size");
  }
  override computeOutputShape(s: Shape): Shape {
    return [s[0], times(s[1], this.size[0]), times(s[2], this.size[1]), times(s[3], this.size[2]), s[4]];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => repeatAxis(repeatAxis(repeatAxis(single(inputs), 1, this.size[0]), 2, this.size[1]), 3, this.size[2]));
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), size: this.size };
  }
}

class GlobalPooling3D extends tf.layers.Layer {
  constructor(args: LayerArgs & { dataFormat?: string } = {}, private readonly reduce: (x: tf.Tensor) => tf.Tensor) {
    super(args);
    channelsLast(args.dataFormat, "GlobalPooling3D");
  }
  override computeOutputShape(s: Shape): Shape {
    return [s[0], s[4]];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => this.reduce(single(inputs)));
  }
}

export class GlobalAveragePooling3D extends GlobalPooling3D {
  static className = "GlobalAveragePooling3D";
  constructor(args: LayerArgs & { dataFormat?: string } = {}) {
    super(args, (x) => x.mean([1, 2, 3]));
  }
}

export class GlobalMaxPooling3D extends GlobalPooling3D {
  static className = "GlobalMaxPooling3D";
  constructor(args: LayerArgs & { dataFormat?: string } = {}) {
    super(args, (x) => x.max([1, 2, 3]));
  }
}

/** Drops whole feature maps while training (noise shape [batch, 1, 1, channels]); the identity at inference. */
export class SpatialDropout2D extends tf.layers.Layer {
  static className = "SpatialDropout2D";
  readonly rate: number;
  constructor(args: LayerArgs & { rate: number; dataFormat?: string; seed?: number }) {
    super(args);
    channelsLast(args.dataFormat, "SpatialDropout2D");
    this.rate = args.rate;
    if (typeof this.rate !== "number" || !(this.rate >= 0 && this.rate < 1)) throw new Error(`SpatialDropout2D rate must be in [0, 1) (got ${String(args.rate)})`);
  }
  override computeOutputShape(s: Shape): Shape {
    return s;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = single(inputs);
    if (kwargs.training !== true || this.rate === 0) return x.clone();
    return tf.tidy(() => tf.dropout(x, this.rate, [x.shape[0] as number, 1, 1, x.shape[3] as number]));
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}

for (const cls of [ZeroPadding1D, ZeroPadding3D, Cropping1D, UpSampling1D, UpSampling3D, GlobalAveragePooling3D, GlobalMaxPooling3D, SpatialDropout2D]) {
  tf.serialization.registerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer>);
}
