import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { loadMnist } from "../../src/index.js";
import { useCpu } from "../helpers.js";

before(useCpu);

describe("loadMnist", () => {
  it("returns the 10,000 real digits shaped like keras.datasets.mnist.load_data()", () => {
    const d = loadMnist();
    assert.deepEqual(d.x.shape, [10000, 28, 28]);
    assert.deepEqual(d.y.shape, [10000]);
    assert.equal(d.y.dtype, "int32");
    assert.deepEqual(d.xTrain.shape[0] + d.xTest.shape[0], 10000);
    assert.deepEqual(d.xTest.shape, [1667, 28, 28]);
    const pixels = d.x.dataSync();
    let max = 0;
    let sum = 0;
    let nonInteger = 0;
    for (const p of pixels) {
      max = Math.max(max, p);
      sum += p;
      if (!Number.isInteger(p)) nonInteger++;
    }
    assert.equal(max, 255);
    assert.equal(nonInteger, 0, "pixels are whole 0–255 values like Keras's uint8");
    // Real MNIST's mean pixel is about 33.3 (0–255); random or blank data would be far off.
    const mean = sum / pixels.length;
    assert.ok(mean > 30 && mean < 37, `mean pixel ${mean}`);
  });

  it("mixes the classes (the package stores them sorted) so validationSplit sees every digit", () => {
    const { y } = loadMnist({ limit: 2000 });
    const last20 = Array.from(y.dataSync().slice(1600));
    const counts = new Array(10).fill(0);
    for (const label of last20) counts[label]++;
    assert.ok(counts.every((c) => c > 15), `each class appears in the last 20%: ${counts}`);
    assert.deepEqual(Array.from(loadMnist({ limit: 2000 }).y.dataSync()), Array.from(y.dataSync()), "the shuffle is deterministic");
  });

  it("flattens and normalises on request", () => {
    const { x } = loadMnist({ flatten: true, normalize: true, limit: 100 });
    assert.deepEqual(x.shape, [100, 784]);
    assert.equal(tf.max(x).dataSync()[0], 1);
    assert.equal(tf.min(x).dataSync()[0], 0);
  });

  it("rejects bad options", () => {
    assert.throws(() => loadMnist({ testFraction: 1 }), /testFraction must be a number >= 0 and < 1/);
    assert.throws(() => loadMnist({ limit: 1 }), /limit must be a whole number >= 2/);
  });
});
