import * as tf from "@tensorflow/tfjs";

/** A kernel that training a layer needs and the active backend does not have. */
export interface MissingKernel {
  layer: string;
  className: string;
  kernel: string;
}

const MISSING = /Kernel '(\w+)' not registered for backend '(\w+)'/;
const checked = new WeakMap<tf.LayersModel, Set<string>>();

/**
 * Before the first batch: trains each layer of `model` for one step on a one-sample zero input (forward and
 * backward, no weight update) and throws an error naming the layer, the kernel and what to do if the active
 * backend lacks a kernel that training needs. Once per model and backend; the cpu backend has every kernel.
 */
export function checkTrainingKernels(model: tf.LayersModel): void {
  const backend = tf.getBackend();
  if (backend === "cpu" || checked.get(model)?.has(backend)) return;
  const missing = findMissingKernels(model);
  if (missing.length > 0) throw new Error(missingKernelsMessage(missing, backend));
  if (!checked.has(model)) checked.set(model, new Set());
  checked.get(model)!.add(backend);
}

export function findMissingKernels(model: tf.LayersModel): MissingKernel[] {
  const missing: MissingKernel[] = [];
  for (const layer of model.layers) {
    const kernel = probeLayer(layer);
    if (kernel) missing.push({ layer: layer.name, className: layer.getClassName(), kernel });
  }
  return missing;
}

export function missingKernelsMessage(missing: MissingKernel[], backend: string): string {
  const what = missing.map((m) => `layer "${m.layer}" (${m.className}) needs kernel '${m.kernel}'`).join("; ");
  return (
    `fit: the "${backend}" backend cannot train this model: ${what}, which "${backend}" does not have. ` +
    `Nothing was trained. Call \`await tf.setBackend("cpu")\` before building the model (slower, but it has every ` +
    `kernel), or install @tensorflow/tfjs-node.`
  );
}

/** The name of a kernel the layer's training step lacks on the active backend, or undefined. */
function probeLayer(layer: tf.layers.Layer): string | undefined {
  const shapes = inputShapes(layer);
  // A stateful RNN keeps its states between calls: a probe would change them, so it is left out.
  if (!shapes || (layer as unknown as { stateful?: boolean }).stateful) return undefined;
  // Training-mode calls may update state (BatchNormalization's moving statistics): put it back afterwards.
  const state = layer.nonTrainableWeights.map((w) => w.read().clone());
  try {
    tf.tidy(() => {
      const inputs = shapes.map((shape) => tf.zeros(shape.map((d) => d ?? 1)));
      const weights = layer.trainableWeights.map((w) => w.read());
      const loss = (...args: tf.Tensor[]) => {
        const ins = args.slice(0, inputs.length);
        const out = layer.apply(ins.length === 1 ? ins[0] : ins, { training: true }) as tf.Tensor | tf.Tensor[];
        return tf.addN((Array.isArray(out) ? out : [out]).map((t) => tf.sum(t)));
      };
      tf.grads(loss)([...inputs, ...weights]);
    });
  } catch (e) {
    const match = MISSING.exec((e as Error)?.message ?? "");
    // Any other failure of this synthetic probe is not a missing kernel; the real step will report it.
    if (match) return match[1];
  } finally {
    layer.nonTrainableWeights.forEach((w, i) => w.write(state[i]));
    state.forEach((t) => t.dispose());
  }
  return undefined;
}

function inputShapes(layer: tf.layers.Layer): Array<Array<number | null>> | undefined {
  if (layer.getClassName() === "InputLayer") return undefined;
  const node = (layer as unknown as { inboundNodes: Array<{ inputShapes: unknown }> }).inboundNodes[0];
  if (!node) return undefined;
  const shapes = node.inputShapes as Array<number | null> | Array<Array<number | null>>;
  return Array.isArray(shapes[0]) ? (shapes as Array<Array<number | null>>) : [shapes as Array<number | null>];
}
