// Issue 9 item 4: Keras's Normalization layer in TypeScript (adapt, fixed statistics, invert), saved to and loaded
// from .keras in both directions.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { useBestBackend } from "../../src/backend.js";
import { fit } from "../../src/fit/fit.js";
import { kerasArchiveBytes, loadKeras, readKerasArchive, saveKeras } from "../../src/io/keras/index.js";
import { readZip } from "../../src/io/keras/zip.js";
import { Normalization, normalization } from "../../src/layers/index.js";

const DIR = path.resolve(__dirname, "../../../shared/fixtures/keras/k3-reference");
const noFixtures = existsSync(DIR) ? false : `reference folder ${DIR} is absent (../shared is not checked out)`;
const quiet = { onWarning: () => {} };
let dir: string;

before(async () => {
  await useBestBackend({ quiet: true });
  dir = mkdtempSync(path.join(os.tmpdir(), "tslab-fit-norm-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Seeded rows of 3 features with different scales and offsets. */
function sampleRows(n: number): number[][] {
  let s = 7;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: n }, () => [10 + 5 * rnd(), -3 + rnd(), 1000 * rnd()]);
}

/** Per-column mean and population variance, in float64. */
function columnStats(rows: number[][]): { mean: number[]; variance: number[] } {
  const mean = rows[0].map((_, j) => rows.reduce((a, r) => a + r[j], 0) / rows.length);
  const variance = rows[0].map((_, j) => rows.reduce((a, r) => a + (r[j] - mean[j]) ** 2, 0) / rows.length);
  return { mean, variance };
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

describe("Normalization", () => {
  it("adapt(tensor) learns each feature's mean and variance, and the layer standardizes with them", async () => {
    const rows = sampleRows(50);
    const { mean, variance } = columnStats(rows);
    const layer = normalization({ inputShape: [3] });
    const model = tf.sequential({ layers: [layer] });
    await layer.adapt(tf.tensor2d(rows));
    const [m, v, count] = layer.getWeights();
    close(await m.data(), mean, 1e-5, "mean");
    close(await v.data(), variance, 1e-4, "variance");
    assert.equal(count.dtype, "int32");
    const y = await (model.predict(tf.tensor2d(rows.slice(0, 4))) as tf.Tensor).data();
    const expected = rows.slice(0, 4).flatMap((r) => r.map((x, j) => (x - mean[j]) / Math.sqrt(variance[j])));
    close(y, expected, 1e-4, "standardized");
  });

  it("adapt over batches (a list, or a tf.data dataset) equals adapt over the whole data", async () => {
    const rows = sampleRows(70);
    const whole = normalization();
    await whole.adapt(tf.tensor2d(rows));
    const listed = normalization();
    await listed.adapt([tf.tensor2d(rows.slice(0, 32)), tf.tensor2d(rows.slice(32, 64)), tf.tensor2d(rows.slice(64))]);
    const fromDataset = normalization();
    await fromDataset.adapt(tf.data.array(rows).batch(16).map((b) => ({ xs: b as tf.Tensor, ys: tf.zeros([1]) })));
    const fromArray = normalization();
    await fromArray.adapt(rows);
    for (const [label, l] of [["list", listed], ["dataset", fromDataset], ["array", fromArray]] as const) {
      close(await l.getWeights()[0].data(), await whole.getWeights()[0].data(), 1e-5, `${label} mean`);
      close(await l.getWeights()[1].data(), await whole.getWeights()[1].data(), 1e-4, `${label} variance`);
    }
  });

  it("axis: per-channel statistics of images, or one scalar mean with axis null", async () => {
    const images = tf.randomNormal([4, 5, 5, 2], 3, 2, "float32", 1);
    const perChannel = normalization({ axis: -1 });
    await perChannel.adapt(images);
    assert.deepEqual(perChannel.getWeights()[0].shape, [2]);
    const overall = normalization({ axis: null });
    await overall.adapt(images);
    assert.deepEqual(overall.getWeights()[0].shape, []);
    const out = overall.apply(images) as tf.Tensor;
    close([(await tf.moments(out).mean.data())[0]], [0], 1e-5, "mean after");
    close([(await tf.moments(out).variance.data())[0]], [1], 1e-4, "variance after");
  });

  it("fixed mean and variance, and invert undoes the normalization", async () => {
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const norm = normalization({ mean: [1, 2, 3], variance: [4, 9, 16], inputShape: [3] });
    const inv = normalization({ mean: [1, 2, 3], variance: [4, 9, 16], invert: true });
    const m = tf.sequential({ layers: [norm, inv] });
    assert.equal(norm.getWeights().length, 0, "given statistics are constants, not weights");
    close(await (norm.apply(x) as tf.Tensor).data(), [0, 0, 0, 1.5, 1, 0.75], 1e-6, "normalized");
    close(await (m.predict(x) as tf.Tensor).data(), await x.data(), 1e-6, "round trip");
    const scalar = normalization({ mean: 2, variance: 4 });
    close(await (scalar.apply(x) as tf.Tensor).data(), [-0.5, 0, 0.5, 1, 1.5, 2], 1e-6, "scalar");
  });

  it("refuses bad settings and data with clear messages", async () => {
    assert.throws(() => normalization({ mean: [1] }), /both mean and variance/);
    assert.throws(() => normalization({ mean: [1, 2], variance: [1] }), /mean has shape \[2\] but variance has shape \[1\]/);
    assert.throws(() => normalization({ axis: 1.5 }), /axis must be an integer/);
    await assert.rejects(normalization({ mean: 0, variance: 1 }).adapt(tf.ones([2, 2])), /cannot be adapted/);
    assert.throws(() => tf.sequential({ layers: [normalization({ mean: [1, 2], variance: [1, 1], inputShape: [3] })] }), /shape \[2\] do not fit the kept axes \[1\] of sizes \[3\]/);
    const l = normalization({ inputShape: [3] });
    tf.sequential({ layers: [l] });
    await assert.rejects(l.adapt(tf.ones([4, 2])), /shape \[4,2\] does not fit/);
  });

  it("an adapted model trains with fit, its statistics untouched, and round-trips through .keras", async () => {
    const rows = sampleRows(64);
    const norm = normalization({ inputShape: [3] });
    const m = tf.sequential({ layers: [norm, tf.layers.dense({ units: 4, activation: "relu" }), tf.layers.dense({ units: 1 })] });
    await norm.adapt(tf.tensor2d(rows));
    const statsBefore = await norm.getWeights()[0].data();
    m.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError" });
    const x = tf.tensor2d(rows);
    const y = tf.tensor2d(rows.map((r) => [r[0] / 10 - r[1]]));
    await fit(m, x, y, { epochs: 3, batchSize: 16, verbose: 0 });
    close(await norm.getWeights()[0].data(), statsBefore, 0, "mean after fit");

    const file = path.join(dir, "norm.keras");
    await saveKeras(m, file, quiet);
    const archive = await readKerasArchive(file);
    const entry = (archive.config.config as any).layers[1];
    assert.equal(entry.class_name, "Normalization");
    assert.deepEqual(entry.config.axis, [-1]);
    assert.equal(entry.config.invert, false);
    assert.equal(entry.config.mean, null);
    assert.deepEqual([0, 1, 2].map((i) => archive.weights.datasets.get(`layers/normalization/vars/${i}`)!.dtype), ["<f4", "<f4", "<i8"]);
    const back = await loadKeras(file, quiet);
    assert.ok(back.layers[0] instanceof Normalization);
    close(await (back.predict(x) as tf.Tensor).data(), await (m.predict(x) as tf.Tensor).data(), 1e-6, "reloaded predictions");
  });

  it("fixed statistics are written in the config as float lists, with no variables", async () => {
    const m = tf.sequential({ layers: [normalization({ mean: [1, 2], variance: [1, 4], inputShape: [2] }), tf.layers.dense({ units: 1 })] });
    const text = new TextDecoder().decode(readZip(await kerasArchiveBytes(m, quiet)).get("config.json")!);
    assert.ok(text.includes('"mean": [1.0, 2.0], "variance": [1.0, 4.0]'), text.slice(text.indexOf("Normalization"), text.indexOf("Normalization") + 300));
    const file = path.join(dir, "fixed.keras");
    await saveKeras(m, file, quiet);
    assert.equal([...(await readKerasArchive(file)).weights.datasets.keys()].filter((k) => k.includes("normalization")).length, 0);
    const back = await loadKeras(file, quiet);
    const x = tf.tensor2d([[3, 6]]);
    close(await (back.predict(x) as tf.Tensor).data(), await (m.predict(x) as tf.Tensor).data(), 1e-6, "fixed reloaded");
  });

  it("Keras's adapted Normalization file loads its mean, variance and count", { skip: noFixtures }, async () => {
    const file = path.join(DIR, "normalization_mlp.keras");
    const model = await loadKeras(file, quiet);
    const layer = model.layers[0] as Normalization;
    assert.ok(layer instanceof Normalization);
    const archive = await readKerasArchive(file);
    const [mean, variance, count] = layer.getWeights();
    close(await mean.data(), archive.weights.datasets.get("layers/normalization/vars/0")!.data as Float32Array, 0, "mean");
    close(await variance.data(), archive.weights.datasets.get("layers/normalization/vars/1")!.data as Float32Array, 0, "variance");
    assert.equal(count.dtype, "int32");
    assert.ok(Math.max(...(await variance.data())) !== 1, "the adapted variance, not the initial ones");
  });
});
