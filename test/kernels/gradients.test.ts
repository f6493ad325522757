import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import "../../src/index.ts"; // registers the gradients

// The gradients tslab-fit adds for tfjs-core ops that have none, checked without reusing their formulas: the loss
// sum(op(a, b) · r) is linear in each argument, so its gradient's entry i is the loss at the i-th basis tensor.
function basisGradient(loss: (t: tf.Tensor) => tf.Scalar, shape: number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = tf.tidy(() => loss(tf.oneHot(tf.tensor1d([i], "int32"), n).reshape(shape).cast("float32")).dataSync()[0]);
  }
  return out;
}

function assertAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) < 1e-4, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
}

describe("gradients tslab-fit adds to tfjs", () => {
  it("Conv3DBackpropInputV2 (Conv3DTranspose): gradients for dy and filter, strides 1 and 2, same and valid", async () => {
    await tf.setBackend("cpu");
    for (const [stride, pad] of [[1, "same"], [2, "same"], [2, "valid"]] as const) {
      const dy = tf.randomNormal([1, 2, 2, 2, 2], 0, 1, "float32", 1) as tf.Tensor5D;
      const filter = tf.randomNormal([2, 2, 2, 3, 2], 0, 1, "float32", 2) as tf.Tensor5D;
      const side = pad === "same" ? 2 * stride : (2 - 1) * stride + 2; // input side 2, kernel 2
      const outShape: [number, number, number, number, number] = [1, side, side, side, 3];
      const r = tf.randomNormal(outShape, 0, 1, "float32", 3);
      const loss = (d: tf.Tensor, f: tf.Tensor) => tf.sum(tf.mul(tf.conv3dTranspose(d as tf.Tensor5D, f as tf.Tensor5D, outShape, stride, pad), r)) as tf.Scalar;
      const [gDy, gFilter] = tf.grads(loss)([dy, filter]);
      assertAllClose(gDy.dataSync(), basisGradient((d) => loss(d, filter), dy.shape), `dy s${stride} ${pad}`);
      assertAllClose(gFilter.dataSync(), basisGradient((f) => loss(dy, f), filter.shape), `filter s${stride} ${pad}`);
    }
  });

  it("comparisons and logic have a zero gradient (ThresholdedReLU and Masking after a trainable layer)", async () => {
    await tf.setBackend("cpu");
    const x = tf.tensor2d([[0.5, -1, 2], [0, 3, -0.2]]);
    const thresholded = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(t, tf.cast(tf.greater(t, 0.1), "float32"))))(x);
    assert.deepEqual(Array.from(thresholded.dataSync()), [1, 0, 1, 0, 1, 0]);
    const masked = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(t, tf.cast(tf.any(tf.notEqual(t, 0), -1, true), "float32"))))(x);
    assert.deepEqual(Array.from(masked.dataSync()), [1, 1, 1, 1, 1, 1]);
  });
});
