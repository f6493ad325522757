import * as tf from "@tensorflow/tfjs";
import { SPARSE_ACCURACY, SPARSE_CE } from "../kernels/wasm/sparse-crossentropy.js";

/** The compiled-model fields tfjs-layers' train and test functions read the loss and metric functions from. */
interface CompiledInternals {
  model?: CompiledInternals;
  lossFunctions?: LossOrMetric[];
  metricsTensors?: Array<[LossOrMetric, number]>;
}
type LossOrMetric = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

let stock: { loss: LossOrMetric; accuracy: LossOrMetric } | undefined;
/** tfjs-layers' own functions behind `loss: "sparseCategoricalCrossentropy"` and `metrics: ["accuracy"]`. */
function stockFunctions(): { loss: LossOrMetric; accuracy: LossOrMetric } {
  if (!stock) {
    // The only public way to reach them: what compile() picks for those names.
    // Named, so that no automatic layer name is used up; zeros, as a random initializer would draw from Math.random.
    const layer = tf.layers.dense({ name: "tslab_fit_loss_probe_dense", units: 2, inputShape: [1], activation: "softmax", kernelInitializer: "zeros" });
    const probe = tf.sequential({ name: "tslab_fit_loss_probe", layers: [layer] });
    probe.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
    const core = (probe as unknown as CompiledInternals).model!;
    stock = { loss: core.lossFunctions![0], accuracy: core.metricsTensors![0][0] };
    probe.dispose();
  }
  return stock;
}

/** Labels of one per row (shape [batch] or [batch, 1]) for a [batch, classes] float32 output, on wasm. */
function fusable(yTrue: tf.Tensor, yPred: tf.Tensor): boolean {
  return (
    tf.getBackend() === "wasm" &&
    yPred.rank === 2 &&
    yPred.dtype === "float32" &&
    yTrue.dtype === "float32" &&
    yTrue.size === yPred.shape[0] &&
    (yTrue.rank === 1 || (yTrue.rank === 2 && yTrue.shape[1] === 1)) &&
    tf.getKernel(SPARSE_CE, "wasm") !== undefined
  );
}

function fusedLoss(original: LossOrMetric): LossOrMetric {
  return (yTrue, yPred) => {
    if (!fusable(yTrue, yPred)) return original(yTrue, yPred);
    const labels = yTrue.rank === 1 ? yTrue : yTrue.reshape([yTrue.size]);
    const attrs = { epsilon: tf.backend().epsilon() };
    return tf.engine().runKernel(SPARSE_CE, { labels, probs: yPred }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  };
}

function fusedAccuracy(original: LossOrMetric): LossOrMetric {
  return (yTrue, yPred) => {
    if (!fusable(yTrue, yPred)) return original(yTrue, yPred);
    const labels = yTrue.rank === 1 ? yTrue : yTrue.reshape([yTrue.size]);
    return tf.engine().runKernel(SPARSE_ACCURACY, { labels, probs: yPred }) as tf.Tensor;
  };
}

let enabled = true;
/** Makes `fit` use the one-kernel loss, metric and running sums on wasm (the default). */
export function useFusedLoss(): void {
  enabled = true;
}
/** Makes `fit` keep tfjs-layers' own loss and metric and the generic running sums (benchmarks compare both). */
export function useStockLoss(): void {
  enabled = false;
}
/** Whether `fit` uses its one-kernel loss, metric and running sums where they apply. */
export function fusedFitKernelsEnabled(): boolean {
  return enabled;
}

/**
 * For the length of a fit: where the model was compiled with tfjs-layers' sparse categorical cross-entropy or its
 * sparse categorical accuracy, use the one-kernel versions (src/kernels/wasm/sparse-crossentropy.ts) on wasm — the
 * same values, a fraction of the engine calls. Returns what puts tfjs's functions back. A no-op off wasm.
 */
export function fuseLossAndMetric(model: tf.LayersModel): () => void {
  const m = model as unknown as CompiledInternals;
  const core = m.model?.lossFunctions ? m.model : m;
  if (!enabled || tf.getBackend() !== "wasm" || !tf.getKernel(SPARSE_CE, "wasm") || !core.lossFunctions) return () => {};
  const { loss, accuracy } = stockFunctions();
  const losses = core.lossFunctions;
  const metrics = core.metricsTensors ?? [];
  const before = { losses: [...losses], metrics: metrics.map((e) => e[0]) };
  losses.forEach((fn, i) => {
    if (fn === loss) losses[i] = fusedLoss(fn);
  });
  metrics.forEach((e) => {
    if (e[0] === accuracy) e[0] = fusedAccuracy(e[0]);
  });
  return () => {
    before.losses.forEach((fn, i) => (losses[i] = fn));
    before.metrics.forEach((fn, i) => (metrics[i][0] = fn));
  };
}
