import * as tf from "@tensorflow/tfjs";
import { useFusedAdam } from "../../optimizers/fused-adam.js";
import { accumulate, ACCUMULATE } from "./accumulate.js";
import { fusedAdam, FUSED_ADAM } from "./adam.js";
import { useFasterWasmKernels } from "./faster.js";
import {
  SPARSE_ACCURACY, SPARSE_CE, SPARSE_CE_GRAD, sparseAccuracy, sparseCrossentropy, sparseCrossentropyGrad, sparseCrossentropyGradConfig,
} from "./sparse-crossentropy.js";
import { conv2dBackpropFilter } from "./conv2d-backprop-filter.js";
import { conv2dBackpropInput } from "./conv2d-backprop-input.js";
import { conv3dBackpropInput } from "./conv3d-backprop-input.js";
import { depthwiseConv2dBackpropFilter } from "./depthwise-conv2d-backprop-filter.js";
import { depthwiseConv2dBackpropInput } from "./depthwise-conv2d-backprop-input.js";
import { maxPoolGrad } from "./max-pool-grad.js";
import { useNaNKeepingWasmKernels } from "./nan-propagation.js";
import { unsortedSegmentSum } from "./unsorted-segment-sum.js";

export interface WasmKernel {
  kernelName: string;
  kernelFunc: tf.KernelFunc;
}

/**
 * Kernels that tfjs-backend-wasm 4.22 lacks: those the gradients of tfjs-layers layers need, and tslab-fit's fused
 * Adam step, loss, metric and running sums.
 */
export const wasmKernels: ReadonlyArray<WasmKernel> = [
  { kernelName: "Conv2DBackpropFilter", kernelFunc: conv2dBackpropFilter },
  { kernelName: "DepthwiseConv2dNativeBackpropFilter", kernelFunc: depthwiseConv2dBackpropFilter },
  { kernelName: "DepthwiseConv2dNativeBackpropInput", kernelFunc: depthwiseConv2dBackpropInput },
  { kernelName: "UnsortedSegmentSum", kernelFunc: unsortedSegmentSum },
  // Not a tfjs kernel: Adam's update of all variables in one step, which AdamOptimizer runs on wasm (fused-adam.ts).
  { kernelName: FUSED_ADAM, kernelFunc: fusedAdam },
  // Not tfjs kernels: sparse categorical cross-entropy, its gradient and sparse accuracy, each in one kernel, which
  // fit uses on wasm (src/fit/fused-loss.ts).
  { kernelName: SPARSE_CE, kernelFunc: sparseCrossentropy },
  { kernelName: SPARSE_CE_GRAD, kernelFunc: sparseCrossentropyGrad },
  { kernelName: SPARSE_ACCURACY, kernelFunc: sparseAccuracy },
  // Not a tfjs kernel: fit's running sums of a batch's loss and metrics (src/fit/device-mean.ts).
  { kernelName: ACCUMULATE, kernelFunc: accumulate },
];

/**
 * Kernels wasm has, replaced because ours were measured faster and equal cpu's results (bench/wasm-kernels.mjs,
 * test/kernels/wasm-kernels.test.ts), or because wasm's own is wrong.
 */
export const wasmKernelReplacements: ReadonlyArray<WasmKernel> = [
  { kernelName: "Conv2DBackpropInput", kernelFunc: conv2dBackpropInput },
  { kernelName: "MaxPoolGrad", kernelFunc: maxPoolGrad },
  // Not for speed: wasm's own gives wrong results in tfjs 4.22.
  { kernelName: "Conv3DBackpropInputV2", kernelFunc: conv3dBackpropInput },
];

const replaced = new Map<string, tf.KernelConfig>();

/** wasm's own kernel that a replacement displaced (for benchmarks and tests), or undefined. */
export function nativeWasmKernel(kernelName: string): tf.KernelConfig | undefined {
  return replaced.get(kernelName) ?? tf.getKernel(kernelName, "wasm");
}

/**
 * Registers tslab-fit's wasm kernels: the missing ones where wasm has none (a later tfjs may bring its own, which
 * then wins), and the replacements over wasm's own. Idempotent; returns the names registered this time.
 */
export function registerWasmKernels(): string[] {
  const added: string[] = [];
  if (!tf.getGradient(SPARSE_CE)) tf.registerGradient(sparseCrossentropyGradConfig);
  for (const { kernelName, kernelFunc } of wasmKernels) {
    if (tf.getKernel(kernelName, "wasm")) continue;
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc });
    added.push(kernelName);
  }
  for (const { kernelName, kernelFunc } of wasmKernelReplacements) {
    const current = tf.getKernel(kernelName, "wasm");
    // Until the wasm package is loaded there is nothing to replace (and registering first would make its own
    // registration warn); useBestBackend and fit call this again after it is.
    if (!current || current.kernelFunc === kernelFunc) continue;
    replaced.set(kernelName, current);
    tf.unregisterKernel(kernelName, "wasm");
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc });
    added.push(kernelName);
  }
  installSpeedUpsOnce();
  // Not for speed: wasm's clamps turn NaN into numbers, hiding a diverged model (see nan-propagation.ts).
  useNaNKeepingWasmKernels();
  return added;
}

let speedUpsInstalled = false;
/**
 * BatchMatMul, GatherV2 and Slice wrap wasm's own kernels rather than replacing them (see faster.ts), and Adam takes
 * its fused step: installed once, as soon as the wasm package is loaded, so that a benchmark or test that puts the
 * stock ones back (useStockWasmKernels, useStockAdam) keeps them through later `fit` calls.
 */
function installSpeedUpsOnce(): void {
  if (speedUpsInstalled || !tf.getKernel("BatchMatMul", "wasm")) return;
  speedUpsInstalled = true;
  useFasterWasmKernels();
  useFusedAdam();
}
