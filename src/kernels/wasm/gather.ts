// tfjs-backend-wasm's GatherV2 spends 0.5–0.7 ms picking 32 rows of 784 floats (bench/step-anatomy.mjs: a quarter
// of a seed-MLP training step, since every shuffled batch is a gather, in fit and in tfjs's model.fit alike; an
// Embedding's forward pass is one too). Each picked slice is a contiguous run of memory, so this copies it as one
// block between views of the wasm heap. A gather only copies values: the result equals the stock kernel's bit for bit.
import * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "./scope.js";

type Stock = tf.KernelFunc | undefined;

/** GatherV2 for wasm; `stock` (wasm's own) handles what this does not (strings, non-int32 indices). */
export function fastGather(stock: Stock): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { x, indices } = inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    if (x.dtype === "string" || indices.dtype !== "int32" || !stock) {
      if (!stock) throw new Error("tslab-fit: the wasm backend has no GatherV2 kernel to fall back on");
      return stock(args);
    }
    const { axis, batchDims } = attrs as unknown as tf.GatherV2Attrs;
    const wasm = backend as WasmBackend;
    const parsedAxis = tf.util.parseAxisParam(axis, x.shape)[0];
    const axisDim = x.shape[parsedAxis];
    const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(x as tf.TensorInfo as tf.Tensor, indices as tf.TensorInfo as tf.Tensor, parsedAxis, batchDims);
    const ids = wasm.typedArrayFromHeap(indices) as Int32Array;
    for (let i = 0; i < ids.length; i++) {
      const index = ids[i];
      // Same message as the stock kernel.
      if (!(index <= axisDim - 1 && index >= 0)) throw new Error(`GatherV2: the index value ${index} is not in [0, ${axisDim - 1}]`);
    }
    const out = wasm.makeOutput(info.outputShape, x.dtype);
    if (tf.util.sizeFromShape(x.shape) === 0 || tf.util.sizeFromShape(info.outputShape) === 0) return out;
    const { batchSize, outerSize, dimSize, sliceSize } = info;
    const perBatch = ids.length / batchSize;
    // Views after makeOutput: allocating may grow (and so detach) the wasm heap.
    const outValues = wasm.typedArrayFromHeap(out);
    const xValues = wasm.typedArrayFromHeap(x);
    const idValues = wasm.typedArrayFromHeap(indices) as Int32Array;
    let o = 0;
    for (let b = 0; b < batchSize; b++) {
      for (let outer = 0; outer < outerSize; outer++) {
        const base = (b * outerSize + outer) * dimSize;
        for (let i = 0; i < perBatch; i++) {
          const from = (base + idValues[b * perBatch + i]) * sliceSize;
          if (sliceSize < 16) for (let k = 0; k < sliceSize; k++) outValues[o + k] = xValues[from + k];
          else outValues.set(xValues.subarray(from, from + sliceSize), o);
          o += sliceSize;
        }
      }
    }
    return out;
  };
}
