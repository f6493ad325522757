// Kernels wasm has, wrapped by faster versions for the cases that dominate training (measured in
// bench/step-anatomy.mjs); each wrapper hands the other cases to wasm's own kernel. The wrappers can be taken off
// again, so benchmarks and tests compare both in one process.
import * as tf from "@tensorflow/tfjs";
import { matMulAsPlainProducts } from "./batch-matmul.js";
import { fastGather } from "./gather.js";
import { fastSlice } from "./slice.js";
import { unwrapWasmKernel, unwrappedWasmKernel, wrapWasmKernel } from "./wrap-kernel.js";

type Wrap = (stock: tf.KernelFunc) => tf.KernelFunc;

/** Each kernel and how it wraps wasm's own. */
export const wrappedWasmKernels: ReadonlyArray<{ kernelName: string; wrap: Wrap }> = [
  {
    kernelName: "BatchMatMul",
    wrap: (stock) => {
      const transpose = tf.getKernel("Transpose", "wasm");
      if (!transpose) return stock;
      return matMulAsPlainProducts(stock as never, transpose.kernelFunc as never) as unknown as tf.KernelFunc;
    },
  },
  { kernelName: "GatherV2", wrap: fastGather },
  { kernelName: "Slice", wrap: fastSlice },
];

const STOCK = Symbol.for("tslab-fit.stockWasmKernel");

const chosen = (names?: string[]) => wrappedWasmKernels.filter((k) => !names || names.includes(k.kernelName));

/** Installs the wrappers (or those named) on the wasm backend; a no-op before the wasm package is loaded, and when done. */
export function useFasterWasmKernels(names?: string[]): void {
  for (const { kernelName, wrap } of chosen(names)) wrapWasmKernel(kernelName, STOCK, wrap);
}

/** Puts wasm's own kernels back (all, or those named). */
export function useStockWasmKernels(names?: string[]): void {
  for (const { kernelName } of chosen(names)) unwrapWasmKernel(kernelName, STOCK);
}

/** wasm's own kernel under a wrapper (for tests and benchmarks), or the registered one when not wrapped. */
export function stockWasmKernel(kernelName: string): tf.KernelFunc | undefined {
  return unwrappedWasmKernel(kernelName, STOCK);
}
