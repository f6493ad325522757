// One Adam step for many variables in one kernel (issue 13, target 2). tfjs's AdamOptimizer runs 14 kernels per
// variable and 4 more per step — on the seed MLP 60 of a step's 177 kernels, each paying the engine's bookkeeping.
// This computes the same float32 formula, in tfjs's order, rounding after every operation as the stock kernels do
// (Math.fround of a double +, −, ×, ÷ or √ of float32 values is the correctly rounded float32 result), so the
// moments and weights equal the stock update's bit for bit (test/kernels/fused-adam.test.ts). The elementwise work
// runs as WebAssembly SIMD (adam-simd.ts), 7–10× faster than the same loop in JavaScript.
import * as tf from "@tensorflow/tfjs";
import { adamSimd } from "./adam-simd.js";
import type { WasmBackend } from "./scope.js";

interface WasmInternals {
  wasm?: { asm?: { memory?: WebAssembly.Memory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
}

export const FUSED_ADAM = "TslabFitAdamUpdate";

export interface FusedAdamAttrs {
  count: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
}

/**
 * Inputs `accBeta1`, `accBeta2` (scalars: beta^t) and per variable i `value{i}`, `m{i}`, `v{i}`, `grad{i}`
 * (float32, one shape). Outputs: the new accBeta1, accBeta2, then per variable the new value, m and v.
 */
export const fusedAdam: tf.KernelFunc = (args) => fusedAdamStep(args, true);

/** The kernel's work; `useSimd: false` runs the JavaScript loop even where SIMD is available (for the tests). */
export function fusedAdamStep({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0], useSimd: boolean): tf.TensorInfo[] {
  const { count, beta1, beta2, epsilon, learningRate } = attrs as unknown as FusedAdamAttrs;
  const wasm = backend as WasmBackend;
  const named = inputs as Record<string, tf.TensorInfo>;
  const f = Math.fround;
  // Every output first: allocating may grow (and so detach) the wasm heap, so views are taken afterwards.
  const acc1Out = wasm.makeOutput([], "float32");
  const acc2Out = wasm.makeOutput([], "float32");
  const outs: tf.TensorInfo[] = [acc1Out, acc2Out];
  for (let i = 0; i < count; i++) {
    const shape = named[`value${i}`].shape;
    outs.push(wasm.makeOutput(shape, "float32"), wasm.makeOutput(shape, "float32"), wasm.makeOutput(shape, "float32"));
  }
  const view = (t: tf.TensorInfo) => wasm.typedArrayFromHeap(t) as Float32Array;
  const acc1 = view(named.accBeta1)[0];
  const acc2 = view(named.accBeta2)[0];
  // The scalars as tfjs makes them: JS numbers (doubles) turned into float32 tensors.
  const b1 = f(beta1), c1 = f(1 - beta1), b2 = f(beta2), c2 = f(1 - beta2);
  const d1 = f(1 - acc1), d2 = f(1 - acc2);
  const eps = f(epsilon), step = f(-learningRate);
  const simd = useSimd ? adamSimd((backend as WasmInternals).wasm?.asm?.memory) : undefined;
  const address = (t: tf.TensorInfo) => (backend as WasmInternals).dataIdMap.get(t.dataId).memoryOffset;
  for (let i = 0; i < count; i++) {
    if (simd) {
      const [w, m, v, g] = ["value", "m", "v", "grad"].map((k) => address(named[`${k}${i}`]));
      const [wOut, mOut, vOut] = outs.slice(2 + 3 * i, 5 + 3 * i).map(address);
      simd(w, m, v, g, wOut, mOut, vOut, tf.util.sizeFromShape(named[`value${i}`].shape), b1, c1, b2, c2, d1, d2, eps, step);
      continue;
    }
    // Without WebAssembly SIMD: the same operations in JavaScript.
    const w = view(named[`value${i}`]), m = view(named[`m${i}`]), v = view(named[`v${i}`]), g = view(named[`grad${i}`]);
    const wOut = view(outs[2 + 3 * i]), mOut = view(outs[3 + 3 * i]), vOut = view(outs[4 + 3 * i]);
    for (let k = 0; k < w.length; k++) {
      const gk = g[k];
      const mk = f(f(m[k] * b1) + f(gk * c1));
      const vk = f(f(v[k] * b2) + f(f(gk * gk) * c2));
      const denominator = f(f(Math.sqrt(f(vk / d2))) + eps);
      mOut[k] = mk;
      vOut[k] = vk;
      wOut[k] = f(f(f(mk / d1) / denominator) * step) + w[k];
    }
  }
  view(acc1Out)[0] = acc1 * b1;
  view(acc2Out)[0] = acc2 * b2;
  return outs;
}
