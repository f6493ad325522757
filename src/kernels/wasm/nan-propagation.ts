// tfjs-backend-wasm 4.22 clamps with XNNPACK, whose min/max turn NaN into a bound: Relu6 and ClipByValue map NaN
// to 0 (or to the lower bound), and the fused matmul of a Dense layer loses NaN through its relu and relu6.
// TensorFlow (so Keras) and tfjs's cpu backend keep NaN. On wasm a diverged Dense model therefore showed a finite
// loss (the cross-entropy clips its probabilities) and TerminateOnNaN never fired. These wrappers keep NaN where
// TensorFlow keeps it and leave every other value as the stock kernel computes it. XNNPACK's convolutions and
// poolings turn NaN into -Infinity even without an activation; that is left as it is (docs/backends.md).
import * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "./scope.js";
import { wrapWasmKernel } from "./wrap-kernel.js";

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
type KernelFunc = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/** Clamp that lets NaN through (comparisons with NaN are false). */
function clampInto(out: Float32Array | Int32Array | Uint8Array, x: ArrayLike<number>, lo: number, hi: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = v < lo ? lo : v > hi ? hi : v;
  }
}

function clampKernel(bounds: (attrs: tf.NamedAttrMap | undefined) => [number, number]): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = inputs.x as tf.TensorInfo;
    const wasm = backend as WasmBackend;
    const [lo, hi] = bounds(attrs);
    const out = wasm.makeOutput(x.shape, x.dtype);
    // Views after allocating: a growing heap detaches earlier views.
    clampInto(wasm.typedArrayFromHeap(out), wasm.typedArrayFromHeap(x), lo, hi);
    return out;
  };
}

const clipByValueKeepingNaN = clampKernel((attrs) => [attrs!.clipValueMin as number, attrs!.clipValueMax as number]);
const relu6KeepingNaN = clampKernel(() => [0, 6]);

/**
 * Wraps wasm's _FusedMatMul (every Dense layer's forward pass) so that relu and relu6 keep NaN: the product and bias
 * run fused as before, then the clamp is done here, in place (exact). Its elu and sigmoid already keep NaN.
 */
function activationKeepingNaN(stock: KernelFunc): KernelFunc {
  return (args) => {
    const activation = args.attrs?.activation;
    if (activation !== "relu" && activation !== "relu6") return stock(args);
    const linear = stock({ ...args, attrs: { ...args.attrs, activation: "linear" } }) as tf.TensorInfo;
    const values = (args.backend as WasmBackend).typedArrayFromHeap(linear);
    clampInto(values, values, 0, activation === "relu" ? Infinity : 6);
    return linear;
  };
}

const WRAPPED = Symbol.for("tslab-fit.wasmKeepsNaN");
const CLAMP_KERNELS: Record<string, KernelFunc> = { ClipByValue: clipByValueKeepingNaN, Relu6: relu6KeepingNaN };

/** Installs the NaN-keeping kernels on the wasm backend once per process (a no-op until wasm is loaded). */
export function useNaNKeepingWasmKernels(): void {
  const install = (kernelName: string, make: (stock: KernelFunc) => KernelFunc) =>
    wrapWasmKernel(kernelName, WRAPPED, (stock) => make(stock as unknown as KernelFunc) as unknown as tf.KernelFunc);
  install("_FusedMatMul", activationKeepingNaN);
  for (const [name, kernel] of Object.entries(CLAMP_KERNELS)) install(name, () => kernel);
}
