import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { fit, loadMnist } from "../../src/index.js";
import { useFasterWasmKernels, useStockWasmKernels } from "../../src/kernels/wasm/faster.js";
import { useFusedAdam, useStockAdam } from "../../src/optimizers/fused-adam.js";

// Everything below runs on wasm, in this test file's own process. tslab-fit installs its wrapped kernels when it is
// loaded (and its fused Adam step); they are taken off for the stock kernel's results, and put back afterwards.
const cases: { a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }[] = [
  { a: [32, 784], b: [32, 64], transposeA: true, transposeB: false }, // Dense weight gradient, seed MLP
  { a: [32, 64], b: [32, 10], transposeA: true, transposeB: false },
  { a: [7, 5], b: [3, 7], transposeA: true, transposeB: true },
  { a: [3, 5, 4], b: [3, 5, 6], transposeA: true, transposeB: false }, // batched
  { a: [2, 9, 4], b: [1, 6, 9], transposeA: true, transposeB: true }, // broadcast batch
  { a: [256, 300], b: [256, 20], transposeA: true, transposeB: false },
  { a: [5, 6], b: [6, 7], transposeA: false, transposeB: false }, // untouched path
  { a: [32, 64], b: [784, 64], transposeA: false, transposeB: true }, // Dense input gradient dy·W^T, as (W·dy^T)^T
  { a: [100, 8], b: [5, 8], transposeA: false, transposeB: true }, // more rows in A: A·(B^T)
  { a: [3, 5, 4], b: [3, 6, 4], transposeA: false, transposeB: true }, // batched
  { a: [1, 5, 4], b: [2, 9, 4], transposeA: false, transposeB: true }, // broadcast batch
];

let stock: Float32Array[] = [];
let stockLosses: number[] = [];
let initial: tf.Tensor[] = [];
const data = () => loadMnist({ flatten: true, normalize: true, limit: 480 });

function mlp(): tf.LayersModel {
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 64, activation: "relu", inputShape: [784] }), tf.layers.dense({ units: 10, activation: "softmax" })],
  });
  model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  return model;
}

function products(): Float32Array[] {
  return cases.map((c, i) =>
    tf.tidy(() => {
      const a = tf.randomUniform(c.a, -1, 1, "float32", 10 + i);
      const b = tf.randomUniform(c.b, -1, 1, "float32", 50 + i);
      return tf.matMul(a, b, c.transposeA, c.transposeB).dataSync() as Float32Array;
    }),
  );
}

before(async () => {
  await tf.setBackend("wasm");
  useStockWasmKernels();
  useStockAdam();
  stock = products();
  const { x, y } = data();
  const model = mlp();
  initial = model.getWeights().map((w) => w.clone());
  const h = await model.fit(x, y.cast("float32"), { epochs: 3, batchSize: 32, shuffle: false, verbose: 0 });
  stockLosses = h.history.loss as number[];
  useFasterWasmKernels();
  useFusedAdam();
});

test("the faster BatchMatMul (transposed A, B or both) is installed on wasm and equals the stock kernel within float32 rounding", () => {
  const fast = products();
  cases.forEach((c, i) => {
    assert.equal(fast[i].length, stock[i].length);
    let worst = 0;
    for (let k = 0; k < fast[i].length; k++) worst = Math.max(worst, Math.abs(fast[i][k] - stock[i][k]) / (1 + Math.abs(stock[i][k])));
    assert.ok(worst < 1e-5, `${JSON.stringify(c)}: relative difference ${worst}`);
  });
  useFasterWasmKernels(); // a second call does not wrap twice
  assert.ok(tf.getKernel("BatchMatMul", "wasm"));
});

test("fit with the faster kernel matches tfjs model.fit (stock kernel) epoch by epoch on the same start", async () => {
  const { x, y } = data();
  const model = mlp();
  model.setWeights(initial);
  const history = await fit(model, x, y, { epochs: 3, batchSize: 32, shuffle: false, verbose: 0 });
  history.history.loss.forEach((loss, e) => {
    assert.ok(Math.abs(loss - stockLosses[e]) <= 1e-4 * Math.abs(stockLosses[e]), `epoch ${e + 1}: ${loss} vs ${stockLosses[e]}`);
  });
});
