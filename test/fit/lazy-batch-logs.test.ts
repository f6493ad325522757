import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { Callback, fit, type Logs } from "../../src/index.js";
import { DeviceMean } from "../../src/fit/device-mean.js";
import { toyData, tinyModel, useCpu } from "../helpers.js";

before(useCpu);

/** Counts reads of scalar values (a loss or metric) back from the backend while `work` runs. */
async function countReads(work: () => Promise<unknown>): Promise<number> {
  const proto = tf.Tensor.prototype as unknown as Record<string, (this: tf.Tensor, ...a: unknown[]) => unknown>;
  const { data, dataSync } = proto;
  let n = 0;
  proto.data = function (...a) { if (this.size <= 4) n++; return data.apply(this, a); };
  proto.dataSync = function (...a) { if (this.size <= 4) n++; return dataSync.apply(this, a); };
  try {
    await work();
  } finally {
    proto.data = data;
    proto.dataSync = dataSync;
  }
  return n;
}

test("DeviceMean: sample-weighted running means, read lazily, each batch's logs fixed at that batch", async () => {
  const before = tf.memory().numTensors;
  const mean = new DeviceMean(["loss", "acc"]);
  const batches: [number, number, number][] = [[1.5, 0.25, 10], [0.5, 0.75, 10], [2.0, 1.0, 5]];
  const views: Logs[] = [];
  for (const [l, a, n] of batches) {
    mean.add([tf.scalar(l), tf.scalar(a)], n);
    views.push(mean.batchLogs());
  }
  const first = views[0].loss; // read after two more batches: still batch 0's mean
  const epoch = await mean.epochLogs();
  assert.equal(first, 1.5);
  assert.ok(Math.abs(views[1].loss - 1.0) < 1e-6);
  assert.ok(Math.abs(views[1].acc - 0.5) < 1e-6);
  const loss = (1.5 * 10 + 0.5 * 10 + 2.0 * 5) / 25;
  assert.ok(Math.abs(epoch.loss - loss) < 1e-6, `${epoch.loss} vs ${loss}`);
  assert.equal(views[2].loss, epoch.loss, "the last batch's logs equal the epoch logs");
  assert.deepEqual(Object.keys(views[2]), ["loss", "acc"]);
  views[2].loss = 7; // writable like a plain object
  assert.equal(views[2].loss, 7);
  assert.equal(tf.memory().numTensors, before, "no tensor left behind");
});

test("fit reads no batch values when no callback looks at batch logs", async () => {
  const { x, y } = toyData(96);
  const model = tinyModel();
  await fit(model, x, y, { epochs: 1, batchSize: 8, verbose: 0 }); // warm-up
  const silent = await countReads(() => fit(model, x, y, { epochs: 2, batchSize: 8, verbose: 0 }));
  // 12 batches × 2 epochs × (loss + metric) would be 48 reads if every batch were read.
  assert.ok(silent <= 4, `${silent} reads for 24 batches`);
  let seen = 0;
  const reader = new (class extends Callback {
    override onTrainBatchEnd(_b: number, logs: Logs) {
      seen += logs.loss > 0 ? 1 : 0;
    }
  })();
  const watched = await countReads(() => fit(model, x, y, { epochs: 2, batchSize: 8, verbose: 0, callbacks: [reader] }));
  assert.equal(seen, 24, "a callback that reads batch logs gets every batch's values");
  assert.ok(watched >= 24, `${watched} reads`);
  x.dispose();
  y.dispose();
});

test("batch logs a callback keeps and reads later show that batch's running mean", async () => {
  const { x, y } = toyData(40);
  const kept: Logs[] = [];
  const eager: number[] = [];
  const keeper = new (class extends Callback {
    override onTrainBatchEnd(b: number, logs: Logs) {
      kept.push(logs);
      if (b % 2 === 0) eager.push(logs.loss);
    }
  })();
  const model = tinyModel();
  await fit(model, x, y, { epochs: 1, batchSize: 10, verbose: 0 }); // creates the optimizer's state
  const tensors = tf.memory().numTensors;
  const history = await fit(model, x, y, { epochs: 1, batchSize: 10, verbose: 0, shuffle: false, callbacks: [keeper] });
  assert.equal(kept.length, 4);
  assert.deepEqual([kept[0].loss, kept[2].loss], eager);
  assert.equal(kept[3].loss, history.history.loss[0]);
  assert.notEqual(kept[1].loss, kept[3].loss);
  assert.equal(tf.memory().numTensors, tensors, "the fit's batch sums are freed");
  x.dispose();
  y.dispose();
});

test("LivePlot without batches, ModelCheckpoint per epoch and TensorBoard per epoch do not make fit read batch values", async () => {
  const { LivePlot, ModelCheckpoint, TensorBoard } = await import("../../src/index.js");
  const { tempDir } = await import("../helpers.js");
  const { join } = await import("node:path");
  const { x, y } = toyData(96);
  const model = tinyModel();
  const dir = tempDir();
  const callbacks = () => [
    new LivePlot({ path: join(dir, "c.json") }),
    new ModelCheckpoint({ filepath: join(dir, "m.keras") }),
    new TensorBoard({ logDir: join(dir, "logs") }),
  ];
  await fit(model, x, y, { epochs: 1, batchSize: 8, verbose: 0, callbacks: callbacks() });
  const reads = await countReads(() => fit(model, x, y, { epochs: 2, batchSize: 8, verbose: 0, callbacks: callbacks() }));
  // Reading every batch would be 48 (loss + metric × 24 batches); what remains are a few per epoch (epoch logs, the
  // optimizer's step count and learning rate for the checkpoint and TensorBoard).
  assert.ok(reads <= 12, `${reads} scalar reads for 24 batches`);
  x.dispose();
  y.dispose();
});
