import * as tf from "@tensorflow/tfjs";
import { deferFileRouterToTfjsNode } from "./io/tfjs-layers-saver.js";
import { registerMissingGradients } from "./kernels/gradients.js";
import { registerWasmKernels } from "./kernels/wasm/index.js";

// The kernels wasm lacks for training convnets and embeddings are registered as soon as tslab-fit is loaded, so
// that they are there however the wasm backend gets chosen (useBestBackend, tf.setBackend, or a model.fit); so are
// the few layer gradients tfjs lacks on every backend.
registerWasmKernels();
registerMissingGradients();

let chosen: Promise<string> | undefined;

/**
 * Picks the fastest backend that works here — tfjs-node (native TensorFlow) if it loads, else WebAssembly, else
 * the pure-JS cpu backend — and reports it in one line. `fit` calls it once unless a backend was already set.
 */
export function useBestBackend(options: { quiet?: boolean } = {}): Promise<string> {
  chosen ??= pickBackend(options.quiet ?? false);
  return chosen;
}

async function pickBackend(quiet: boolean): Promise<string> {
  const tried: string[] = [];
  try {
    require("@tensorflow/tfjs-node");
    deferFileRouterToTfjsNode();
    if (await tf.setBackend("tensorflow")) return report("tensorflow", quiet, "native TensorFlow via @tensorflow/tfjs-node");
  } catch (e) {
    tried.push("tfjs-node not available");
  }
  try {
    require("@tensorflow/tfjs-backend-wasm");
    registerWasmKernels();
    if (await tf.setBackend("wasm")) return report("wasm", quiet, "install @tensorflow/tfjs-node for a faster native backend");
    tried.push("wasm did not initialise");
  } catch (e) {
    tried.push(`wasm failed: ${(e as Error).message}`);
  }
  await tf.setBackend("cpu");
  return report("cpu", quiet, `${tried.join("; ")} — install @tensorflow/tfjs-node for a much faster backend`);
}

function report(name: string, quiet: boolean, note: string): string {
  if (!quiet) console.log(`tslab-fit: TensorFlow.js backend "${name}" (${note})`);
  return name;
}

let hinted = false;
/**
 * Called by `fit`: picks the best backend if none is active yet. A model built before that already runs on the
 * backend tfjs chose by itself (cpu: wasm needs an async start), so then we only point at the faster option once.
 */
export async function ensureBackend(): Promise<void> {
  registerWasmKernels();
  if (!backendIsSet()) {
    await useBestBackend();
  } else if (chosen === undefined && tf.getBackend() === "cpu" && !hinted) {
    hinted = true;
    console.log('tslab-fit: training on the pure-JS "cpu" backend; call `await useBestBackend()` before building the model to use WebAssembly (several times faster)');
  }
}

/** True once a backend is active — chosen by the user (`tf.setBackend`) or by us. */
export function backendIsSet(): boolean {
  return (tf.engine() as unknown as { backendName?: string | null }).backendName != null;
}
