import * as tf from "@tensorflow/tfjs";

/**
 * Keras 3's Resizing, CenterCrop and CategoryEncoding as tfjs layers. tfjs-layers has layers of those names, but they
 * compute something else (corner-aligned resizing, cropAndResize sampling, no rank-3 one-hot), so these are
 * registered under their own class names (KerasResizing, …) and the `.keras` reader and writer map them to Keras's
 * classes. They follow Keras's TensorFlow backend: tf.image.resize with half-pixel centers and antialias=False.
 */

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Shape = (number | null)[];
export type ImageDataFormat = "channelsLast" | "channelsFirst";
export type ResizeInterpolation = "bilinear" | "nearest";

function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

function dataFormatOf(v: unknown, cls: string): ImageDataFormat {
  if (v === undefined || v === null || v === "channelsLast" || v === "channels_last") return "channelsLast";
  if (v === "channelsFirst" || v === "channels_first") return "channelsFirst";
  throw new Error(`${cls}: dataFormat must be "channelsLast" or "channelsFirst" (got ${JSON.stringify(v)})`);
}

function positiveInt(v: unknown, cls: string, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new Error(`${cls}: ${what} must be an integer ≥ 1 (got ${JSON.stringify(v)})`);
  return v;
}

/** The height and width axes of a rank-3 (unbatched) or rank-4 image tensor or shape. */
function imageAxes(rank: number, format: ImageDataFormat, cls: string): [number, number] {
  if (rank !== 3 && rank !== 4) throw new Error(`${cls}: expects images of rank 4 (batch, …) or 3, got rank ${rank}`);
  return format === "channelsLast" ? [rank - 3, rank - 2] : [rank - 2, rank - 1];
}

const f32 = Math.fround;

/**
 * Where one output index samples an input axis of size `inSize` resized to `outSize`, with TensorFlow's half-pixel
 * centers, in float32 as TensorFlow computes it. Bilinear: the two neighbours and the weight of the upper one;
 * nearest: `floor((i + 0.5) · scale)`, clamped. Used for the gradient (the forward values come from tfjs's kernels).
 */
function halfPixelSamples(inSize: number, outSize: number, interpolation: ResizeInterpolation): { lower: number[]; upper: number[]; lerp: number[] } {
  const scale = f32(inSize / outSize);
  const lower: number[] = [];
  const upper: number[] = [];
  const lerp: number[] = [];
  for (let i = 0; i < outSize; i++) {
    if (interpolation === "nearest") {
      const src = Math.min(Math.max(Math.floor(f32(f32(i + 0.5) * scale)), 0), inSize - 1);
      lower.push(src);
      upper.push(src);
      lerp.push(0);
    } else {
      const src = f32(f32(f32(i + 0.5) * scale) - 0.5);
      const floor = Math.floor(src);
      lower.push(Math.max(floor, 0));
      upper.push(Math.min(Math.ceil(src), inSize - 1));
      lerp.push(f32(src - floor));
    }
  }
  return { lower, upper, lerp };
}

/**
 * The gradient of a half-pixel resize: each output pixel's gradient goes back to the input pixels it was interpolated
 * from, with the same weights (height first, then width: the forward order reversed). Computed on the CPU in
 * JavaScript because tfjs's own ResizeBilinearGrad and ResizeNearestNeighborGrad kernels ignore halfPixelCenters on
 * every backend, and a gather-based formulation was measured 30-100× slower on wasm (bench/keras-resizing.mjs).
 */
function halfPixelResizeGradient(dy: tf.Tensor, [batch, inH, inW, channels]: number[], interpolation: ResizeInterpolation): tf.Tensor4D {
  const [, outH, outW] = dy.shape;
  const g = dy.dataSync() as Float32Array;
  const rows = halfPixelSamples(inH, outH, interpolation);
  const cols = halfPixelSamples(inW, outW, interpolation);
  const rowSize = outW * channels;
  const byRows = new Float32Array(batch * inH * rowSize);
  for (let n = 0; n < batch; n++) {
    for (let y = 0; y < outH; y++) {
      const src = (n * outH + y) * rowSize;
      const low = (n * inH + rows.lower[y]) * rowSize;
      const high = (n * inH + rows.upper[y]) * rowSize;
      const t = rows.lerp[y];
      for (let k = 0; k < rowSize; k++) {
        byRows[low + k] += (1 - t) * g[src + k];
        byRows[high + k] += t * g[src + k];
      }
    }
  }
  const dx = new Float32Array(batch * inH * inW * channels);
  for (let r = 0; r < batch * inH; r++) {
    for (let x = 0; x < outW; x++) {
      const src = (r * outW + x) * channels;
      const low = (r * inW + cols.lower[x]) * channels;
      const high = (r * inW + cols.upper[x]) * channels;
      const t = cols.lerp[x];
      for (let k = 0; k < channels; k++) {
        dx[low + k] += (1 - t) * byRows[src + k];
        dx[high + k] += t * byRows[src + k];
      }
    }
  }
  return tf.tensor4d(dx, [batch, inH, inW, channels]);
}

/**
 * Half-pixel-center resize of NHWC images: tfjs's resize kernels with halfPixelCenters compute TensorFlow's values
 * (checked against a reference in test/keras/image-preprocessing.test.ts); the gradient is tslab-fit's own.
 */
function halfPixelResize(x: tf.Tensor4D, height: number, width: number, interpolation: ResizeInterpolation): tf.Tensor4D {
  if (x.shape[1] === height && x.shape[2] === width) return x;
  const resize = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor4D;
    return {
      value: interpolation === "bilinear"
        ? tf.image.resizeBilinear(input, [height, width], false, true)
        : tf.image.resizeNearestNeighbor(input, [height, width], false, true),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => halfPixelResizeGradient(dy as tf.Tensor, input.shape, interpolation),
    };
  });
  return resize(x) as tf.Tensor4D;
}

/** Resizes the height and width axes of a rank-3 or rank-4 image tensor in either data format. */
function resizeImages(x: tf.Tensor, format: ImageDataFormat, height: number, width: number, interpolation: ResizeInterpolation): tf.Tensor {
  let t = x.rank === 3 ? x.expandDims(0) : x;
  if (format === "channelsFirst") t = t.transpose([0, 2, 3, 1]);
  t = halfPixelResize(t as tf.Tensor4D, height, width, interpolation);
  if (format === "channelsFirst") t = t.transpose([0, 3, 1, 2]);
  return x.rank === 3 ? t.squeeze([0]) : t;
}

/** `int(a / b)` as Keras computes it: in float32 on TensorFlow tensors (Resizing), in float64 on Python ints (CenterCrop). */
const quotient = (a: number, b: number, float32: boolean) => Math.trunc(float32 ? f32(f32(a) / f32(b)) : a / b);

/** The largest centered box of the target's aspect ratio (Keras's crop_to_aspect_ratio and smart_resize). */
function aspectCropBox(h: number, w: number, targetH: number, targetW: number, float32: boolean): { top: number; left: number; height: number; width: number } {
  const height = Math.max(Math.min(h, quotient(w * targetH, targetW, float32)), 1);
  const width = Math.max(Math.min(w, quotient(h * targetW, targetH, float32)), 1);
  return { top: Math.trunc((h - height) / 2), left: Math.trunc((w - width) / 2), height, width };
}

/** Rows (top and bottom) and columns (left and right) Keras's pad_to_aspect_ratio adds on each side. */
function aspectPadding(h: number, w: number, targetH: number, targetW: number): { rows: number; cols: number } {
  const padH = Math.max(h, quotient(w * targetH, targetW, true));
  const padW = Math.max(w, quotient(h * targetW, targetH, true));
  return { rows: Math.trunc((padH - h) / 2), cols: Math.trunc((padW - w) / 2) };
}

function sliceBox(x: tf.Tensor, [hAxis, wAxis]: [number, number], box: { top: number; left: number; height: number; width: number }): tf.Tensor {
  const begin = x.shape.map(() => 0);
  const size = x.shape.map(() => -1);
  begin[hAxis] = box.top;
  begin[wAxis] = box.left;
  size[hAxis] = box.height;
  size[wAxis] = box.width;
  return x.slice(begin, size);
}

function withImageSize(s: Shape, format: ImageDataFormat, height: number, width: number, cls: string): Shape {
  const [hAxis, wAxis] = imageAxes(s.length, format, cls);
  const out = [...s];
  out[hAxis] = height;
  out[wAxis] = width;
  return out;
}

export interface KerasResizingArgs extends LayerArgs {
  height: number;
  width: number;
  /** "bilinear" (default) or "nearest". */
  interpolation?: ResizeInterpolation;
  /** Crop the largest centered box of the target's aspect ratio before resizing. Default false. */
  cropToAspectRatio?: boolean;
  /** Pad the short side evenly with `fillValue` to the target's aspect ratio before resizing. Default false. */
  padToAspectRatio?: boolean;
  /** Only "constant", as in Keras. */
  fillMode?: "constant";
  fillValue?: number;
  dataFormat?: ImageDataFormat;
}

/**
 * Keras 3's `Resizing`: tf.image.resize with half-pixel centers (antialias=False), after an optional crop or pad to
 * the target's aspect ratio. int32 images are rounded back to int32, as Keras does.
 */
export class KerasResizing extends tf.layers.Layer {
  static className = "KerasResizing";
  readonly height: number;
  readonly width: number;
  readonly interpolation: ResizeInterpolation;
  readonly cropToAspectRatio: boolean;
  readonly padToAspectRatio: boolean;
  readonly fillValue: number;
  readonly dataFormat: ImageDataFormat;

  constructor(args: KerasResizingArgs) {
    super(args);
    const cls = "KerasResizing";
    this.height = positiveInt(args.height, cls, "height");
    this.width = positiveInt(args.width, cls, "width");
    const interpolation = args.interpolation ?? "bilinear";
    if (interpolation !== "bilinear" && interpolation !== "nearest") {
      throw new Error(`${cls}: interpolation ${JSON.stringify(interpolation)} is not implemented (only "bilinear" and "nearest", computed exactly as Keras does)`);
    }
    this.interpolation = interpolation;
    this.cropToAspectRatio = args.cropToAspectRatio ?? false;
    this.padToAspectRatio = args.padToAspectRatio ?? false;
    if (this.cropToAspectRatio && this.padToAspectRatio) throw new Error(`${cls}: only one of cropToAspectRatio and padToAspectRatio can be true`);
    if ((args.fillMode ?? "constant") !== "constant") throw new Error(`${cls}: fillMode must be "constant", the only mode Keras supports (got ${JSON.stringify(args.fillMode)})`);
    this.fillValue = args.fillValue ?? 0;
    if (typeof this.fillValue !== "number" || !Number.isFinite(this.fillValue)) throw new Error(`${cls}: fillValue must be a finite number (got ${JSON.stringify(args.fillValue)})`);
    this.dataFormat = dataFormatOf(args.dataFormat, cls);
  }

  override computeOutputShape(s: Shape): Shape {
    return withImageSize(s, this.dataFormat, this.height, this.width, "KerasResizing");
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const input = single(inputs);
      const axes = imageAxes(input.rank, this.dataFormat, "KerasResizing");
      let x = input.dtype === "float32" ? input : input.toFloat();
      const [h, w] = [x.shape[axes[0]], x.shape[axes[1]]];
      if (this.cropToAspectRatio) {
        x = sliceBox(x, axes, aspectCropBox(h, w, this.height, this.width, true));
      } else if (this.padToAspectRatio) {
        const { rows, cols } = aspectPadding(h, w, this.height, this.width);
        const pads = x.shape.map((): [number, number] => [0, 0]);
        pads[axes[0]] = [rows, rows];
        pads[axes[1]] = [cols, cols];
        if (rows > 0 || cols > 0) x = tf.pad(x, pads, this.fillValue);
      }
      const out = resizeImages(x, this.dataFormat, this.height, this.width, this.interpolation);
      if (input.dtype === "int32") return out.round().toInt();
      return out === input ? out.clone() : out;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      height: this.height,
      width: this.width,
      interpolation: this.interpolation,
      cropToAspectRatio: this.cropToAspectRatio,
      padToAspectRatio: this.padToAspectRatio,
      fillMode: "constant",
      fillValue: this.fillValue,
      dataFormat: this.dataFormat,
    };
  }
}

export interface KerasCenterCropArgs extends LayerArgs {
  height: number;
  width: number;
  dataFormat?: ImageDataFormat;
}

/**
 * Keras 3's `CenterCrop`: the exact center pixels (offset `(input − target) // 2`) when the image is at least the
 * target size on both axes; otherwise Keras's smart_resize: the largest centered box of the target's aspect ratio,
 * resized bilinearly. The output is float32, as Keras casts to the layer's dtype first.
 */
export class KerasCenterCrop extends tf.layers.Layer {
  static className = "KerasCenterCrop";
  readonly height: number;
  readonly width: number;
  readonly dataFormat: ImageDataFormat;

  constructor(args: KerasCenterCropArgs) {
    super(args);
    this.height = positiveInt(args.height, "KerasCenterCrop", "height");
    this.width = positiveInt(args.width, "KerasCenterCrop", "width");
    this.dataFormat = dataFormatOf(args.dataFormat, "KerasCenterCrop");
  }

  override computeOutputShape(s: Shape): Shape {
    return withImageSize(s, this.dataFormat, this.height, this.width, "KerasCenterCrop");
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const input = single(inputs);
      const axes = imageAxes(input.rank, this.dataFormat, "KerasCenterCrop");
      const x = input.dtype === "float32" ? input : input.toFloat();
      const [h, w] = [x.shape[axes[0]], x.shape[axes[1]]];
      if (h >= this.height && w >= this.width) {
        const box = { top: Math.floor((h - this.height) / 2), left: Math.floor((w - this.width) / 2), height: this.height, width: this.width };
        const out = sliceBox(x, axes, box);
        return out === input ? out.clone() : out;
      }
      const cropped = sliceBox(x, axes, aspectCropBox(h, w, this.height, this.width, false));
      return resizeImages(cropped, this.dataFormat, this.height, this.width, "bilinear");
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), height: this.height, width: this.width, dataFormat: this.dataFormat };
  }
}

export type CategoryOutputMode = "multiHot" | "oneHot" | "count";
const CATEGORY_MODES: Record<string, CategoryOutputMode> = {
  multiHot: "multiHot", multi_hot: "multiHot", binary: "multiHot", oneHot: "oneHot", one_hot: "oneHot", count: "count",
};

/**
 * Why Keras 3's CategoryEncoding cannot be reproduced on inputs of this shape (batch axis included), or undefined.
 * For multi_hot and count Keras reduces over axis 1, not the last axis: on an input of rank > 2 its result has shape
 * (batch, d2, …, num_tokens) while it declares (batch, d1, …, num_tokens). Only when every non-batch size is the
 * same (and known) do the two agree; otherwise a model's next layers would be built for a shape that never comes.
 */
export function categoryEncodingProblem(mode: CategoryOutputMode, shape: Shape): string | undefined {
  if (mode === "oneHot" || shape.length <= 2) return undefined;
  const dims = shape.slice(1);
  if (dims.every((d) => d !== null && d === dims[0])) return undefined;
  return `output_mode "${mode === "count" ? "count" : "multi_hot"}" on an input of shape ${JSON.stringify(shape)}: Keras 3 reduces ` +
    "over axis 1 rather than the last axis for inputs of rank > 2, so it computes a tensor of another shape than the one it " +
    "declares to the next layers (the two agree only when every non-batch size is equal). Flatten or reshape the ids to " +
    "(batch, k) first";
}

// tfjs-backend-wasm 4.22's OneHot ignores its dtype and always writes int32 bytes, so the cast comes after.
const oneHotFloat = (x: tf.Tensor, depth: number) => tf.oneHot(x, depth).toFloat();

export interface KerasCategoryEncodingArgs extends LayerArgs {
  numTokens: number;
  /** "multiHot" (default), "oneHot" or "count" (Keras's snake_case names are accepted too). */
  outputMode?: CategoryOutputMode | "multi_hot" | "one_hot";
}

/**
 * Keras 3's `CategoryEncoding` (≥ 3.4) on integer ids in [0, numTokens): one_hot adds an axis (a trailing axis of
 * size 1 is replaced), so (batch, k) gives (batch, k, numTokens); multi_hot and count reduce over axis 1 (over the
 * batch for a rank-1 input, giving one vector). Ids outside the range count as nothing, as in tf.one_hot.
 */
export class KerasCategoryEncoding extends tf.layers.Layer {
  static className = "KerasCategoryEncoding";
  readonly numTokens: number;
  readonly outputMode: CategoryOutputMode;

  constructor(args: KerasCategoryEncodingArgs) {
    super(args);
    this.numTokens = positiveInt(args.numTokens, "KerasCategoryEncoding", "numTokens");
    const mode = CATEGORY_MODES[String(args.outputMode ?? "multiHot")];
    if (!mode) throw new Error(`KerasCategoryEncoding: outputMode must be "multiHot", "oneHot" or "count" (got ${JSON.stringify(args.outputMode)})`);
    this.outputMode = mode;
  }

  override computeOutputShape(s: Shape): Shape {
    const problem = categoryEncodingProblem(this.outputMode, s);
    if (problem) throw new Error(`KerasCategoryEncoding "${this.name}": ${problem}`);
    if (s.length === 0) return [this.numTokens];
    if (this.outputMode === "oneHot") return s.length > 1 && s[s.length - 1] === 1 ? [...s.slice(0, -1), this.numTokens] : [...s, this.numTokens];
    return [...s.slice(0, -1), this.numTokens];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      let x = single(inputs);
      if (x.dtype !== "int32") x = x.toInt();
      if (x.rank === 0) x = x.expandDims(0);
      if (this.outputMode === "oneHot") {
        if (x.rank > 1 && x.shape[x.rank - 1] === 1) x = x.squeeze([x.rank - 1]);
        return oneHotFloat(x, this.numTokens);
      }
      const problem = categoryEncodingProblem(this.outputMode, x.shape);
      if (problem) throw new Error(`KerasCategoryEncoding "${this.name}": ${problem}`);
      const encoded = oneHotFloat(x, this.numTokens);
      const axis = x.rank > 1 ? 1 : 0;
      return this.outputMode === "count" ? encoded.sum(axis) : encoded.max(axis);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numTokens: this.numTokens, outputMode: this.outputMode };
  }
}

/** Keras's `Resizing` (half-pixel centers), saved to `.keras` as `Resizing`. */
export const kerasResizing = (args: KerasResizingArgs) => new KerasResizing(args);
/** Keras's `CenterCrop` (exact center pixels), saved to `.keras` as `CenterCrop`. */
export const kerasCenterCrop = (args: KerasCenterCropArgs) => new KerasCenterCrop(args);
/** Keras's `CategoryEncoding` on ids of any rank, saved to `.keras` as `CategoryEncoding`. */
export const kerasCategoryEncoding = (args: KerasCategoryEncodingArgs) => new KerasCategoryEncoding(args);

for (const cls of [KerasResizing, KerasCenterCrop, KerasCategoryEncoding]) {
  tf.serialization.registerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer>);
}
