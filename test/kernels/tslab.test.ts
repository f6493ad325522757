// The two models every tutorial trains after the MLP — a convnet and an embedding model — in the real tslab kernel,
// on the backend useBestBackend() picks (wasm here).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ensureBuilt, kernelSkipReason, makeKernelEnv, runKernelCells } from "../display/kernel-env.js";

const CELLS = [
  `import * as tf from "@tensorflow/tfjs";
import { fit, loadMnist, useBestBackend } from "tslab-fit";
console.log("BACKEND " + await useBestBackend({ quiet: true }));`,
  `const { x, y } = loadMnist({ normalize: true, limit: 512 });
const convnet = tf.sequential({ layers: [
  tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: "relu", inputShape: [28, 28, 1] }),
  tf.layers.maxPooling2d({ poolSize: 2 }),
  tf.layers.flatten(),
  tf.layers.dense({ units: 10, activation: "softmax" }),
] });
convnet.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
const conv = await fit(convnet, x.reshape([-1, 28, 28, 1]), y, { epochs: 2, batchSize: 64, verbose: 0 });
console.log("CONV " + JSON.stringify(conv.history.loss));`,
  `const ids = tf.tensor2d(Array.from({ length: 256 * 12 }, (_, i) => (i * 7919) % 50), [256, 12]);
const labels = tf.cast(tf.greater(tf.mean(tf.cast(tf.less(ids, 25), "float32"), 1), 0.5), "float32");
const text = tf.sequential({ layers: [
  tf.layers.embedding({ inputDim: 50, outputDim: 8, inputLength: 12 }),
  tf.layers.globalAveragePooling1d({}),
  tf.layers.dense({ units: 1, activation: "sigmoid" }),
] });
text.compile({ optimizer: tf.train.adam(0.05), loss: "binaryCrossentropy" });
const emb = await fit(text, ids, labels, { epochs: 3, batchSize: 32, verbose: 0 });
console.log("EMB " + JSON.stringify(emb.history.loss));`,
];

test("real tslab kernel: a Conv2D and an Embedding model train under useBestBackend()", async (t) => {
  const reason = kernelSkipReason();
  if (reason) return t.skip(reason);
  ensureBuilt();
  const env = makeKernelEnv();
  const cells = runKernelCells(CELLS, env);
  const text = (i: number) => cells[i].messages.filter((m) => m.msg_type === "stream").map((m) => m.content.text).join("");
  cells.forEach((c, i) => assert.equal(c.reply.status, "ok", `cell ${i} failed:\n${text(i)}\n${JSON.stringify(c.reply)}`));
  assert.match(text(0), /BACKEND wasm/);
  for (const [cell, tag] of [[1, "CONV"], [2, "EMB"]] as const) {
    const losses = JSON.parse(new RegExp(`${tag} (\\[.*\\])`).exec(text(cell))![1]) as number[];
    assert.ok(losses.every(Number.isFinite), `${tag} losses ${losses}`);
    assert.ok(losses.at(-1)! < losses[0], `${tag} loss falls: ${losses}`);
  }
});
