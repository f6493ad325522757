import * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "./scope.js";

/**
 * UnsortedSegmentSum for wasm (what Embedding's gradient — the gradient of Gather — needs), summed in place in
 * wasm memory: one pass over the rows of x, each added to its segment's row. Ids outside [0, numSegments) are
 * dropped, as TensorFlow does.
 */
export const unsortedSegmentSum: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const wasm = backend as WasmBackend;
  const rows = tf.util.sizeFromShape(segmentIds.shape);
  const rowShape = x.shape.slice(segmentIds.shape.length);
  const rowSize = tf.util.sizeFromShape(rowShape);
  const out = wasm.makeOutput([numSegments, ...rowShape], x.dtype);
  // Views last: allocating the output may grow (and so detach) the wasm heap.
  const outValues = wasm.typedArrayFromHeap(out);
  const xValues = wasm.typedArrayFromHeap(x);
  const ids = wasm.typedArrayFromHeap(segmentIds);
  outValues.fill(0);
  for (let r = 0; r < rows; r++) {
    const id = ids[r];
    if (id < 0 || id >= numSegments) continue;
    const from = r * rowSize;
    const to = id * rowSize;
    for (let k = 0; k < rowSize; k++) outValues[to + k] += xValues[from + k];
  }
  return out;
};
