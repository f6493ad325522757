// Weight histograms computed where the weights live: min, max and the bucket counts come from tf ops (bincount
// over the clamped bucket index), and only 2 + k numbers per tensor are copied to JS, in one read for all tensors.
// Same rules as histogram.ts (TF2's), which stays the reference the tests compare against.
import * as tf from "@tensorflow/tfjs";
import { bucketsFromCounts, checkBucketCount, DEFAULT_BUCKET_COUNT, histogramBuckets, type HistogramBucket } from "./histogram.js";

export async function deviceHistograms(tensors: tf.Tensor[], bucketCount = DEFAULT_BUCKET_COUNT): Promise<HistogramBucket[][]> {
  checkBucketCount(bucketCount);
  if (tensors.length === 0) return [];
  const k = bucketCount;
  const packed = tf.tidy(() =>
    tf.concat(
      tensors.map((t) => {
        if (t.size === 0) return tf.zeros([k + 2]);
        const x = t.cast("float32").reshape([-1]);
        const min = x.min();
        const max = x.max();
        const width = max.sub(min).div(k);
        // All-equal data: width 0; divide by 1 instead and fix the counts up in JS (they all go to the last bucket).
        const safeWidth = tf.where(width.greater(0), width, tf.onesLike(width));
        const index = x.sub(min).div(safeWidth).floor().clipByValue(0, k - 1).cast("int32");
        const counts = tf.bincount(index as tf.Tensor1D, tf.tensor1d([], "float32"), k);
        return tf.concat([min.reshape([1]), max.reshape([1]), counts.cast("float32")]);
      }),
    ),
  );
  let data: Float32Array;
  try {
    data = (await packed.data()) as Float32Array;
  } finally {
    packed.dispose();
  }
  const out: HistogramBucket[][] = [];
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i];
    const base = i * (k + 2);
    const min = data[base];
    const max = data[base + 1];
    if (t.size === 0) {
      out.push(bucketsFromCounts(0, 0, new Array(k).fill(0), true));
    } else if (!Number.isFinite(min) || !Number.isFinite(max)) {
      // NaN or ±Infinity in the weights (a diverged run): rare, so bucket the finite values in JS.
      out.push(histogramBuckets(await t.data(), k));
    } else if (min === max) {
      const counts = new Array(k).fill(0);
      counts[k - 1] = t.size;
      out.push(bucketsFromCounts(min, max, counts));
    } else {
      out.push(bucketsFromCounts(min, max, data.subarray(base + 2, base + 2 + k)));
    }
  }
  return out;
}

/**
 * Histograms of weights, computed where that is cheapest: on the pure-JS "cpu" backend the values already live in
 * JS memory, and bucketing them directly measured ~8x faster than the tf-op path; on WASM and WebGL/WebGPU the
 * tf-op path avoids copying every weight out of the device.
 */
export async function weightHistograms(tensors: tf.Tensor[], bucketCount = DEFAULT_BUCKET_COUNT): Promise<HistogramBucket[][]> {
  if (tf.getBackend() !== "cpu") return deviceHistograms(tensors, bucketCount);
  const out: HistogramBucket[][] = [];
  for (const t of tensors) out.push(histogramBuckets(await t.data(), bucketCount));
  return out;
}
