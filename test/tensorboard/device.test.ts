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

/** Width, height, channels and rows of bytes of a PNG written by encodePng (one IDAT, filter 0 on every row). */
function decodePng(png: Uint8Array): { width: number; height: number; channels: number; rows: number[][] } {
  const view = new DataView(png.buffer, png.byteOffset);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const channels = ({ 0: 1, 4: 2, 2: 3, 6: 4 } as Record<number, number>)[png[25]];
  const raw = inflateSync(png.subarray(41, 41 + view.getUint32(33)));
  const stride = width * channels;
  const rows = Array.from({ length: height }, (_, y) => [...raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))]);
  return { width, height, channels, rows };
}

const scaled = (values: number[]) => {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return values.map((v) => Math.round(((v - min) / (max - min)) * 255));
};

test("weight images: a bias of n units is n pixels high and 1 wide (Keras 3)", async () => {
  const bias = (await weightImages(tf.tensor1d([0, 1, 2])))!;
  assert.deepEqual(bias.map((i) => [i.width, i.height]), [[1, 3]]);
  assert.deepEqual(decodePng(bias[0].data), { width: 1, height: 3, channels: 1, rows: [[0], [128], [255]] });
  // a [1, n] weight squeezes to a bias too
  assert.deepEqual((await weightImages(tf.zeros([1, 5])))!.map((i) => [i.width, i.height]), [[1, 5]]);
});

test("weight images: dense kernel with the long side horizontal, rank-3 conv kernels per channel (max 3)", async () => {
  const tall = (await weightImages(tf.tensor2d([[0], [1], [2], [3]].map((r) => [r[0], r[0]]), [4, 2])))!;
  assert.deepEqual(tall.map((i) => [i.width, i.height]), [[4, 2]]);
  assert.deepEqual(decodePng(tall[0].data).rows, [[0, 85, 170, 255], [0, 85, 170, 255]]);
  const conv1 = (await weightImages(tf.randomNormal([3, 3, 1, 5])))!;
  assert.deepEqual(conv1.map((i) => [i.width, i.height]), [[3, 3], [3, 3], [3, 3]]);
  const conv2 = (await weightImages(tf.randomNormal([5, 2, 2])))!;
  assert.deepEqual(conv2.map((i) => [i.width, i.height]), [[2, 5], [2, 5]]);
});

test("weight images: rank-4 kernels with 3 or 4 output channels are RGB / RGBA images, as Keras 3 writes them", async () => {
  // [kh, kw, in, out] = [3, 3, 2, 4]: TF's image summary reads it as 3 images, 3 high, 2 wide, RGBA
  const values = Array.from({ length: 3 * 3 * 2 * 4 }, (_, i) => Math.sin(i * 1.7));
  const rgba = (await weightImages(tf.tensor4d(values, [3, 3, 2, 4])))!;
  assert.deepEqual(rgba.map((i) => [i.width, i.height]), [[2, 3], [2, 3], [2, 3]]);
  const first = decodePng(rgba[0].data);
  assert.equal(first.channels, 4);
  const firstValues = values.slice(0, 3 * 2 * 4);
  assert.deepEqual(first.rows.flat(), scaled(firstValues));
  // [2, 2, 5, 3]: 2 RGB images 2 high, 5 wide
  const rgb = (await weightImages(tf.randomNormal([2, 2, 5, 3])))!;
  assert.deepEqual(rgb.map((i) => [i.width, i.height, decodePng(i.data).channels]), [[5, 2, 3], [5, 2, 3]]);
  // Conv3D [3, 3, 3, 1, 3] squeezes to rank 4 with 3 channels
  assert.equal((await weightImages(tf.randomNormal([3, 3, 3, 1, 3])))!.length, 3);
});

test("weight images: shapes Keras 3 does not draw get none", async () => {
  assert.equal(await weightImages(tf.zeros([3, 3, 2, 5])), undefined, "rank 4, 5 channels");
  assert.equal(await weightImages(tf.zeros([3, 3, 3, 2, 4])), undefined, "rank 5");
  assert.equal(await weightImages(tf.zeros([1])), undefined, "a single number (Dense(1)'s bias)");
  assert.equal(await weightImages(tf.zeros([1, 1])), undefined, "a 1×1 kernel");
});
