// End to end: fit a small MLP on real MNIST digits with the TensorBoard callback, then read the logs back.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { fit } from "../../src/fit/fit.js";
import { loadMnist } from "../../src/data/mnist.js";
import { TensorBoard } from "../../src/callbacks/tensorboard.js";
import { listRuns, readRuns } from "../../src/tensorboard/reader.js";
import { plotRuns } from "../../src/tensorboard/plot-runs.js";
import { tempDir } from "./helpers.js";

before(async () => {
  await tf.setBackend("cpu");
});

test("fit on 500 MNIST digits, 2 epochs, histogramFreq 1: every expected run, tag and step is on disk", async () => {
  const dir = tempDir();
  const { x, y } = loadMnist({ flatten: true, normalize: true, limit: 500 });
  const model = tf.sequential({ name: "mnist_mlp" });
  model.add(tf.layers.dense({ units: 32, activation: "relu", inputShape: [784], name: "dense" }));
  model.add(tf.layers.dense({ units: 10, activation: "softmax", name: "dense_1" }));
  model.compile({ optimizer: tf.train.adam(0.001), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  const history = await fit(model, x, y, {
    epochs: 2,
    batchSize: 50,
    validationSplit: 0.2,
    verbose: 0,
    callbacks: [new TensorBoard({ logDir: dir, histogramFreq: 1 })],
  });
  tf.dispose([x, y]);

  assert.deepEqual(listRuns(dir).map((r) => r.run), ["train", "validation"]);
  const recs = readRuns(dir);
  const seen = (run: string, tag: string) => recs.filter((r) => r.run === run && r.tag === tag).map((r) => r.step);
  for (const tag of ["epoch_loss", "epoch_accuracy", "epoch_learning_rate"]) assert.deepEqual(seen("train", tag), [0, 1], tag);
  for (const tag of ["epoch_loss", "epoch_accuracy"]) assert.deepEqual(seen("validation", tag), [0, 1], `validation ${tag}`);
  // 400 training digits / 50 per batch = 8 optimizer steps per epoch
  assert.deepEqual(seen("validation", "evaluation_loss_vs_iterations"), [8, 16]);
  assert.deepEqual(seen("validation", "evaluation_accuracy_vs_iterations"), [8, 16]);
  for (const w of ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]) {
    assert.deepEqual(seen("train", `mnist_mlp/${w}/histogram`), [0, 1], w);
  }
  assert.deepEqual(seen("train", "keras"), [0]);
  // the values are History's values (float32 on disk)
  const loss = recs.filter((r) => r.run === "validation" && r.tag === "epoch_loss").map((r) => r.value as number);
  history.history.val_loss.forEach((v, i) => assert.ok(Math.abs(v - loss[i]) < 1e-5 * Math.max(1, Math.abs(v))));
  // kernel histogram counts every weight
  const h = recs.find((r) => r.tag === "mnist_mlp/dense/kernel/histogram" && r.step === 1)!;
  assert.equal((h.value as { count: number }[]).reduce((s, b) => s + b.count, 0), 784 * 32);
  // the graph is Keras-3 JSON
  const graph = JSON.parse(recs.find((r) => r.tag === "keras")!.value as string);
  assert.equal(graph.class_name, "Sequential");

  const { rows, spec } = await plotRuns(dir, { tags: ["epoch_loss"] });
  assert.deepEqual(rows.map((r) => `${r.run}@${r.step}`), ["train@0", "train@1", "validation@0", "validation@1"]);
  assert.equal((spec.data as { values: unknown[] }).values.length, 4);
});

function tinyData() {
  const x = tf.randomNormal([40, 3], 0, 1, "float32", 1);
  const y = tf.randomUniform([40, 1], 0, 1, "float32", 2);
  const model = tf.sequential({ name: "tiny" });
  model.add(tf.layers.dense({ units: 1, inputShape: [3], name: "d" }));
  model.compile({ optimizer: tf.train.sgd(0.01), loss: "meanSquaredError" });
  return { x, y, model };
}

test("a fit that fails closes the files and ends the hparams session as a failure", async () => {
  const dir = tempDir();
  const { x, y, model } = tinyData();
  const tb = new TensorBoard({ logDir: dir, hparams: { lr: 0.01 }, flushMillis: 60_000 });
  const boom = { onEpochEnd: (epoch: number) => { if (epoch === 1) throw new Error("boom"); } };
  await assert.rejects(fit(model, x, y, { epochs: 5, batchSize: 10, verbose: 0, callbacks: [tb, boom] }), /boom/);
  tf.dispose([x, y]);
  const recs = readRuns(dir);
  assert.deepEqual(recs.filter((r) => r.tag === "epoch_loss").map((r) => r.step), [0, 1]);
  const end = recs.find((r) => r.tag === "_hparams_/session_end_info");
  assert.equal(end?.kind === "hparams" && end.value.sessionEnd?.status, "failure");
});

test("an aborted fit still ends with closed files and a successful session", async () => {
  const dir = tempDir();
  const { x, y, model } = tinyData();
  const controller = new AbortController();
  const stopper = { onEpochEnd: (epoch: number) => { if (epoch === 0) controller.abort(); } };
  await fit(model, x, y, {
    epochs: 5, batchSize: 10, verbose: 0, signal: controller.signal,
    callbacks: [stopper, new TensorBoard({ logDir: dir, hparams: { lr: 0.01 }, updateFreq: "batch", flushMillis: 60_000 })],
  });
  tf.dispose([x, y]);
  const recs = readRuns(dir);
  assert.deepEqual(recs.filter((r) => r.tag === "epoch_loss").map((r) => r.step), [0]);
  assert.deepEqual(recs.filter((r) => r.tag === "batch_loss").map((r) => r.step), [1, 2, 3, 4]);
  const end = recs.find((r) => r.tag === "_hparams_/session_end_info");
  assert.equal(end?.kind === "hparams" && end.value.sessionEnd?.status, "success");
});

test("each epoch's records are on disk when the epoch ends, even with a long flush interval", async () => {
  const { LambdaCallback } = await import("../../src/callbacks/lambda-callback.js");
  const logDir = tempDir();
  const x = tf.randomNormal([40, 4]);
  const y = tf.randomUniform([40], 0, 3, "int32");
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, activation: "softmax", inputShape: [4] })] });
  model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  const seenAtEpochEnd: number[][] = [];
  // Runs after TensorBoard in the list, so it sees the disk as TensorBoard left it at this epoch's end.
  const reader = new LambdaCallback({
    onEpochEnd: () => void seenAtEpochEnd.push(readRuns(logDir).filter((r) => r.run === "train" && r.tag === "epoch_loss").map((r) => r.step)),
  });
  await fit(model, x, y, { epochs: 3, verbose: 0, callbacks: [new TensorBoard({ logDir, flushMillis: 3_600_000 }), reader] });
  assert.deepEqual(seenAtEpochEnd, [[0], [0, 1], [0, 1, 2]]);
});
