// The TensorBoard callback driven hook by hook (as fit would), then checked with the reader.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { TensorBoard } from "../../src/callbacks/tensorboard.js";
import { ReduceLROnPlateau } from "../../src/callbacks/reduce-lr-on-plateau.js";
import { fit } from "../../src/fit/fit.js";
import { readRuns, listRuns, type SummaryRecord } from "../../src/tensorboard/reader.js";
import { histogramBuckets } from "../../src/tensorboard/histogram.js";
import type { FitParams } from "../../src/fit/logs.js";
import { tempDir } from "./helpers.js";

before(async () => {
  await tf.setBackend("cpu");
});

function tinyModel(): tf.LayersModel {
  const model = tf.sequential({ name: "seq" });
  model.add(tf.layers.dense({ units: 3, inputShape: [4], activation: "relu", name: "hidden" }));
  model.add(tf.layers.dense({ units: 2, activation: "softmax", name: "out" }));
  model.compile({ optimizer: tf.train.adam(0.01), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  return model;
}

const params: FitParams = {
  epochs: 2,
  steps: 3,
  verbose: 0,
  initialEpoch: 0,
  batchSize: 4,
  samples: 12,
  doValidation: true,
  metrics: ["loss", "accuracy", "val_loss", "val_accuracy"],
};

/** Two epochs of 3 batches with validation, calling the hooks in fit's order; the optimizer steps for real. */
async function drive(cb: TensorBoard, model: tf.LayersModel, epochs = 2): Promise<void> {
  cb.setModel(model);
  cb.setParams(params);
  await cb.onTrainBegin({});
  const x = tf.randomNormal([4, 4]);
  const y = tf.tensor1d([0, 1, 0, 1]);
  for (let epoch = 0; epoch < epochs; epoch++) {
    await cb.onEpochBegin(epoch, {});
    for (let b = 0; b < 3; b++) {
      await cb.onTrainBatchBegin(b, {});
      await model.trainOnBatch(x, y);
      await cb.onTrainBatchEnd(b, { loss: 1 - 0.1 * b, accuracy: 0.5 });
    }
    await cb.onTestBegin({});
    await cb.onTestEnd({ loss: 0.9 - epoch * 0.1, accuracy: 0.6 });
    await cb.onEpochEnd(epoch, { loss: 1 - epoch * 0.1, accuracy: 0.5, val_loss: 0.9 - epoch * 0.1, val_accuracy: 0.6 });
  }
  await cb.onTrainEnd({});
  tf.dispose([x, y]);
}

const keyOf = (r: SummaryRecord) => `${r.run}/${r.tag}@${r.step}`;

test("Keras 3 runs, tags and steps: epoch_*, val_ stripped, learning rate, evaluation_*_vs_iterations", async () => {
  const dir = tempDir();
  const model = tinyModel();
  await drive(new TensorBoard({ logDir: dir }), model);
  assert.deepEqual(listRuns(dir).map((r) => r.run), ["train", "validation"]);
  const recs = readRuns(dir);
  const scalars = recs.filter((r) => r.kind === "scalar").map(keyOf).sort();
  assert.deepEqual(scalars, [
    "train/epoch_accuracy@0",
    "train/epoch_accuracy@1",
    "train/epoch_learning_rate@0",
    "train/epoch_learning_rate@1",
    "train/epoch_loss@0",
    "train/epoch_loss@1",
    "validation/epoch_accuracy@0",
    "validation/epoch_accuracy@1",
    "validation/epoch_loss@0",
    "validation/epoch_loss@1",
    "validation/evaluation_accuracy_vs_iterations@3",
    "validation/evaluation_accuracy_vs_iterations@6",
    "validation/evaluation_loss_vs_iterations@3",
    "validation/evaluation_loss_vs_iterations@6",
  ]);
  const value = (k: string) => recs.find((r) => keyOf(r) === k)!.value;
  assert.ok(Math.abs((value("validation/epoch_loss@1") as number) - 0.8) < 1e-6);
  assert.ok(Math.abs((value("train/epoch_learning_rate@0") as number) - 0.01) < 1e-9);
  // the graph, once, at step 0 in the train run, in Keras-3 form
  const graphs = recs.filter((r) => r.kind === "graph");
  assert.deepEqual(graphs.map(keyOf), ["train/keras@0"]);
  const json = JSON.parse(graphs[0].value as string);
  assert.equal(json.class_name, "Sequential");
  assert.equal(json.config.name, "seq");
});

test("epoch_learning_rate is the optimizer's rate when the epoch ends, not the logs' learning_rate", async () => {
  const dir = tempDir();
  const cb = new TensorBoard({ logDir: dir, writeGraph: false });
  cb.setModel(tinyModel()); // adam(0.01)
  cb.setParams(params);
  await cb.onTrainBegin({});
  await cb.onEpochBegin(0, {});
  await cb.onEpochEnd(0, { loss: 1, learning_rate: 0.5 });
  await cb.onTrainEnd({});
  const lr = readRuns(dir, { tags: ["epoch_learning_rate"] });
  assert.deepEqual(lr.map((r) => Math.fround(r.value as number)), [Math.fround(0.01)]);
  assert.equal(existsSync(join(dir, "validation")), false, "no validation run without validation");
});

test("ReduceLROnPlateau listed before TensorBoard: epoch_learning_rate is Keras 3's [0.001, 0.0005, 0.00025]", async () => {
  const dir = tempDir();
  const model = tinyModel();
  model.compile({ optimizer: tf.train.adam(0.001), loss: "sparseCategoricalCrossentropy" });
  const x = tf.randomNormal([8, 4], 0, 1, "float32", 3);
  const y = tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1]);
  // minDelta 100: no epoch after the first counts as an improvement, so patience 0 halves the rate at epochs 1 and 2
  const plateau = new ReduceLROnPlateau({ monitor: "loss", factor: 0.5, patience: 0, minDelta: 100 });
  const history = await fit(model, x, y, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [plateau, new TensorBoard({ logDir: dir, writeGraph: false })] });
  tf.dispose([x, y]);
  const lr = readRuns(dir, { tags: ["epoch_learning_rate"] }).map((r) => [r.step, r.value]);
  assert.deepEqual(lr, [[0, Math.fround(0.001)], [1, Math.fround(0.0005)], [2, Math.fround(0.00025)]]);
  // the logs (and History) keep ReduceLROnPlateau's value: the rate the epoch trained with, as in Keras
  assert.deepEqual(history.history.learning_rate, [0.001, 0.001, 0.0005]);
});

test("updateFreq N writes batch_<metric> at global 1-based batch steps divisible by N; steps per second", async () => {
  const dir = tempDir();
  await drive(new TensorBoard({ logDir: dir, updateFreq: 2, writeStepsPerSecond: true, writeGraph: false }), tinyModel());
  const recs = readRuns(dir, { kinds: ["scalar"] });
  assert.deepEqual(recs.filter((r) => r.tag === "batch_loss").map((r) => r.step), [2, 4, 6]);
  assert.deepEqual(recs.filter((r) => r.tag === "batch_steps_per_second").map((r) => r.step), [2, 4, 6]);
  const sps = recs.filter((r) => r.tag === "epoch_steps_per_second");
  assert.deepEqual(sps.map((r) => r.step), [0, 1]);
  assert.ok(sps.every((r) => (r.value as number) > 0));
  // batch values are the logs as given (running means)
  assert.ok(Math.abs((recs.find((r) => r.tag === "batch_loss" && r.step === 2)!.value as number) - 0.9) < 1e-6);
});

test("updateFreq 'batch' logs every batch and the batch step restarts with each fit (new files)", async () => {
  const dir = tempDir();
  const cb = new TensorBoard({ logDir: dir, updateFreq: "batch", writeGraph: false });
  const model = tinyModel();
  await drive(cb, model, 1);
  await drive(cb, model, 1);
  const runs = listRuns(dir);
  assert.equal(runs.find((r) => r.run === "train")!.files.length, 2, "one new file per fit");
  const steps = readRuns(dir, { tags: ["batch_loss"] }).map((r) => r.step);
  assert.deepEqual(steps, [1, 2, 3, 1, 2, 3]);
});

test("histograms every histogramFreq epochs (epoch 0 included) with Keras 3 weight paths; images", async () => {
  const dir = tempDir();
  const model = tinyModel();
  const cb = new TensorBoard({ logDir: dir, histogramFreq: 2, writeImages: true, writeGraph: false });
  await drive(cb, model, 3);
  const hist = readRuns(dir, { kinds: ["histogram"] });
  assert.deepEqual([...new Set(hist.map((r) => r.tag))].sort(), [
    "seq/hidden/bias/histogram",
    "seq/hidden/kernel/histogram",
    "seq/out/bias/histogram",
    "seq/out/kernel/histogram",
  ]);
  assert.deepEqual([...new Set(hist.map((r) => r.step))], [0, 2]);
  assert.ok(hist.every((r) => r.run === "train"));
  // the last histogram matches a JS bucketing of the final weights (counts may differ by boundary rounding only)
  const kernel = await model.getLayer("hidden").getWeights()[0].data();
  const expected = histogramBuckets(kernel);
  const got = hist.filter((r) => r.tag === "seq/hidden/kernel/histogram" && r.step === 2)[0].value as typeof expected;
  assert.equal(got.length, 30);
  assert.equal(got.reduce((s, b) => s + b.count, 0), 12);
  assert.ok(Math.abs(got[0].left - expected[0].left) < 1e-6 && Math.abs(got[29].right - expected[29].right) < 1e-6);
  const images = readRuns(dir, { kinds: ["image"] });
  const img = images.find((r) => r.tag === "seq/hidden/kernel/image" && r.step === 0)!;
  assert.ok(img && img.kind === "image");
  if (img.kind === "image") {
    // a [4, 3] kernel: longer side horizontal → 3 rows × 4 columns
    assert.deepEqual([img.value.width, img.value.height, img.value.images.length], [4, 3, 1]);
  }
  // a bias of 2 units: 2 pixels high, 1 wide (Keras 3)
  const bias = images.find((r) => r.tag === "seq/out/bias/image")!;
  assert.ok(bias.kind === "image");
  if (bias.kind === "image") assert.deepEqual([bias.value.width, bias.value.height], [1, 2]);
});

test("writeImages on a convnet: every conv kernel Keras 3 draws gets an image, RGB for 3 filters", async () => {
  const dir = tempDir();
  const model = tf.sequential({ name: "cnn" });
  model.add(tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, name: "rgb" })); // [3, 3, 2, 3]
  model.add(tf.layers.conv2d({ filters: 5, kernelSize: 2, name: "five" })); // [2, 2, 3, 5]: no image
  model.add(tf.layers.conv2d({ filters: 1, kernelSize: 2, name: "one" })); // [2, 2, 5, 1] → [2, 2, 5]
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 1, name: "head" })); // bias [1]: no image
  model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
  const cb = new TensorBoard({ logDir: dir, histogramFreq: 1, writeImages: true, writeGraph: false });
  cb.setModel(model);
  cb.setParams(params);
  await cb.onTrainBegin({});
  await cb.onEpochBegin(0, {});
  await cb.onEpochEnd(0, { loss: 1 });
  await cb.onTrainEnd({});
  const images = readRuns(dir, { kinds: ["image"] });
  const shapes = Object.fromEntries(
    images.map((r) => [r.tag, r.kind === "image" ? [r.value.images.length, r.value.width, r.value.height, r.value.images[0][25]] : []]),
  );
  // [images, width, height, PNG colour type (0 gray, 2 RGB)]
  assert.deepEqual(shapes, {
    "cnn/rgb/kernel/image": [3, 2, 3, 2],
    "cnn/rgb/bias/image": [1, 1, 3, 0],
    "cnn/five/bias/image": [1, 1, 5, 0],
    "cnn/one/kernel/image": [3, 2, 2, 0],
    "cnn/head/kernel/image": [1, 1, 4, 0], // [4, 1] squeezes to [4]: drawn like a bias
  });
});

test("hparams: session start and end in the log folder's own run", async () => {
  const dir = tempDir();
  await drive(new TensorBoard({ logDir: dir, hparams: { lr: 0.01, optimizer: "adam" }, trialId: "trial-a", writeGraph: false }), tinyModel(), 1);
  const hp = readRuns(dir, { kinds: ["hparams"] });
  assert.deepEqual(hp.map((r) => [r.run, r.tag]), [
    [".", "_hparams_/session_start_info"],
    [".", "_hparams_/session_end_info"],
  ]);
  const [start, end] = hp;
  if (start.kind === "hparams" && end.kind === "hparams") {
    assert.deepEqual(start.value.sessionStart?.hparams, { lr: 0.01, optimizer: "adam" });
    assert.equal(start.value.sessionStart?.groupName, "trial-a");
    assert.equal(end.value.sessionEnd?.status, "success");
  }
});

test("a failed fit closes the writers and ends the hparams session as a failure", async () => {
  const dir = tempDir();
  const cb = new TensorBoard({ logDir: dir, hparams: { units: 3 }, flushMillis: 60_000 });
  cb.setModel(tinyModel());
  cb.setParams(params);
  await cb.onTrainBegin({});
  await cb.onEpochBegin(0, {});
  await cb.onTrainBatchBegin(0, {});
  await cb.onTrainFailure(new Error("boom"));
  const end = readRuns(dir, { tags: ["_hparams_/session_end_info"] })[0];
  assert.equal(end.kind === "hparams" && end.value.sessionEnd?.status, "failure");
  // the graph written at train begin reached the disk although flushMillis is long: close flushed it
  assert.equal(readRuns(dir, { tags: ["keras"] }).length, 1);
});

test("bad options name the argument and the allowed values", () => {
  assert.throws(() => new TensorBoard({ updateFreq: "epochs" as "epoch" }), /updateFreq must be "epoch", "batch" or a whole number/);
  assert.throws(() => new TensorBoard({ updateFreq: 0 }), /updateFreq/);
  assert.throws(() => new TensorBoard({ histogramFreq: -1 }), /histogramFreq must be a whole number >= 0/);
  assert.throws(() => new TensorBoard({ histogramFreq: 1.5 }), /histogramFreq/);
  assert.throws(() => new TensorBoard({ logDir: "" }), /logDir must be a non-empty folder path/);
  assert.throws(() => new TensorBoard({ writeGraph: "yes" as unknown as boolean }), /writeGraph must be true or false/);
  assert.throws(() => new TensorBoard({ log_dir: "x" } as unknown as object), /unknown option "log_dir"; the options are logDir/);
  assert.throws(() => new TensorBoard({ hparams: { lr: [1] as unknown as number } }), /hparams.lr must be a number, string or boolean/);
});

test("a functional model's graph keeps its edges: Keras-3 dict inbound_nodes with keras_history", async () => {
  const dir = tempDir();
  const a = tf.input({ shape: [4], name: "a" });
  const b = tf.input({ shape: [3], name: "b" });
  const c = tf.layers.concatenate({ name: "cat" }).apply([a, b]) as tf.SymbolicTensor;
  const o = tf.layers.dense({ units: 2, name: "out" }).apply(c) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [a, b], outputs: o, name: "func" });
  const cb = new TensorBoard({ logDir: dir });
  cb.setModel(model);
  cb.setParams(params);
  await cb.onTrainBegin({});
  await cb.onTrainEnd({});
  const json = JSON.parse(readRuns(dir, { tags: ["keras"] })[0].value as string);
  assert.equal(json.class_name, "Functional");
  const out = json.config.layers.find((l: { name: string }) => l.name === "out");
  assert.deepEqual(out.inbound_nodes[0].args[0].config.keras_history, ["cat", 0, 0]);
  assert.equal(out.inbound_nodes[0].args[0].class_name, "__keras_tensor__");
});

test("functional models' histogram tags have no model prefix (Keras 3 builds their layers outside the model scope)", async () => {
  const dir = tempDir();
  const input = tf.input({ shape: [4], name: "x" });
  const out = tf.layers.dense({ units: 2, name: "head" }).apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out, name: "func" });
  model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
  const cb = new TensorBoard({ logDir: dir, histogramFreq: 1, writeGraph: false });
  cb.setModel(model);
  cb.setParams(params);
  await cb.onTrainBegin({});
  await cb.onEpochBegin(0, {});
  await cb.onEpochEnd(0, { loss: 1 });
  await cb.onTrainEnd({});
  assert.deepEqual(readRuns(dir, { kinds: ["histogram"] }).map((r) => r.tag).sort(), ["head/bias/histogram", "head/kernel/histogram"]);
});

test("epoch logging without steps per second runs no per-batch hook; batch logging and steps per second keep theirs", async () => {
  const { Callback } = await import("../../src/fit/callback.js");
  const { CallbackList } = await import("../../src/fit/callback-list.js");
  const dir = tempDir();
  const hooks = (tb: TensorBoard) => [tb.onTrainBatchBegin !== Callback.prototype.onTrainBatchBegin, tb.onTrainBatchEnd !== Callback.prototype.onTrainBatchEnd];
  assert.deepEqual(hooks(new TensorBoard({ logDir: dir })), [false, false]);
  assert.deepEqual(hooks(new TensorBoard({ logDir: dir, histogramFreq: 1 })), [false, false]);
  assert.deepEqual(hooks(new TensorBoard({ logDir: dir, writeStepsPerSecond: true })), [true, false]);
  assert.deepEqual(hooks(new TensorBoard({ logDir: dir, updateFreq: 2 })), [true, true]);
  assert.equal(new CallbackList([new TensorBoard({ logDir: dir })]).listensToTrainBatchEnd, false);
  // Still a whole fit's worth of epoch scalars and steps per second where asked.
  const model = tinyModel();
  const x = tf.randomNormal([12, 4], 0, 1, "float32", 3);
  const y = tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], "int32");
  await fit(model, x, y, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [new TensorBoard({ logDir: join(dir, "a"), writeStepsPerSecond: true })] });
  const train = readRuns(join(dir, "a")).filter((r: SummaryRecord) => r.run === "train");
  assert.deepEqual(train.filter((r) => r.tag === "epoch_loss").map((r) => r.step), [0, 1]);
  assert.equal(train.filter((r) => r.tag === "epoch_steps_per_second" && (r.value as number) > 0).length, 2);
});
