// Wrapping one of wasm's own kernels in place: the wrapper is registered under the kernel's name and remembers the
// kernel it wraps under a tag, so that it is installed once per process (a second copy of tslab-fit included) and
// can be taken off again.
import * as tf from "@tensorflow/tfjs";

type Tagged = tf.KernelFunc & { [tag: symbol]: tf.KernelFunc | undefined };

/**
 * Registers `wrap(wasm's kernel)` in its place, tagged with `tag`. A no-op before the wasm package is loaded, when a
 * wrapper with this tag is already there, or when `wrap` returns the kernel unchanged.
 */
export function wrapWasmKernel(kernelName: string, tag: symbol, wrap: (stock: tf.KernelFunc) => tf.KernelFunc): void {
  const current = tf.getKernel(kernelName, "wasm");
  if (!current || (current.kernelFunc as Tagged)[tag]) return;
  const kernelFunc = wrap(current.kernelFunc) as Tagged;
  if (kernelFunc === current.kernelFunc) return;
  kernelFunc[tag] = current.kernelFunc;
  tf.unregisterKernel(kernelName, "wasm");
  // The config keeps wasm's setupFunc, already run for this backend; the wrapper needs none of its own.
  tf.registerKernel({ ...current, kernelFunc });
}

/** The kernel a wrapper tagged `tag` wraps, or the registered kernel when it is not so wrapped. */
export function unwrappedWasmKernel(kernelName: string, tag: symbol): tf.KernelFunc | undefined {
  const current = tf.getKernel(kernelName, "wasm")?.kernelFunc as Tagged | undefined;
  return current?.[tag] ?? current;
}

/** Puts back the kernel a wrapper tagged `tag` wraps (a no-op when there is none). */
export function unwrapWasmKernel(kernelName: string, tag: symbol): void {
  const current = tf.getKernel(kernelName, "wasm");
  const stock = (current?.kernelFunc as Tagged | undefined)?.[tag];
  if (!current || !stock) return;
  tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel({ ...current, kernelFunc: stock });
}
