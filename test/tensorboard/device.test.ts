// On-device histograms and weight images against the plain-JS reference.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { deviceHistograms } from "../../src/tensorboard/device-histogram.js";
import { histogramBuckets } from "../../src/tensorboard/histogram.js";
import { weightImages } from "../../src/tensorboard/weight-images.js";
import { inflateSync } from "node:zlib";

before(async () => {
  await tf.setBackend("cpu");
});

test("device histograms equal the JS reference (values away from bucket edges)", async () => {
  // Multiples of 1/8 over [0, 1) with 4 buckets: every value sits inside a bucket or exactly on an edge that both
  // float32 and float64 compute exactly.
  const values = Array.from({ length: 64 }, (_, i) => (i % 9) / 8);
  const t = tf.tensor2d(values, [8, 8]);
  const [got] = await deviceHistograms([t], 4);
  assert.deepEqual(got, histogramBuckets(values, 4));
  t.dispose();
});

test("device histograms of random weights: counts sum to the size and match JS within boundary rounding", async () => {
  const t = tf.randomNormal([50, 40], 0, 1, "float32", 7);
  const [got] = await deviceHistograms([t]);
  const ref = histogramBuckets(await t.data());
  assert.equal(got.reduce((s, b) => s + b.count, 0), 2000);
  const diff = got.reduce((s, b, i) => s + Math.abs(b.count - ref[i].count), 0);
  assert.ok(diff <= 4, `counts differ by ${diff}`);
  assert.ok(Math.abs(got[0].left - ref[0].left) < 1e-6);
  t.dispose();
});

test("device histograms: constant, empty and non-finite tensors, several at once, no tensor leak", async () => {
  const constant = tf.fill([3, 3], 0.5);
  const empty = tf.zeros([0]);
  const bad = tf.tensor1d([1, NaN, 3]);
  const before = tf.memory().numTensors;
  const [c, e, b] = await deviceHistograms([constant, empty, bad], 3);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(c, [
    { left: 0.5, right: 0.5, count: 0 },
    { left: 0.5, right: 0.5, count: 0 },
    { left: 0.5, right: 0.5, count: 9 },
  ]);
  assert.deepEqual(e.map((x) => x.count), [0, 0, 0]);
  assert.deepEqual(b, histogramBuckets([1, NaN, 3], 3));
  tf.dispose([constant, empty, bad]);
});

test("weight images: bias strip, kernel with the long side horizontal, conv kernels per output channel (max 3)", async () => {
  const decodeGray = (png: Uint8Array, w: number, h: number) => {
    const view = new DataView(png.buffer, png.byteOffset);
    const raw = inflateSync(png.subarray(41, 41 + view.getUint32(33)));
    return Array.from({ length: h }, (_, y) => [...raw.subarray(y * (w + 1) + 1, (y + 1) * (w + 1))]);
  };
  const bias = (await weightImages(tf.tensor1d([0, 1, 2])))!;
  assert.deepEqual(bias.map((i) => [i.width, i.height]), [[3, 1]]);
  assert.deepEqual(decodeGray(bias[0].data, 3, 1), [[0, 128, 255]]);
  const tall = (await weightImages(tf.tensor2d([[0], [1], [2], [3]].map((r) => [r[0], r[0]]), [4, 2])))!;
  assert.deepEqual(tall.map((i) => [i.width, i.height]), [[4, 2]]);
  const conv = (await weightImages(tf.zeros([3, 3, 2, 5])))!;
  assert.equal(conv, undefined, "rank 4 after squeeze: Keras draws none");
  const conv1 = (await weightImages(tf.randomNormal([3, 3, 1, 5])))!;
  assert.deepEqual(conv1.map((i) => [i.width, i.height]), [[3, 3], [3, 3], [3, 3]]);
});
