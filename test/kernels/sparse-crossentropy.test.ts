import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import "../../src/index.ts"; // registers the kernels and the loss gradient
import { fuseLossAndMetric } from "../../src/fit/fused-loss.ts";
import { SPARSE_ACCURACY, SPARSE_CE, SPARSE_CE_GRAD } from "../../src/kernels/wasm/sparse-crossentropy.ts";

// The one-kernel sparse categorical cross-entropy, its gradient and sparse accuracy (src/kernels/wasm/
// sparse-crossentropy.ts) that fit swaps in on wasm, against tfjs-layers' own functions on the same tensors: the same
// float32 operations, so values must be equal bit for bit (the loss's −0 included; in the gradient, zeros are compared
// without their sign), across clipped, tied and one-hot probabilities and labels that are out of range or fractional.

type Fn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;
interface Compiled {
  model: { lossFunctions: Fn[]; metricsTensors: Array<[Fn, number]> };
}

function compiled(): tf.LayersModel {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 10, inputShape: [4], activation: "softmax" })] });
  model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  return model;
}

let probs: tf.Tensor2D;
let labels: tf.Tensor1D;

describe("fused sparse cross-entropy and accuracy equal tfjs-layers' bit for bit", () => {
  before(async () => {
    assert.ok(await tf.setBackend("wasm"), "the wasm backend starts");
    const rows = tf.softmax(tf.randomNormal([64, 10], 0, 6, "float32", 3)).arraySync() as number[][];
    rows[0] = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]; // clipped at both ends
    rows[1] = [0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0]; // a tie
    rows[2] = Array(10).fill(0.1);
    rows[3] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    rows[4] = [0.3, 0.3, 0.3, 0.1, 0, 0, 0, 0, 0, 0]; // a three-way tie for the argmax
    probs = tf.tensor2d(rows);
    // Labels: every class, plus out of range (10, −1) and fractional (2.7 → class 2 for the loss, no match for accuracy).
    labels = tf.tensor1d(Array.from({ length: 64 }, (_, i) => (i === 5 ? 10 : i === 6 ? -1 : i === 7 ? 2.7 : i === 8 ? 2 : i % 10)));
  });

  it("are swapped in by fit's fuseLossAndMetric on wasm, and put back", () => {
    const model = compiled();
    const core = (model as unknown as Compiled).model;
    const [loss, accuracy] = [core.lossFunctions[0], core.metricsTensors[0][0]];
    const restore = fuseLossAndMetric(model);
    assert.notEqual(core.lossFunctions[0], loss);
    assert.notEqual(core.metricsTensors[0][0], accuracy);
    restore();
    assert.equal(core.lossFunctions[0], loss);
    assert.equal(core.metricsTensors[0][0], accuracy);
    model.dispose();
  });

  for (const labelShape of [[64], [64, 1]]) {
    it(`loss, accuracy and the loss's gradient, labels of shape [${labelShape}]`, () => {
      const model = compiled();
      const core = (model as unknown as Compiled).model;
      const stock = { loss: core.lossFunctions[0], accuracy: core.metricsTensors[0][0] };
      const restore = fuseLossAndMetric(model);
      const fused = { loss: core.lossFunctions[0], accuracy: core.metricsTensors[0][0] };
      restore();
      const y = labels.reshape(labelShape);
      const run = (fns: typeof stock) => {
        const kernels: string[] = [];
        const values = {
          loss: Array.from(fns.loss(y, probs).dataSync()),
          accuracy: Array.from(fns.accuracy(y, probs).dataSync()),
          grad: Array.from(tf.grad((p: tf.Tensor) => tf.mean(fns.loss(y, p)))(probs).dataSync(), (g) => (g === 0 ? 0 : g)),
        };
        return { values, kernels };
      };
      const [a, b] = [run(fused), run(stock)];
      assert.deepStrictEqual(a.values.loss, b.values.loss, "per-sample loss");
      assert.deepStrictEqual(a.values.accuracy, b.values.accuracy, "per-sample accuracy");
      assert.deepStrictEqual(a.values.grad, b.values.grad, "gradient w.r.t. the probabilities");
      // The cases are real: some clipped and out-of-range rows, hits and misses.
      assert.ok(b.values.accuracy.includes(0) && b.values.accuracy.includes(1));
      assert.ok(Object.is(b.values.loss[5], -0) && b.values.grad.slice(50, 60).every((g) => g === 0));
      model.dispose();
    });
  }

  it("run as one kernel each (loss, gradient, accuracy) instead of tfjs's dozens", async () => {
    const model = compiled();
    const core = (model as unknown as Compiled).model;
    const count = async () =>
      (await tf.profile(() => {
        const loss = tf.grad((p: tf.Tensor) => tf.mean(core.lossFunctions[0](labels, p)))(probs);
        const acc = core.metricsTensors[0][0](labels, probs);
        tf.dispose([loss, acc]);
      })).kernels.map((k) => k.name);
    const stock = await count();
    const restore = fuseLossAndMetric(model);
    const fused = await count();
    restore();
    for (const name of [SPARSE_CE, SPARSE_CE_GRAD, SPARSE_ACCURACY]) assert.equal(fused.filter((k) => k === name).length, 1, name);
    assert.ok(stock.length - fused.length >= 30, `kernels: ${stock.length} stock, ${fused.length} fused`);
    model.dispose();
  });

  it("leave what they do not cover to tfjs: outputs of rank 3, and other backends", async () => {
    const model = compiled();
    const core = (model as unknown as Compiled).model;
    const stockLoss = core.lossFunctions[0];
    const restore = fuseLossAndMetric(model);
    const p3 = tf.softmax(tf.randomNormal([2, 3, 10], 0, 1, "float32", 4));
    const y3 = tf.tensor2d([[1, 2, 3], [4, 5, 9]]);
    assert.deepStrictEqual(Array.from(core.lossFunctions[0](y3, p3).dataSync()), Array.from(stockLoss(y3, p3).dataSync()));
    restore();
    await tf.setBackend("cpu");
    try {
      // Off wasm nothing is swapped.
      const cpuModel = compiled();
      const cpuCore = (cpuModel as unknown as Compiled).model;
      const before = cpuCore.lossFunctions[0];
      const undo = fuseLossAndMetric(cpuModel);
      assert.equal(cpuCore.lossFunctions[0], before);
      undo();
      cpuModel.dispose();
    } finally {
      await tf.setBackend("wasm");
    }
    tf.dispose([p3, y3]);
    model.dispose();
  });
});
