// TF2's histogram buckets (tensorboard/plugins/histogram/summary_v2.py): k equal-width buckets over [min, max],
// index floor((x - min) / width) clamped to k - 1, edges linspace(min, max, k + 1) with the last edge forced to max.
// All-equal data gives k zero-width buckets at that value with every count in the last one; no data gives zeros.

export interface HistogramBucket {
  left: number;
  right: number;
  count: number;
}

export const DEFAULT_BUCKET_COUNT = 30;

/** Buckets of finite `values` (NaN and ±Infinity are left out: they have no place on TensorBoard's axis). */
export function histogramBuckets(values: ArrayLike<number>, bucketCount = DEFAULT_BUCKET_COUNT): HistogramBucket[] {
  checkBucketCount(bucketCount);
  let min = Infinity;
  let max = -Infinity;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    n++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (n === 0) return bucketsFromCounts(0, 0, new Array(bucketCount).fill(0), true);
  const counts = new Array<number>(bucketCount).fill(0);
  if (min === max) {
    counts[bucketCount - 1] = n;
  } else {
    const width = (max - min) / bucketCount;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) continue;
      counts[Math.min(Math.floor((v - min) / width), bucketCount - 1)]++;
    }
  }
  return bucketsFromCounts(min, max, counts);
}

/** Bucket edges for counts computed elsewhere (e.g. on the device), following the same rules. */
export function bucketsFromCounts(min: number, max: number, counts: ArrayLike<number>, empty = false): HistogramBucket[] {
  const k = counts.length;
  if (empty) return Array.from({ length: k }, () => ({ left: 0, right: 0, count: 0 }));
  if (min === max) return Array.from({ length: k }, (_, i) => ({ left: min, right: max, count: counts[i] }));
  const width = (max - min) / k;
  const edge = (i: number) => (i === k ? max : min + i * width);
  return Array.from({ length: k }, (_, i) => ({ left: edge(i), right: edge(i + 1), count: counts[i] }));
}

export function checkBucketCount(bucketCount: number): void {
  if (!Number.isInteger(bucketCount) || bucketCount < 1) {
    throw new RangeError(`bucketCount must be a positive integer, got ${bucketCount}`);
  }
}
