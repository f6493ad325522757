import * as tf from "@tensorflow/tfjs";
import { type StopRequest, yieldToEventLoop } from "./interrupt.js";
import { shapeError, type Arrays } from "./prepare.js";
import { standardize } from "./standardize.js";

/** One batch, owned by whoever receives it (call `dispose` when done). */
export interface Batch {
  xs: tf.Tensor | tf.Tensor[];
  ys: tf.Tensor | tf.Tensor[];
  size: number;
  dispose(): void;
}

/** Where batches come from, epoch after epoch. `steps` is the batches per epoch when known. */
export interface BatchSource {
  steps: number | null;
  epoch(): AsyncIterable<Batch>;
  /** For arrays: all of the data at once, so a pass nobody watches batch by batch can run in one call. */
  whole?: { xs: tf.Tensor[]; ys: tf.Tensor[]; batchSize: number };
  /** Set when a training dataset with `batchesPerEpoch` ended before giving that many batches: training stops. */
  ranDry?: boolean;
}

const single = (list: tf.Tensor[]) => (list.length === 1 ? list[0] : list);

/** Batches from arrays; a fresh permutation each epoch when shuffling. */
export function arrayBatches(arrays: Arrays, batchSize: number, shuffle: boolean): BatchSource {
  const steps = Math.ceil(arrays.count / batchSize);
  // One order, shuffled again in place each epoch, as tfjs's model.fit does: with the same Math.random both pick
  // the same batches.
  const order = new Int32Array(arrays.count).map((_, i) => i);
  return {
    steps,
    whole: { xs: arrays.xs, ys: arrays.ys, batchSize },
    async *epoch() {
      if (shuffle) tf.util.shuffle(order);
      if (!shuffle) {
        yield* contiguousBatches(arrays, batchSize);
        return;
      }
      for (let start = 0; start < arrays.count; start += batchSize) {
        const end = Math.min(start + batchSize, arrays.count);
        const picked = tf.tidy(() => {
          const idx = tf.tensor1d(order.subarray(start, end), "int32");
          return { xs: arrays.xs.map((t) => tf.gather(t, idx)), ys: arrays.ys.map((t) => tf.gather(t, idx)) };
        });
        yield {
          xs: single(picked.xs),
          ys: single(picked.ys),
          size: end - start,
          dispose: () => tf.dispose([...picked.xs, ...picked.ys]),
        };
      }
    },
  };
}

/** Rows read per chunk in `contiguousBatches`: about 16 MB of the widest array, a whole number of batches. */
function chunkRows(arrays: Arrays, batchSize: number): number {
  const widest = Math.max(...[...arrays.xs, ...arrays.ys].map((t) => t.size / Math.max(1, t.shape[0])));
  const rows = Math.floor((16 * 1024 * 1024) / (4 * Math.max(1, widest)));
  return Math.max(1, Math.floor(rows / batchSize)) * batchSize;
}

/**
 * Batches in order (validation, evaluate, predict), cut from chunks of rows read as typed arrays. On the wasm
 * backend every `slice` copies its whole source tensor out of the heap — 27 ms per batch for 10,000 MNIST rows, more
 * than the model itself — so each chunk is sliced once and its batches are made from subarrays (measured in
 * bench/evaluate-overhead.mjs).
 */
async function* contiguousBatches(arrays: Arrays, batchSize: number): AsyncGenerator<Batch> {
  const perChunk = chunkRows(arrays, batchSize);
  for (let chunkStart = 0; chunkStart < arrays.count; chunkStart += perChunk) {
    const rows = Math.min(perChunk, arrays.count - chunkStart);
    const read = async (t: tf.Tensor) => {
      const chunk = chunkStart === 0 && rows === arrays.count ? t : t.slice([chunkStart], [rows]);
      try {
        return { values: await chunk.data(), rowShape: t.shape.slice(1), dtype: t.dtype };
      } finally {
        if (chunk !== t) chunk.dispose();
      }
    };
    const xs = await Promise.all(arrays.xs.map(read));
    const ys = await Promise.all(arrays.ys.map(read));
    for (let start = 0; start < rows; start += batchSize) {
      const size = Math.min(batchSize, rows - start);
      const cut = (c: (typeof xs)[number]) => {
        const width = c.rowShape.reduce((a, b) => a * b, 1);
        return tf.tensor(c.values.subarray(start * width, (start + size) * width) as tf.TypedArray, [size, ...c.rowShape], c.dtype);
      };
      const picked = { xs: xs.map(cut), ys: ys.map(cut) };
      yield { xs: single(picked.xs), ys: single(picked.ys), size, dispose: () => tf.dispose([...picked.xs, ...picked.ys]) };
    }
  }
}

interface XsYs {
  xs: tf.Tensor | tf.Tensor[] | Record<string, tf.Tensor>;
  ys: tf.Tensor | tf.Tensor[] | Record<string, tf.Tensor>;
}

/** A batch's tensors in the model's order; a dict is matched by input/output name, as tfjs's fitDataset does. */
function toList(v: XsYs["xs"], names: string[], what: string): tf.Tensor[] {
  if (v instanceof tf.Tensor) return [v];
  if (Array.isArray(v)) return v;
  return names.map((name) => {
    const t = v[name];
    if (!(t instanceof tf.Tensor)) {
      throw new TypeError(`${what}: no tensor for "${name}"; the keys must be the model's names: ${names.join(", ")} (got ${Object.keys(v).join(", ")})`);
    }
    return t;
  });
}

/**
 * Batches from a `tf.data.Dataset` of `{xs, ys}`. Without `batchesPerEpoch` each epoch runs the dataset to its end;
 * with it, one iterator continues across epochs. When that iterator ends early, a training source sets `ranDry`
 * (Keras then stops training with a warning); a validation source starts the dataset again.
 */
export function datasetBatches(
  model: tf.LayersModel,
  dataset: tf.data.Dataset<tf.TensorContainer>,
  batchesPerEpoch: number | undefined,
  isTraining: boolean,
): BatchSource {
  let iterator: Awaited<ReturnType<typeof dataset.iterator>> | undefined;
  const source: BatchSource = {
    steps: batchesPerEpoch ?? null,
    async *epoch() {
      if (batchesPerEpoch === undefined || iterator === undefined) iterator = await dataset.iterator();
      for (let i = 0; batchesPerEpoch === undefined || i < batchesPerEpoch; i++) {
        let next = await iterator.next();
        if (next.done && batchesPerEpoch !== undefined) {
          if (isTraining) {
            source.ranDry = true;
            break;
          }
          if (i === 0) {
            iterator = await dataset.iterator();
            next = await iterator.next();
          }
        }
        if (next.done) break;
        const element = next.value as unknown as XsYs;
        const what = isTraining ? "dataset" : "validationData";
        if (!element || typeof element !== "object" || element.xs === undefined || element.ys === undefined) {
          throw new TypeError(`${what} elements must be {xs, ys} objects of batched tensors, got ${element === null || typeof element !== "object" ? String(element) : `an object with keys ${Object.keys(element).join(", ") || "(none)"}`}`);
        }
        const rawXs = toList(element.xs, model.inputNames, `${what} xs`);
        const rawYs = toList(element.ys, model.outputNames, `${what} ys`);
        const floatYs = rawYs.map((t) => (t.dtype === "float32" ? t : tf.cast(t, "float32")));
        let standardized: ReturnType<typeof standardize>;
        try {
          standardized = standardize(model, rawXs, floatYs);
        } catch (e) {
          tf.dispose([...rawXs, ...rawYs, ...floatYs]);
          throw new RangeError(`${what}: ${shapeError(e).message}`, { cause: e });
        }
        const { xs, ys, created } = standardized;
        yield {
          xs: single(xs),
          ys: single(ys),
          size: xs[0].shape[0],
          dispose: () => tf.dispose([...rawXs, ...rawYs, ...floatYs, ...created]),
        };
      }
    },
  };
  return source;
}

/** What one pass (evaluate or predict) does around each batch. */
export interface PassHooks<T> {
  begin(batch: number): Promise<void>;
  /** Runs the model on the batch; the batch is freed right after. */
  step(b: Batch): Promise<T> | T;
  end(batch: number, result: T): Promise<void>;
}

/**
 * One pass over a source's batches: stops with the pass's name when a stop was requested, frees each batch once its
 * step is done, and gives the event loop a turn between batches (only when there is a stop request to notice).
 */
export async function eachBatch<T>(source: BatchSource, pass: "evaluate" | "predict", stop: StopRequest | undefined, hooks: PassHooks<T>): Promise<void> {
  let batch = 0;
  for await (const b of source.epoch()) {
    if (stop?.requested) {
      b.dispose();
      throw stop.error(pass, batch, source.steps);
    }
    await hooks.begin(batch);
    let result: T;
    try {
      result = await hooks.step(b);
    } finally {
      b.dispose();
    }
    await hooks.end(batch, result);
    batch += 1;
    if (stop) await yieldToEventLoop();
  }
}
