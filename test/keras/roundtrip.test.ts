// Models saved with saveKeras / the registered savers and loaded back predict the same; broken files fail clearly.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { zipSync } from "fflate";
import { findSaver } from "../../src/io/saver.js";
import { kerasSavers, loadKeras, loadKerasWeights, readKerasArchive, saveKeras, saveKerasWeights } from "../../src/io/keras/index.js";

let dir: string;
const quiet = { onWarning: () => {} };

before(async () => {
  await tf.setBackend("cpu");
  dir = mkdtempSync(path.join(os.tmpdir(), "tslab-fit-keras-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function assertSamePredictions(a: tf.LayersModel, b: tf.LayersModel, x: tf.Tensor | tf.Tensor[]): Promise<void> {
  const ya = [a.predict(x)].flat() as tf.Tensor[];
  const yb = [b.predict(x)].flat() as tf.Tensor[];
  assert.equal(ya.length, yb.length);
  for (let i = 0; i < ya.length; i++) {
    assert.deepEqual(yb[i].shape, ya[i].shape);
    const da = await ya[i].data();
    const db = await yb[i].data();
    for (let j = 0; j < da.length; j++) assert.ok(Math.abs(da[j] - db[j]) <= 1e-5 * (1 + Math.abs(da[j])), `output ${i}[${j}]: ${da[j]} vs ${db[j]}`);
  }
}

describe(".keras round trip", () => {
  it("Sequential MLP with BatchNormalization and L2, trained with Adam: same predictions, compile and Adam state restored", async () => {
    const m = tf.sequential({
      layers: [
        tf.layers.dense({ units: 8, inputShape: [4], activation: "relu", kernelRegularizer: tf.regularizers.l2({ l2: 1e-3 }) }),
        tf.layers.batchNormalization(),
        tf.layers.dense({ units: 3, activation: "softmax" }),
      ],
    });
    m.compile({ optimizer: tf.train.adam(0.01), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    const x = tf.randomNormal([32, 4], 0, 1, "float32", 1);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 3), "int32"), 3);
    await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    const file = path.join(dir, "mlp.keras");
    await saveKeras(m, file, quiet);
    const back = await loadKeras(file, quiet);
    await assertSamePredictions(m, back, x);
    assert.equal(back.optimizer.getClassName(), "Adam");
    assert.equal((back.optimizer as unknown as { iterations: number }).iterations, 8);
    // Adam moments survived: one more identical step from both models keeps them identical.
    back.compile({ optimizer: back.optimizer, loss: "categoricalCrossentropy" });
    m.compile({ optimizer: m.optimizer, loss: "categoricalCrossentropy" });
    const xs = x.slice([0, 0], [8, 4]);
    const ys = y.slice([0, 0], [8, 3]);
    await m.trainOnBatch(xs, ys);
    await back.trainOnBatch(xs, ys);
    await assertSamePredictions(m, back, x);
  });

  const OPTIMIZERS: [string, () => tf.Optimizer, string, number][] = [
    ["SGD with Nesterov momentum", () => tf.train.momentum(0.05, 0.9, true), "SGD", 1],
    ["RMSprop with momentum", () => tf.train.rmsprop(0.01, 0.9, 0.5), "RMSprop", 2],
    ["RMSprop without momentum", () => tf.train.rmsprop(0.01), "RMSprop", 1],
    // tfjs's centered RMSprop takes sqrt(ms - mg² - eps), which turns NaN for tiny gradients: its state is compared,
    // not a further training step.
    ["centered RMSprop", () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7, true), "RMSprop", 2],
    ["Adagrad", () => tf.train.adagrad(0.1), "Adagrad", 1],
  ];
  for (const [label, makeOptimizer, kerasClass, slotsPerVariable] of OPTIMIZERS) {
    it(`${label}: Keras's slot variables round-trip, so training continues identically`, async () => {
      const build = () => {
        const m = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3], activation: "tanh" }), tf.layers.dense({ units: 1 })] });
        m.compile({ optimizer: makeOptimizer(), loss: "meanSquaredError" });
        return m;
      };
      const m = build();
      const x = tf.randomNormal([16, 3], 0, 1, "float32", 5);
      const y = x.sum(1, true);
      await m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });
      const file = path.join(dir, `${label.replace(/\W+/g, "_")}.keras`);
      await saveKeras(m, file, quiet);
      const archive = await readKerasArchive(file);
      assert.equal((archive.config.compile_config as any).optimizer.class_name, kerasClass);
      const optimizerVars = [...archive.weights.datasets.keys()].filter((k) => k.startsWith("optimizer/"));
      assert.equal(optimizerVars.length, 2 + slotsPerVariable * 4, "iterations, learning rate, then slots over 4 variables");
      assert.equal(Number(archive.weights.datasets.get("optimizer/vars/0")!.data[0]), 6);
      const back = await loadKeras(file, quiet);
      assert.equal(back.optimizer.getClassName(), m.optimizer.getClassName());
      const [before, after] = [await m.optimizer.getWeights(), await back.optimizer.getWeights()];
      assert.deepEqual(after.map((w) => w.tensor.shape), before.map((w) => w.tensor.shape));
      for (let i = 0; i < before.length; i++) {
        // With momentum 0, tfjs's RMSprop still keeps a momentum block that no update reads; Keras has none.
        const momentumless = m.optimizer.getClassName() === "RMSProp" && (m.optimizer.getConfig() as any).momentum === 0;
        if (momentumless && before[i].name.endsWith("/momentum")) continue;
        const a = await before[i].tensor.data();
        const b = await after[i].tensor.data();
        a.forEach((v, j) => assert.ok(Object.is(v, b[j]) || Math.abs(v - b[j]) <= 1e-6 * (1 + Math.abs(v)), `slot ${before[i].name}[${j}]: ${v} vs ${b[j]}`));
      }
      if (label === "centered RMSprop") return;
      await m.trainOnBatch(x, y);
      await back.trainOnBatch(x, y);
      await assertSamePredictions(m, back, x);
    });
  }

  it("Sequential CNN (Rescaling, Conv2D, BatchNormalization, pooling, Flatten, Dropout, Activation)", async () => {
    const m = tf.sequential({
      layers: [
        tf.layers.rescaling({ scale: 1 / 255, offset: 0, inputShape: [8, 8, 1] }),
        tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: "same", activation: "relu" }),
        tf.layers.batchNormalization(),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.averagePooling2d({ poolSize: [2, 2], strides: [1, 1] }),
        tf.layers.flatten(),
        tf.layers.dropout({ rate: 0.3 }),
        tf.layers.dense({ units: 2 }),
        tf.layers.activation({ activation: "softmax" }),
      ],
    });
    // Non-trivial moving statistics, so that the non-trainable variables matter.
    const bn = m.layers[2];
    bn.setWeights([tf.randomUniform([3], 0.5, 1.5), tf.randomNormal([3]), tf.randomNormal([3]), tf.randomUniform([3], 0.5, 2)]);
    const file = path.join(dir, "cnn.keras");
    await saveKeras(m, file, quiet);
    const back = await loadKeras(file, quiet);
    await assertSamePredictions(m, back, tf.randomUniform([2, 8, 8, 1], 0, 255));
  });

  it("recurrent Sequential (Embedding, LSTM, GRU, SimpleRNN, Reshape)", async () => {
    const m = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 20, outputDim: 4, inputLength: 6 }),
        tf.layers.lstm({ units: 5, returnSequences: true }),
        tf.layers.gru({ units: 4, returnSequences: true }),
        tf.layers.simpleRNN({ units: 3 }),
        tf.layers.reshape({ targetShape: [3, 1] }),
        tf.layers.flatten(),
      ],
    });
    const file = path.join(dir, "rnn.keras");
    await saveKeras(m, file, quiet);
    const back = await loadKeras(file, quiet);
    await assertSamePredictions(m, back, tf.tensor2d([[1, 2, 3, 4, 5, 6], [0, 19, 7, 7, 1, 0]]));
    const archive = await readKerasArchive(file);
    const gru = (archive.config.config as any).layers.find((l: any) => l.class_name === "GRU");
    assert.equal(gru.config.reset_after, false, "tfjs GRUs are the reset_before variant");
    assert.deepEqual(archive.weights.datasets.get("layers/gru/cell/vars/2")!.shape, [12]);
  });

  it("1D convolutions, global pooling, LayerNormalization, ZeroPadding2D, UpSampling2D, LeakyReLU", async () => {
    const seq = tf.sequential({
      layers: [
        tf.layers.conv1d({ filters: 3, kernelSize: 3, inputShape: [12, 2], activation: "relu" }),
        tf.layers.maxPooling1d({ poolSize: 2 }),
        tf.layers.averagePooling1d({ poolSize: 2, strides: 1 }),
        tf.layers.layerNormalization(),
        tf.layers.globalAveragePooling1d(),
        tf.layers.leakyReLU({ alpha: 0.1 }),
      ],
    });
    const img = tf.sequential({
      layers: [
        tf.layers.zeroPadding2d({ padding: [[1, 0], [0, 1]], inputShape: [4, 4, 2] }),
        tf.layers.upSampling2d({ size: [2, 2] }),
        tf.layers.conv2d({ filters: 2, kernelSize: 1 }),
        tf.layers.globalMaxPooling2d({}),
      ],
    });
    const ln = seq.layers[3];
    ln.setWeights([tf.randomUniform([3], 0.5, 1.5), tf.randomNormal([3])]);
    for (const [m, x, name] of [
      [seq, tf.randomNormal([3, 12, 2]), "seq1d"],
      [img, tf.randomNormal([2, 4, 4, 2]), "img"],
    ] as const) {
      const file = path.join(dir, `${name}.keras`);
      await saveKeras(m, file, quiet);
      await assertSamePredictions(m, await loadKeras(file, quiet), x);
    }
    const archive = await readKerasArchive(path.join(dir, "seq1d.keras"));
    const leaky = (archive.config.config as any).layers.find((l: any) => l.class_name === "LeakyReLU");
    assert.deepEqual(Object.keys(leaky.config).sort(), ["dtype", "name", "negative_slope", "trainable"]);
    assert.ok(archive.weights.groups.has("layers/leaky_re_lu/vars"), "Keras's snake case of LeakyReLU");
  });

  it("Functional model with branches, a merge and two outputs", async () => {
    const inp = tf.input({ shape: [6], name: "features" });
    const a = tf.layers.dense({ units: 4, activation: "tanh", name: "branch_a" }).apply(inp) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 4, activation: "relu", name: "branch_b" }).apply(inp) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: "sum" }).apply([a, b]) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate({ name: "cat" }).apply([a, sum]) as tf.SymbolicTensor;
    const out1 = tf.layers.dense({ units: 1, activation: "sigmoid", name: "score" }).apply(cat) as tf.SymbolicTensor;
    const out2 = tf.layers.dense({ units: 2, name: "aux" }).apply(b) as tf.SymbolicTensor;
    const m = tf.model({ inputs: inp, outputs: [out1, out2], name: "two_heads" });
    m.compile({ optimizer: "sgd", loss: ["binaryCrossentropy", "meanSquaredError"] });
    const file = path.join(dir, "functional.keras");
    await saveKeras(m, file, quiet);
    const back = await loadKeras(file, quiet);
    assert.deepEqual(back.layers.map((l) => l.name), m.layers.map((l) => l.name));
    await assertSamePredictions(m, back, tf.randomNormal([5, 6]));
    assert.equal(back.optimizer.getClassName(), "SGD");
  });

  it(".weights.h5: save_weights layout loads into a fresh model of the same architecture", async () => {
    const build = () =>
      tf.sequential({ layers: [tf.layers.dense({ units: 5, inputShape: [3] }), tf.layers.dense({ units: 2 })] });
    const a = build();
    const b = build();
    const file = path.join(dir, "w.weights.h5");
    await saveKerasWeights(a, file);
    await loadKerasWeights(b, file);
    await assertSamePredictions(a, b, tf.randomNormal([4, 3]));
  });

  it("registered savers: .keras and .weights.h5 paths, atomic replace, weightsOnly rule", async () => {
    assert.equal(findSaver(path.join(dir, "best_model.keras")), kerasSavers[0]);
    assert.equal(findSaver(path.join(dir, "best.weights.h5")), kerasSavers[1]);
    const m = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [2] })] });
    const sub = mkdtempSync(path.join(dir, "ckpt-"));
    const file = path.join(sub, "best_model.keras");
    writeFileSync(file, "old");
    await findSaver(file)!.save(m, file, { weightsOnly: false });
    assert.deepEqual(readdirSync(sub), ["best_model.keras"], "no temporary file left beside the target");
    assert.equal(readFileSync(file).subarray(0, 2).toString(), "PK", "the old file was replaced by a zip");
    await assert.rejects(findSaver(file)!.save(m, file, { weightsOnly: true }), /\.weights\.h5/);
    const w = path.join(sub, "best.weights.h5");
    await findSaver(w)!.save(m, w, { weightsOnly: true });
    assert.equal(readFileSync(w).subarray(1, 4).toString(), "HDF");
  });

  it("unsupported layers fail on save with the layer class named, leaving no file", async () => {
    const m = tf.sequential({ layers: [tf.layers.reshape({ targetShape: [2, 2, 1], inputShape: [4] }), tf.layers.resizing({ height: 1, width: 1 } as never)] });
    const file = path.join(dir, "bad.keras");
    await assert.rejects(saveKeras(m, file, quiet), /Resizing/);
    assert.ok(!readdirSync(dir).some((f) => f.startsWith("bad.keras") || f.startsWith(".bad.keras")));
  });
});

describe("broken .keras files fail with clear messages", () => {
  const enc = new TextEncoder();
  const write = (name: string, bytes: Uint8Array) => {
    const p = path.join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };

  it("not a zip / a legacy HDF5 file renamed / missing and unexpected members / wrong variable counts", async () => {
    await assert.rejects(loadKeras(write("text.keras", enc.encode("hello")), quiet), /not a \.keras file: a \.keras file is a zip/);
    const hdf = new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    await assert.rejects(loadKeras(write("legacy.keras", hdf), quiet), /legacy Keras HDF5 model \(\.h5\)/);
    await assert.rejects(loadKeras(write("w.weights.h5", hdf), quiet), /weights only.*loadKerasWeights/);

    const m = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    const good = path.join(dir, "good.keras");
    await saveKeras(m, good, quiet);
    const { unzipSync } = await import("fflate");
    const members = unzipSync(new Uint8Array(readFileSync(good)));

    const noConfig = { "metadata.json": members["metadata.json"], "model.weights.h5": members["model.weights.h5"] };
    await assert.rejects(loadKeras(write("noconfig.keras", zipSync(noConfig)), quiet), /no config\.json/);
    const noWeights = { "metadata.json": members["metadata.json"], "config.json": members["config.json"] };
    await assert.rejects(loadKeras(write("noweights.keras", zipSync(noWeights)), quiet), /no model\.weights\.h5/);
    const extra = { ...members, "assets/vocab.txt": enc.encode("a\nb") };
    await assert.rejects(loadKeras(write("extra.keras", zipSync(extra)), quiet), /unexpected archive members assets\/vocab\.txt/);
    const truncated = { ...members, "model.weights.h5": members["model.weights.h5"].slice(0, 100) };
    await assert.rejects(loadKeras(write("truncated.keras", zipSync(truncated)), quiet), /model\.weights\.h5 cannot be read: corrupt or truncated HDF5/);
    const badJson = { ...members, "config.json": enc.encode("{not json") };
    await assert.rejects(loadKeras(write("badjson.keras", zipSync(badJson)), quiet), /config\.json is not valid JSON/);

    // Config says 4 units, weights hold 2: the message names the layer and the group.
    const cfg = JSON.parse(new TextDecoder().decode(members["config.json"]));
    cfg.config.layers[1].config.units = 4;
    const mismatch = { ...members, "config.json": enc.encode(JSON.stringify(cfg)) };
    await assert.rejects(loadKeras(write("mismatch.keras", zipSync(mismatch)), quiet), /layers\/dense\/vars\/0 is <f4 \[3, 2\], but variable .* is float32 \[3, 4\]/);
    cfg.config.layers[1].config.use_bias = false;
    cfg.config.layers[1].config.units = 2;
    const count = { ...members, "config.json": enc.encode(JSON.stringify(cfg)) };
    await assert.rejects(loadKeras(write("count.keras", zipSync(count)), quiet), /expects 1 variables, but layers\/dense\/vars holds 2/);
    const custom = JSON.parse(new TextDecoder().decode(members["config.json"]));
    custom.config.layers[1].class_name = "MyDense";
    custom.config.layers[1].registered_name = "my_pkg>MyDense";
    const customZip = { ...members, "config.json": enc.encode(JSON.stringify(custom)) };
    await assert.rejects(loadKeras(write("custom.keras", zipSync(customZip)), quiet), /MyDense.*not supported/);
  });
});
