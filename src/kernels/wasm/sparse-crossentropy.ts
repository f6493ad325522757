// tfjs-layers' sparse categorical cross-entropy (on softmax outputs) and sparse categorical accuracy, each as one
// wasm kernel, and the loss's gradient as one more (issue 13, target 2). tfjs computes the loss with 12 kernels and
// its gradient with about 30 more, each a trip through the engine and its tape, for a [batch, classes] array that is
// tiny (32 × 10 for the seed MLP); the accuracy takes 6. The formula, per row, is tfjs-layers' own:
//   q = clip(p, ε, 1 − ε);  s = clip(q / Σq, ε, 1 − ε);  loss = −log(s[y])  with y = floor(label)
// (a label outside [0, classes) gives an all-zero one-hot row: loss 0, gradient 0), computed in float32. The gradient
// follows tfjs's chain rule through both clips (zero where clipped), the division and the sum; the tests compare
// losses, accuracies and gradients with tfjs's own functions.
import * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "./scope.js";

export const SPARSE_CE = "TslabFitSparseCategoricalCrossentropy";
export const SPARSE_CE_GRAD = "TslabFitSparseCategoricalCrossentropyGrad";
export const SPARSE_ACCURACY = "TslabFitSparseCategoricalAccuracy";

const f = Math.fround;

interface Rows {
  labels: Float32Array;
  probs: Float32Array;
  classes: number;
  lo: number;
  hi: number;
}

function rows(inputs: tf.NamedTensorInfoMap, backend: WasmBackend, epsilon: number): Rows {
  const { labels, probs } = inputs as { labels: tf.TensorInfo; probs: tf.TensorInfo };
  return {
    labels: backend.typedArrayFromHeap(labels) as Float32Array,
    probs: backend.typedArrayFromHeap(probs) as Float32Array,
    classes: probs.shape[probs.shape.length - 1],
    lo: f(epsilon),
    hi: f(1 - epsilon),
  };
}

const clip = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);

/** The label's class index, as tfjs's cast(floor(label), 'int32'); -1 when it picks no class. */
function classOf(label: number, classes: number): number {
  const y = Math.floor(label) | 0;
  return y >= 0 && y < classes ? y : -1;
}

/** Σ clip(p, ε, 1 − ε) over row n, summed in float32. */
function clippedSum(r: Rows, n: number): number {
  let sum = 0;
  for (let j = 0, at = n * r.classes; j < r.classes; j++) sum = f(sum + clip(r.probs[at + j], r.lo, r.hi));
  return sum;
}

/** Per-sample loss [batch] from labels [batch] (class indices as float32) and probabilities [batch, classes]. */
export const sparseCrossentropy: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as WasmBackend;
  const batch = (inputs.probs as tf.TensorInfo).shape[0];
  const out = wasm.makeOutput([batch], "float32");
  const r = rows(inputs, wasm, (attrs as { epsilon: number }).epsilon);
  const loss = wasm.typedArrayFromHeap(out) as Float32Array;
  for (let n = 0; n < batch; n++) {
    const y = classOf(r.labels[n], r.classes);
    if (y < 0) {
      loss[n] = -0; // as tfjs: −(a sum of zeros)
      continue;
    }
    const s = clip(f(clip(r.probs[n * r.classes + y], r.lo, r.hi) / clippedSum(r, n)), r.lo, r.hi);
    loss[n] = -f(Math.log(s));
  }
  return out;
};

/** d(loss)/d(probs) [batch, classes], given the upstream gradient dy [batch]. */
export const sparseCrossentropyGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as WasmBackend;
  const probsInfo = inputs.probs as tf.TensorInfo;
  const batch = probsInfo.shape[0];
  const out = wasm.makeOutput(probsInfo.shape, "float32");
  const r = rows(inputs, wasm, (attrs as { epsilon: number }).epsilon);
  const dy = wasm.typedArrayFromHeap(inputs.dy as tf.TensorInfo) as Float32Array;
  const dp = wasm.typedArrayFromHeap(out) as Float32Array;
  for (let n = 0; n < batch; n++) {
    const at = n * r.classes;
    const y = classOf(r.labels[n], r.classes);
    if (y < 0) {
      dp.fill(0, at, at + r.classes);
      continue;
    }
    const sum = clippedSum(r, n);
    const qy = clip(r.probs[at + y], r.lo, r.hi);
    const ratio = f(qy / sum);
    // d/ds of −log(s) at the label, zero where the second clip held s at a bound.
    const ds = ratio >= r.lo && ratio <= r.hi ? f(-dy[n] / clip(ratio, r.lo, r.hi)) : 0;
    // Through q / Σq: d/dq[y] directly, and d/dΣq, which reaches every class through the sum.
    const dSum = -f(f(ds * qy) / f(sum * sum));
    for (let j = 0; j < r.classes; j++) {
      const p = r.probs[at + j];
      const dq = j === y ? f(f(ds / sum) + dSum) : dSum;
      dp[at + j] = p >= r.lo && p <= r.hi ? dq : 0;
    }
  }
  return out;
};

/** 1 where the largest probability (the first, on ties) is at the label, else 0: float32 [batch]. */
export const sparseAccuracy: tf.KernelFunc = ({ inputs, backend }) => {
  const wasm = backend as WasmBackend;
  const probsInfo = inputs.probs as tf.TensorInfo;
  const batch = probsInfo.shape[0];
  const out = wasm.makeOutput([batch], "float32");
  const r = rows(inputs, wasm, 0);
  const hit = wasm.typedArrayFromHeap(out) as Float32Array;
  for (let n = 0; n < batch; n++) {
    const at = n * r.classes;
    let best = 0;
    for (let j = 1; j < r.classes; j++) if (r.probs[at + j] > r.probs[at + best]) best = j;
    hit[n] = r.labels[n] === best ? 1 : 0;
  }
  return out;
};

/** The loss kernel's gradient, registered for the engine's tape (labels get none: they are data). */
export const sparseCrossentropyGradConfig: tf.GradConfig = {
  kernelName: SPARSE_CE,
  inputsToSave: ["labels", "probs"],
  gradFunc: (dy, saved, attrs) => {
    const [labels, probs] = saved;
    return {
      probs: () => tf.engine().runKernel(SPARSE_CE_GRAD, { dy: dy as tf.Tensor, labels, probs }, attrs) as tf.Tensor,
      labels: () => tf.zerosLike(labels),
    };
  },
};
