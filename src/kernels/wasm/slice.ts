// tfjs-backend-wasm's Slice first reads its whole input out of the wasm heap (`readSync` copies it), then copies the
// slice: taking 32 rows of a 10,000 × 784 array copies 31 MB. tfjs's model.fit/evaluate slice their arrays every
// batch, and tslab-fit's validation split slices once per fit. This copies the slice straight from a view of the
// heap, one contiguous run at a time. Values are only copied: the result equals the stock kernel's bit for bit.
import * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "./scope.js";

/** Slice for wasm; `stock` (wasm's own) handles strings. */
export function fastSlice(stock: tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const x = (inputs as { x: tf.TensorInfo }).x;
    if (x.dtype === "string" || x.dtype === "complex64") {
      if (!stock) throw new Error("tslab-fit: the wasm backend has no Slice kernel to fall back on");
      return stock(args);
    }
    const { begin, size } = attrs as unknown as tf.SliceAttrs;
    const [start, extent] = tf.slice_util.parseSliceParams(x as tf.TensorInfo as tf.Tensor, begin, size);
    tf.slice_util.assertParamsValid(x as tf.TensorInfo as tf.Tensor, start, extent);
    const wasm = backend as WasmBackend;
    const out = wasm.makeOutput(extent, x.dtype);
    if (tf.util.sizeFromShape(extent) === 0) return out;
    // Views after makeOutput: allocating may grow (and so detach) the wasm heap.
    const outValues = wasm.typedArrayFromHeap(out);
    const xValues = wasm.typedArrayFromHeap(x);
    copySlice(xValues, x.shape, start, extent, outValues);
    return out;
  };
}

/**
 * Copies the box [start, start + extent) of a row-major array of `shape` into `out`. Trailing axes taken whole merge
 * into one contiguous run, so most slices (rows of a matrix) are a single block copy.
 */
function copySlice(
  x: Float32Array | Int32Array | Uint8Array,
  shape: number[],
  start: number[],
  extent: number[],
  out: Float32Array | Int32Array | Uint8Array,
): void {
  const rank = shape.length;
  if (rank === 0) {
    out[0] = x[0];
    return;
  }
  const strides = tf.util.computeStrides(shape);
  // The innermost axis whose slice is not the whole axis; everything after it is one run per index before it.
  let inner = rank - 1;
  while (inner > 0 && start[inner] === 0 && extent[inner] === shape[inner]) inner--;
  const run = extent[inner] * (inner + 1 < rank ? strides[inner] : 1);
  const outer = extent.slice(0, inner);
  const count = tf.util.sizeFromShape(outer);
  const index = new Array<number>(inner).fill(0);
  let o = 0;
  for (let n = 0; n < count; n++) {
    let from = inner + 1 < rank ? start[inner] * strides[inner] : start[inner];
    for (let d = 0; d < inner; d++) from += (start[d] + index[d]) * strides[d];
    if (run < 16) for (let k = 0; k < run; k++) out[o + k] = x[from + k];
    else out.set(x.subarray(from, from + run), o);
    o += run;
    for (let d = inner - 1; d >= 0; d--) {
      if (++index[d] < outer[d]) break;
      index[d] = 0;
    }
  }
}
