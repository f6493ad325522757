import * as tf from "@tensorflow/tfjs";
import { conv2dBackpropFilter } from "./conv2d-backprop-filter.js";
import { depthwiseConv2dBackpropFilter } from "./depthwise-conv2d-backprop-filter.js";
import { depthwiseConv2dBackpropInput } from "./depthwise-conv2d-backprop-input.js";
import { unsortedSegmentSum } from "./unsorted-segment-sum.js";

/** Kernels that tfjs-backend-wasm 4.22 lacks and that the gradients of tfjs-layers layers need. */
export const wasmKernels: ReadonlyArray<{ kernelName: string; kernelFunc: tf.KernelFunc }> = [
  { kernelName: "Conv2DBackpropFilter", kernelFunc: conv2dBackpropFilter },
  { kernelName: "DepthwiseConv2dNativeBackpropFilter", kernelFunc: depthwiseConv2dBackpropFilter },
  { kernelName: "DepthwiseConv2dNativeBackpropInput", kernelFunc: depthwiseConv2dBackpropInput },
  { kernelName: "UnsortedSegmentSum", kernelFunc: unsortedSegmentSum },
];

/**
 * Registers tslab-fit's wasm kernels for those names the wasm backend does not already have (a later tfjs may
 * bring its own, which then wins). Idempotent; returns the names it registered this time.
 */
export function registerWasmKernels(): string[] {
  const added: string[] = [];
  for (const { kernelName, kernelFunc } of wasmKernels) {
    if (tf.getKernel(kernelName, "wasm")) continue;
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc });
    added.push(kernelName);
  }
  return added;
}
