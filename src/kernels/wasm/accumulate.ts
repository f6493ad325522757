// The running sums behind fit's epoch means (src/fit/device-mean.ts), one batch added in one kernel: sums[i] +
// value_i · samples, rounded to float32 after the product and after the sum, as the generic path (stack, cast,
// multiply, add: 120 µs a batch on wasm, a tenth of a seed-MLP step) computes it.
import type * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "./scope.js";

export const ACCUMULATE = "TslabFitAccumulate";

/** Inputs `v0`…`v{count-1}` (float32 scalars) and, after the first batch, `sums` [count]; attrs `count`, `samples`. */
export const accumulate: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { count, samples } = attrs as unknown as { count: number; samples: number };
  const wasm = backend as WasmBackend;
  const out = wasm.makeOutput([count], "float32");
  const sums = inputs.sums ? (wasm.typedArrayFromHeap(inputs.sums as tf.TensorInfo) as Float32Array) : undefined;
  const result = wasm.typedArrayFromHeap(out) as Float32Array;
  const weight = Math.fround(samples);
  for (let i = 0; i < count; i++) {
    const batch = Math.fround((wasm.typedArrayFromHeap(inputs[`v${i}`] as tf.TensorInfo) as Float32Array)[0] * weight);
    result[i] = sums ? sums[i] + batch : batch;
  }
  return out;
};
