// Compile settings through .keras: per-output losses, loss weights and metrics of multi-output models; from_logits
// cross-entropies; AdamW with its state.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { useBestBackend } from "../../src/backend.js";
import { AdamW } from "../../src/optimizers/adamw.js";
import { loadKeras, readKerasArchive, saveKeras } from "../../src/io/keras/index.js";

let dir: string;
const quiet = { onWarning: () => {} };
const L = tf.layers;

before(async () => {
  await useBestBackend({ quiet: true });
  dir = mkdtempSync(path.join(os.tmpdir(), "tslab-fit-compile-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function patchConfig(file: string, out: string, edit: (config: any) => void): string {
  const members = unzipSync(new Uint8Array(readFileSync(file)));
  const config = JSON.parse(strFromU8(members["config.json"]));
  edit(config);
  members["config.json"] = strToU8(JSON.stringify(config));
  writeFileSync(out, zipSync(members));
  return out;
}

function twoOutputs(): tf.LayersModel {
  const x = tf.input({ shape: [4] });
  const h = L.dense({ units: 6, activation: "tanh" }).apply(x) as tf.SymbolicTensor;
  const a = L.dense({ units: 2, name: "out_a" }).apply(h) as tf.SymbolicTensor;
  const b = L.dense({ units: 1, activation: "sigmoid", name: "out_b" }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: [a, b] });
}

const data = () => ({
  x: tf.randomNormal([16, 4], 0, 1, "float32", 3),
  ya: tf.randomNormal([16, 2], 0, 1, "float32", 4),
  yb: tf.randomUniform([16, 1], 0, 1, "float32", 5).round(),
});

async function scalar(t: tf.Scalar | tf.Scalar[], i = 0): Promise<number> {
  return (await [t].flat()[i].data())[0];
}

describe("multi-output compile settings", () => {
  it("per-output losses, loss weights and per-output metrics load as Keras compiles them, and are written back", async () => {
    const m = twoOutputs();
    m.compile({ optimizer: tf.train.adam(0.01), loss: { out_a: "meanSquaredError", out_b: "binaryCrossentropy" }, metrics: { out_a: ["mae"], out_b: ["accuracy"] } });
    const saved = path.join(dir, "two.keras");
    await saveKeras(m, saved, quiet);
    const written = (await readKerasArchive(saved)).config.compile_config as any;
    assert.deepEqual(written.loss, { out_a: "mean_squared_error", out_b: "binary_crossentropy" });
    assert.deepEqual(written.metrics, { out_a: ["mean_absolute_error"], out_b: ["accuracy"] });
    // What Keras writes for compile(loss={...}, loss_weights={...}, metrics={...}).
    const file = patchConfig(saved, path.join(dir, "two-weighted.keras"), (c) => {
      c.compile_config.loss_weights = { out_a: 1.0, out_b: 0.5 };
    });
    const back = await loadKeras(file, quiet);
    const { x, ya, yb } = data();
    const [pa, pb] = back.predict(x) as tf.Tensor[];
    // trainOnBatch reports the losses before its update (tfjs's evaluate repeats the first output's loss in front of
    // the list for multi-output models, so it is not used here).
    const [total, lossA, lossB] = (await back.trainOnBatch(x, [ya, yb])) as number[];
    const mse = tf.losses.meanSquaredError(ya, pa).dataSync()[0];
    const bce = tf.metrics.binaryCrossentropy(yb, pb).mean().dataSync()[0];
    assert.ok(Math.abs(lossA - mse) < 1e-5, `out_a loss ${lossA} vs ${mse}`);
    assert.ok(Math.abs(lossB - 0.5 * bce) < 1e-5, `out_b loss carries its weight: ${lossB} vs ${0.5 * bce}`);
    assert.ok(Math.abs(total - (mse + 0.5 * bce)) < 1e-5, `total ${total} = mse + 0.5·bce`);
    assert.deepEqual(back.metricsNames, ["loss", "out_a_loss", "out_b_loss", "out_a_mae", "out_b_acc"]);
    // And back to Keras: the weights survive as loss_weights, the metrics stay per output.
    const again = path.join(dir, "two-again.keras");
    await saveKeras(back, again, quiet);
    const cc = (await readKerasArchive(again)).config.compile_config as any;
    assert.deepEqual(cc.loss, ["mean_squared_error", "binary_crossentropy"]);
    assert.deepEqual(cc.loss_weights, [1, 0.5]);
    assert.deepEqual(cc.metrics, { out_a: ["mean_absolute_error"], out_b: ["accuracy"] });
  });

  it("Keras's list forms: a loss list, loss-weight list and per-output metric lists", async () => {
    const m = twoOutputs();
    m.compile({ optimizer: "sgd", loss: ["meanSquaredError", "binaryCrossentropy"] });
    const saved = path.join(dir, "lists.keras");
    await saveKeras(m, saved, quiet);
    const file = patchConfig(saved, path.join(dir, "lists2.keras"), (c) => {
      c.compile_config.loss_weights = [2.0, 1.0];
      c.compile_config.metrics = [["mae"], ["accuracy", "binary_accuracy"]];
    });
    const back = await loadKeras(file, quiet);
    const { x, ya, yb } = data();
    const mse = tf.losses.meanSquaredError(ya, (back.predict(x) as tf.Tensor[])[0]).dataSync()[0];
    const [, lossA] = (await back.trainOnBatch(x, [ya, yb])) as number[];
    assert.ok(Math.abs(lossA - 2 * mse) < 1e-5);
    assert.ok(back.metricsNames.includes("out_b_binaryAccuracy"), back.metricsNames.join());
  });

  it("a loss dict naming an output the model lacks leaves the model uncompiled with a message naming it", async () => {
    const m = twoOutputs();
    m.compile({ optimizer: "sgd", loss: ["meanSquaredError", "binaryCrossentropy"] });
    const saved = path.join(dir, "bad-dict.keras");
    await saveKeras(m, saved, quiet);
    const file = patchConfig(saved, path.join(dir, "bad-dict2.keras"), (c) => {
      c.compile_config.loss = { out_a: "mse", nope: "mse" };
    });
    const notes: string[] = [];
    const back = await loadKeras(file, { onWarning: (n) => notes.push(n) });
    assert.equal((back as any).optimizer, undefined);
    assert.ok(notes.some((n) => /loss names output "nope".*out_a, out_b/.test(n)), notes.join("\n"));
  });
});

describe("from_logits cross-entropies", () => {
  const CASES = [
    { cls: "BinaryCrossentropy", units: 3, labels: () => tf.randomUniform([8, 3], 0, 1, "float32", 9).round(), probs: (z: tf.Tensor) => tf.sigmoid(z), ref: (y: tf.Tensor, p: tf.Tensor) => tf.metrics.binaryCrossentropy(y, p) },
    { cls: "CategoricalCrossentropy", units: 4, labels: () => tf.oneHot(tf.tensor1d([0, 1, 2, 3, 3, 2, 1, 0], "int32"), 4).toFloat(), probs: (z: tf.Tensor) => tf.softmax(z), ref: (y: tf.Tensor, p: tf.Tensor) => tf.metrics.categoricalCrossentropy(y, p) },
  ];
  for (const c of CASES) {
    it(`${c.cls}(from_logits=True) compiles to the same loss as softmax/sigmoid probabilities, stays finite on large logits, and is written back`, async () => {
      const m = tf.sequential({ layers: [L.dense({ units: c.units, inputShape: [5] })] });
      m.compile({ optimizer: "sgd", loss: "meanSquaredError" });
      const saved = path.join(dir, `${c.cls}.keras`);
      await saveKeras(m, saved, quiet);
      const file = patchConfig(saved, path.join(dir, `${c.cls}-logits.keras`), (cfg) => {
        cfg.compile_config.loss = { module: "keras.losses", class_name: c.cls, config: { name: "x", reduction: "sum_over_batch_size", from_logits: true }, registered_name: null };
      });
      const back = await loadKeras(file, quiet);
      const x = tf.randomNormal([8, 5], 0, 1, "float32", 2);
      const y = c.labels();
      const loss = await scalar(back.evaluate(x, y) as tf.Scalar);
      const expected = c.ref(y, c.probs(back.predict(x) as tf.Tensor)).mean().dataSync()[0];
      assert.ok(Math.abs(loss - expected) < 1e-5 * (1 + expected), `${loss} vs ${expected}`);
      // Logits far outside float32's sigmoid/softmax range: the probability form saturates, this one does not.
      back.setWeights(back.getWeights().map((w) => w.mul(400)));
      const big = await scalar(back.evaluate(x, y) as tf.Scalar);
      assert.ok(Number.isFinite(big) && big > 0, `finite loss on large logits: ${big}`);
      const again = path.join(dir, `${c.cls}-again.keras`);
      await saveKeras(back, again, quiet);
      const cc = (await readKerasArchive(again)).config.compile_config as any;
      assert.equal(cc.loss.class_name, c.cls);
      assert.equal(cc.loss.config.from_logits, true);
    });
  }

  it("SparseCategoricalCrossentropy(from_logits=True) leaves the model uncompiled, saying why and what to do", async () => {
    const m = tf.sequential({ layers: [L.dense({ units: 3, inputShape: [5] })] });
    m.compile({ optimizer: "sgd", loss: "meanSquaredError" });
    const saved = path.join(dir, "sparse.keras");
    await saveKeras(m, saved, quiet);
    const file = patchConfig(saved, path.join(dir, "sparse-logits.keras"), (cfg) => {
      cfg.compile_config.loss = { module: "keras.losses", class_name: "SparseCategoricalCrossentropy", config: { name: "x", from_logits: true }, registered_name: null };
    });
    const notes: string[] = [];
    const back = await loadKeras(file, { onWarning: (n) => notes.push(n) });
    assert.equal((back as any).optimizer, undefined);
    assert.ok(notes.some((n) => /SparseCategoricalCrossentropy\(from_logits=True\).*integer targets.*softmax/.test(n)), notes.join("\n"));
  });
});

describe("AdamW", () => {
  it("one step is Keras's: decay the variables by lr·wd, then an Adam step", async () => {
    const w0 = tf.tensor1d([0.5, -1.5, 2]);
    const v1 = tf.variable(w0.clone(), true, "adamw_check_a");
    const v2 = tf.variable(w0.mul(1 - 0.1 * 0.2), true, "adamw_check_b");
    const g = tf.tensor1d([0.3, -0.2, 0.1]);
    new AdamW(0.1, 0.9, 0.999, 1e-7, 0.2).applyGradients({ adamw_check_a: g });
    tf.train.adam(0.1, 0.9, 0.999, 1e-7).applyGradients({ adamw_check_b: g });
    const a = await v1.data();
    const b = await v2.data();
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-6, `${a[i]} vs ${b[i]}`);
    assert.throws(() => new AdamW(0.001, 0.9, 0.999, 1e-7, -1), /weightDecay must be a finite number ≥ 0/);
  });

  it("saved as Keras's AdamW with its moments; reloaded training continues identically", async () => {
    const build = () => {
      const m = tf.sequential({ layers: [L.dense({ units: 4, inputShape: [3], activation: "tanh" }), L.dense({ units: 1 })] });
      m.compile({ optimizer: new AdamW(0.01, 0.9, 0.999, 1e-7, 0.05), loss: "meanSquaredError" });
      return m;
    };
    const m = build();
    const x = tf.randomNormal([16, 3], 0, 1, "float32", 5);
    const y = x.sum(1, true);
    await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    const file = path.join(dir, "adamw.keras");
    await saveKeras(m, file, quiet);
    const archive = await readKerasArchive(file);
    const opt = (archive.config.compile_config as any).optimizer;
    assert.equal(opt.class_name, "AdamW");
    assert.equal(opt.config.weight_decay, 0.05);
    assert.equal(archive.weights.groups.get("optimizer/vars")?.name, "adamw");
    assert.equal(archive.weights.datasets.size - 4 /* layer vars */ - 2, 2 * 4, "m and v for each of the 4 variables");
    const back = await loadKeras(file, quiet);
    assert.ok(back.optimizer instanceof AdamW);
    assert.equal((back.optimizer as AdamW).weightDecay, 0.05);
    await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, shuffle: false });
    await back.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, shuffle: false });
    const a = await (m.predict(x) as tf.Tensor).data();
    const b = await (back.predict(x) as tf.Tensor).data();
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-5, `${a[i]} vs ${b[i]}`);
  });

  it("Keras's Adam(weight_decay=…) loads as AdamW; other optimizers' weight_decay is refused by name", async () => {
    const m = tf.sequential({ layers: [L.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError" });
    const saved = path.join(dir, "adam-wd.keras");
    await saveKeras(m, saved, quiet);
    const adamWd = patchConfig(saved, path.join(dir, "adam-wd2.keras"), (c) => {
      c.compile_config.optimizer.config.weight_decay = 0.01;
    });
    assert.equal(((await loadKeras(adamWd, quiet)).optimizer as AdamW).weightDecay, 0.01);
    const sgdWd = patchConfig(saved, path.join(dir, "sgd-wd.keras"), (c) => {
      c.compile_config.optimizer = { module: "keras.optimizers", class_name: "SGD", config: { learning_rate: 0.01, weight_decay: 0.01 }, registered_name: null };
    });
    const notes: string[] = [];
    await loadKeras(sgdWd, { onWarning: (n) => notes.push(n) });
    assert.ok(notes.some((n) => /weight_decay are not available/.test(n)), notes.join("\n"));
  });
});
