import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { fit, loadMnist } from "../../src/index.js";
import { useFasterWasmKernels, useStockWasmKernels } from "../../src/kernels/wasm/faster.js";
import { useFusedAdam, useStockAdam } from "../../src/optimizers/fused-adam.js";

// tslab-fit's wasm speed-ups (wrapped BatchMatMul, GatherV2 and Slice; the fused Adam step; the one-kernel loss,
// gradient and accuracy) must not change what training computes: `fit` with them matches tfjs's own `model.fit` with
// the stock kernels, AdamOptimizer and loss, epoch by epoch, with shuffling (the same permutations: Math.random is
// seeded for both runs, and both shuffle with tf.util.shuffle) and a validation split — on the seed MLP and on a small
// convnet.

function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

async function withSeededRandom<T>(body: () => Promise<T>): Promise<T> {
  const original = Math.random;
  Math.random = seededRandom(42);
  try {
    return await body();
  } finally {
    Math.random = original;
  }
}

function mlp(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 64, activation: "relu", inputShape: [784], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  return model;
}

function convnet(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: "relu", inputShape: [28, 28, 1], kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
    ],
  });
  model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  return model;
}

const keys = ["loss", "acc", "val_loss", "val_acc"];
const stock: Record<string, Record<string, number[]>> = {};
let data: { x: tf.Tensor; y: tf.Tensor };
let images: tf.Tensor;
const cases = { "seed MLP": { build: mlp, epochs: 3, x: () => data.x }, convnet: { build: convnet, epochs: 2, x: () => images } };

before(async () => {
  await tf.setBackend("wasm");
  data = loadMnist({ flatten: true, normalize: true, limit: 1000 });
  images = data.x.reshape([1000, 28, 28, 1]);
  useStockWasmKernels();
  useStockAdam();
  for (const [name, c] of Object.entries(cases)) {
    const model = c.build();
    const history = await withSeededRandom(() => model.fit(c.x(), data.y.cast("float32"), { epochs: c.epochs, batchSize: 32, validationSplit: 0.2, verbose: 0 }));
    stock[name] = Object.fromEntries(keys.map((k) => [k, history.history[k] as number[]]));
    model.dispose();
  }
  useFasterWasmKernels();
  useFusedAdam();
});

after(() => tf.dispose([data.x, data.y, images]));

for (const [name, c] of Object.entries(cases)) test(`${name}: fit with the speed-ups matches tfjs model.fit with the stock kernels, Adam and loss, epoch by epoch (shuffled, validation split)`, async () => {
  assert.equal(stock[name].loss.length, c.epochs);
  const model = c.build();
  const history = await withSeededRandom(() => fit(model, c.x(), data.y, { epochs: c.epochs, batchSize: 32, validationSplit: 0.2, verbose: 0 }));
  const ours: Record<string, number[]> = { loss: history.history.loss, acc: history.history.accuracy, val_loss: history.history.val_loss, val_acc: history.history.val_accuracy };
  for (const key of keys) {
    ours[key].forEach((value, e) => {
      const expected = stock[name][key][e];
      assert.ok(Math.abs(value - expected) <= 1e-4 * Math.abs(expected) + 1e-6, `${key}, epoch ${e + 1}: fit ${value} vs model.fit ${expected}`);
    });
  }
  // Training happened (not two runs of nothing): the loss fell.
  assert.ok(ours.loss[c.epochs - 1] < ours.loss[0] * 0.9, `loss ${ours.loss.join(", ")}`);
  model.dispose();
});
