import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { fit, TerminateOnNaN, useBestBackend } from "../../src/index.ts";

// wasm's XNNPACK clamps turned NaN into numbers (Relu6, ClipByValue, and relu/relu6/elu/sigmoid fused into a
// matmul or convolution). TensorFlow and tfjs's cpu backend keep NaN; so must wasm, or a diverged model trains on
// with a finite loss. Every case runs on cpu and wasm in one process and must agree value for value.

type Run = (t: typeof tf) => tf.Tensor;

function valuesOn(backend: string, run: Run): Float32Array {
  tf.setBackend(backend);
  return tf.tidy(() => Float32Array.from(run(tf).dataSync()));
}

function assertSame(wasm: Float32Array, cpu: Float32Array, what: string): void {
  assert.equal(wasm.length, cpu.length, `${what}: length`);
  for (let i = 0; i < cpu.length; i++) {
    if (Number.isNaN(cpu[i])) assert.ok(Number.isNaN(wasm[i]), `${what}[${i}]: wasm ${wasm[i]}, cpu NaN`);
    else if (!Number.isFinite(cpu[i])) assert.equal(wasm[i], cpu[i], `${what}[${i}]`);
    else assert.ok(Math.abs(wasm[i] - cpu[i]) <= 1e-6 * Math.max(1, Math.abs(cpu[i])), `${what}[${i}]: wasm ${wasm[i]}, cpu ${cpu[i]}`);
  }
}

// Row 0 has a NaN; row 3 makes Inf − Inf, the NaN with its sign bit set that wasm's relu also turned into 0.
const matMul = (activation: tf.fused.Activation): Run => (t) =>
  t.fused.matMul({ a: t.tensor2d([[NaN, 1], [2, -3], [0.5, 7], [Infinity, 1]]), b: t.tensor2d([[1, -2], [-Infinity, 0.5]]), bias: t.tensor1d([0.1, -0.2]), activation });

describe("NaN survives wasm's kernels as it does on cpu (and in TensorFlow)", () => {
  before(async () => {
    assert.equal(await useBestBackend(), "wasm");
  });

  it("Relu6 and ClipByValue keep NaN and clamp everything else", () => {
    const x = (t: typeof tf) => t.tensor1d([NaN, -1, 2, 7, Infinity, -Infinity]);
    assertSame(valuesOn("wasm", (t) => t.relu6(x(t))), valuesOn("cpu", (t) => t.relu6(x(t))), "relu6");
    assertSame(valuesOn("wasm", (t) => t.clipByValue(x(t), 1e-7, 1 - 1e-7)), valuesOn("cpu", (t) => t.clipByValue(x(t), 1e-7, 1 - 1e-7)), "clipByValue");
    assert.ok(Number.isNaN(valuesOn("wasm", (t) => t.clipByValue(x(t), -1e30, 1e30))[0]), "clipByValue with wide bounds");
    tf.setBackend("wasm");
  });

  for (const activation of ["linear", "relu", "relu6", "elu", "sigmoid", "leakyrelu"] as tf.fused.Activation[]) {
    it(`the fused matmul of a Dense layer, with ${activation}`, () => {
      assertSame(valuesOn("wasm", matMul(activation)), valuesOn("cpu", matMul(activation)), activation);
      tf.setBackend("wasm");
    });
  }

  it("the wrapped kernels free their intermediate results", () => {
    tf.setBackend("wasm");
    const a = tf.tensor2d([[1, NaN]]), b = tf.tensor2d([[1], [2]]);
    const before = tf.engine().backend.numDataIds();
    tf.fused.matMul({ a, b, activation: "relu" }).dispose();
    assert.equal(tf.engine().backend.numDataIds(), before);
    tf.dispose([a, b]);
  });

  it("a Dense-relu model with a NaN weight has a NaN loss on wasm, and TerminateOnNaN stops fit", async () => {
    tf.setBackend("wasm");
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3], activation: "relu" }), tf.layers.dense({ units: 3, activation: "softmax" })] });
    model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
    const [kernel, bias] = model.layers[0].getWeights();
    const poisoned = kernel.arraySync() as number[][];
    poisoned[0][0] = NaN;
    model.layers[0].setWeights([tf.tensor2d(poisoned), bias]);
    const x = tf.ones([8, 3]), y = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1]);
    const loss = model.evaluate(x, y) as tf.Scalar[];
    assert.ok(Number.isNaN(loss[0].dataSync()[0]), `loss ${loss[0].dataSync()[0]}`);
    const history = await fit(model, x, y, { epochs: 5, batchSize: 4, verbose: 0, callbacks: [new TerminateOnNaN()] });
    assert.equal(history.epoch.length, 1, "TerminateOnNaN stops in the first epoch");
    tf.dispose([x, y, ...loss]);
  });
});
