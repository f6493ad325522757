// Issue 9 item 3: Keras's default GRU (reset_after=True) as a tfjs layer: numerically Keras's formula, trainable
// with fit, saved as Keras's GRU(reset_after=True) and loaded back, and Keras-written files load.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { useBestBackend } from "../../src/backend.js";
import { fit } from "../../src/fit/fit.js";
import { loadKeras, readKerasArchive, saveKeras } from "../../src/io/keras/index.js";
import { GRUResetAfter, gruResetAfter } from "../../src/layers/index.js";
import type { H5Tree } from "../../src/io/keras/h5.js";
import { readNpy } from "./npy.js";
import { dense, embed, gru, sigmoid, type Matrix } from "./reference-rnn.js";

const DIR = path.resolve(__dirname, "../../../shared/fixtures/keras/k3-reference");
const noFixtures = existsSync(DIR) ? false : `reference folder ${DIR} is absent (../shared is not checked out)`;
const quiet = { onWarning: () => {} };
let dir: string;

before(async () => {
  await useBestBackend({ quiet: true });
  dir = mkdtempSync(path.join(os.tmpdir(), "tslab-fit-gru-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function matrix(data: ArrayLike<number>, shape: number[]): Matrix {
  return { rows: shape[0], cols: shape[1] ?? 1, data };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The reference forward pass of the embedding → GRU → Dense(softmax) fixtures. */
function fixtureReference(tree: H5Tree, ids: Int32Array, steps: number, resetAfter: boolean): number[] {
  const ds = (p: string) => tree.datasets.get(p)!;
  const m = (p: string) => matrix(ds(p).data as Float32Array, ds(p).shape);
  const out: number[] = [];
  for (let b = 0; b < ids.length / steps; b++) {
    const seq = embed(ids.subarray(b * steps, (b + 1) * steps), m("layers/embedding/vars/0"));
    const h = gru(seq, m("layers/gru/cell/vars/0"), m("layers/gru/cell/vars/1"), ds("layers/gru/cell/vars/2").data as Float32Array, resetAfter, sigmoid);
    out.push(...dense(h, m("layers/dense/vars/0"), ds("layers/dense/vars/1").data as Float32Array, "softmax"));
  }
  return out;
}

describe("GRU with reset_after=True", () => {
  for (const [name, resetAfter] of [["embedding_gru", false], ["embedding_gru_reset_after", true]] as const) {
    it(`the plain-JS reference GRU reproduces Keras's predictions for ${name}`, { skip: noFixtures }, async () => {
      const archive = await readKerasArchive(path.join(DIR, `${name}.keras`));
      const ids = readNpy(path.join(DIR, `${name}.input.npy`));
      const keras = readNpy(path.join(DIR, `${name}.pred.npy`));
      const ref = fixtureReference(archive.weights, ids.data as Int32Array, ids.shape[1], resetAfter);
      assert.ok(maxDiff(ref, keras.data) <= 1e-6, `reference vs Keras: ${maxDiff(ref, keras.data)}`);
    });
  }

  it("Keras's default GRU file loads as GRUResetAfter with a (2, 3u) bias and predicts Keras's output", { skip: noFixtures }, async () => {
    const model = await loadKeras(path.join(DIR, "embedding_gru_reset_after.keras"), quiet);
    const layer = model.getLayer("gru");
    assert.ok(layer instanceof GRUResetAfter);
    assert.deepEqual(layer.weights.map((w) => w.shape), [[8, 48], [16, 48], [2, 48]]);
    const ids = readNpy(path.join(DIR, "embedding_gru_reset_after.input.npy"));
    const keras = readNpy(path.join(DIR, "embedding_gru_reset_after.pred.npy"));
    const got = await (model.predict(tf.tensor(ids.data, ids.shape, "int32")) as tf.Tensor).data();
    assert.ok(maxDiff(got, keras.data) <= 1e-5, `tslab-fit vs Keras: ${maxDiff(got, keras.data)}`);
  });

  it("a TypeScript gruResetAfter layer computes Keras's formula on its weights (both bias rows in use)", async () => {
    const layer = gruResetAfter({ units: 5, inputShape: [7, 3], biasInitializer: tf.initializers.randomNormal({ seed: 2 }) });
    const m = tf.sequential({ layers: [layer] });
    const x = tf.randomNormal([4, 7, 3], 0, 1, "float32", 9);
    const got = await (m.predict(x) as tf.Tensor).data();
    const [k, rk, b] = layer.getWeights();
    const xs = (await x.array()) as number[][][];
    const ref = xs.flatMap((seq) => gru(seq, matrix(k.dataSync(), k.shape), matrix(rk.dataSync(), rk.shape), b.dataSync(), true, sigmoid));
    assert.ok(maxDiff(got, ref) <= 1e-5, `gruResetAfter vs reference: ${maxDiff(got, ref)}`);
    // The reset-before formula on the same weights differs: the test can tell the two apart.
    const before = xs.flatMap((seq) => gru(seq, matrix(k.dataSync(), k.shape), matrix(rk.dataSync(), rk.shape), b.dataSync(), false, sigmoid));
    assert.ok(maxDiff(got, before) > 1e-3);
    // The per-gate path taken in training with dropout: masks that drop (almost) nothing give the same output.
    const dropping = gruResetAfter({ units: 5, inputShape: [7, 3], dropout: 1e-7, recurrentDropout: 1e-7 });
    tf.sequential({ layers: [dropping] });
    dropping.setWeights([k, rk, b]);
    const trained = await (dropping.apply(x, { training: true }) as tf.Tensor).data();
    assert.equal((dropping.cell as unknown as { dropoutMask: tf.Tensor[] }).dropoutMask.length, 3, "the per-gate masks were made");
    assert.ok(maxDiff(trained, ref) <= 1e-5, `training path vs reference: ${maxDiff(trained, ref)}`);
  });

  it("trains with fit, saves as Keras's GRU(reset_after=True) with optimizer state, and loads back identical", async () => {
    const m = tf.sequential({
      layers: [gruResetAfter({ units: 6, inputShape: [5, 2], dropout: 0.1, recurrentDropout: 0.1 }), tf.layers.dense({ units: 1 })],
    });
    m.compile({ optimizer: tf.train.adam(0.02), loss: "meanSquaredError" });
    const x = tf.randomUniform([64, 5, 2], -1, 1, "float32", 4);
    const y = x.sum([1, 2]).reshape([64, 1]);
    const history = await fit(m, x, y, { epochs: 8, batchSize: 16, verbose: 0 });
    const losses = history.history.loss as number[];
    assert.ok(losses[losses.length - 1] < 0.7 * losses[0], `loss fell: ${losses.join(", ")}`);

    const file = path.join(dir, "gru.keras");
    await saveKeras(m, file, quiet);
    const archive = await readKerasArchive(file);
    const entry = (archive.config.config as any).layers[1];
    assert.equal(entry.class_name, "GRU");
    assert.equal(entry.config.reset_after, true);
    assert.equal(entry.config.recurrent_activation, "sigmoid");
    assert.equal(entry.config.dropout, 0.1);
    assert.equal(entry.config.implementation, undefined);
    assert.equal(entry.config.resetAfter, undefined);
    assert.deepEqual(archive.weights.datasets.get("layers/gru/cell/vars/2")!.shape, [2, 18]);
    assert.equal(archive.weights.groups.get("layers/gru/cell/vars")!.name, "gru_cell");
    assert.equal([...archive.weights.datasets.keys()].filter((k) => k.startsWith("optimizer/vars/")).length, 2 + 2 * 5);

    const back = await loadKeras(file, quiet);
    assert.ok(back.getLayer(m.layers[0].name) instanceof GRUResetAfter);
    const [a, b] = [await (m.predict(x) as tf.Tensor).data(), await (back.predict(x) as tf.Tensor).data()];
    assert.ok(maxDiff(a, b) <= 1e-6);
    // Adam's moments came back: the same step from both keeps them equal (no dropout in this check).
    for (const model of [m, back]) {
      const cell = (model.layers[0] as unknown as { cell: { dropout: number; recurrentDropout: number } }).cell;
      cell.dropout = 0;
      cell.recurrentDropout = 0;
      model.compile({ optimizer: model.optimizer, loss: "meanSquaredError" });
      await model.trainOnBatch(x, y);
    }
    const [a2, b2] = [await (m.predict(x) as tf.Tensor).data(), await (back.predict(x) as tf.Tensor).data()];
    assert.ok(maxDiff(a2, a) > 1e-5 && maxDiff(a2, b2) <= 1e-5, `after one more step: ${maxDiff(a2, b2)}`);
  });

  it("a reset_after=False GRU file still loads as tfjs's GRU", async () => {
    const m = tf.sequential({ layers: [tf.layers.gru({ units: 3, inputShape: [4, 2], recurrentActivation: "sigmoid" })] });
    const file = path.join(dir, "before.keras");
    await saveKeras(m, file, quiet);
    const back = await loadKeras(file, quiet);
    assert.equal(back.layers[0].getClassName(), "GRU");
    assert.deepEqual(back.layers[0].weights.map((w) => w.shape), [[2, 9], [3, 9], [9]]);
  });
});
