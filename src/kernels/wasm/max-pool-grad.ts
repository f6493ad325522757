import * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "./scope.js";

/**
 * MaxPoolGrad for wasm, replacing wasm's own (several times slower at a convnet's shapes, bench/wasm-kernels.mjs):
 * one pass over the pooling windows in wasm memory, each window's dy added at the position of its first largest
 * input (row-major; NaN never wins), in the same order as the cpu backend, so the sums are identical.
 */
export const maxPoolGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const wasm = backend as WasmBackend;
  const out = wasm.makeOutput(input.shape, "float32");
  // Views last: allocating the output may grow (and so detach) the wasm heap.
  const dx = wasm.typedArrayFromHeap(out) as Float32Array;
  const x = wasm.typedArrayFromHeap(input) as Float32Array;
  const g = wasm.typedArrayFromHeap(dy) as Float32Array;
  dx.fill(0);
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const hStart = oh * sh - info.padInfo.top;
      const h0 = Math.max(0, hStart), h1 = Math.min(H, hStart + KH);
      for (let ow = 0; ow < OW; ow++) {
        const wStart = ow * sw - info.padInfo.left;
        const w0 = Math.max(0, wStart), w1 = Math.min(W, wStart + KW);
        const dyAt = ((b * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          let best = -Infinity, at = -1;
          for (let h = h0; h < h1; h++) {
            for (let w = w0; w < w1; w++) {
              const i = ((b * H + h) * W + w) * C + c;
              if (x[i] > best) { best = x[i]; at = i; }
            }
          }
          if (at >= 0) dx[at] += g[dyAt + c];
        }
      }
    }
  }
  return out;
};
