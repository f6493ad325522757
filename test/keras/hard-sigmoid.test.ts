// Issue 9 item 5: Keras 3's hard_sigmoid is relu6(x + 3) / 6. A Keras file naming it predicts in tslab-fit as in
// Keras; tfjs's own hard_sigmoid (clip(0.2x + 0.5, 0, 1)) still warns when saved.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { useBestBackend } from "../../src/backend.js";
import { loadKeras, readKerasArchive, saveKeras } from "../../src/io/keras/index.js";
import type { H5Tree } from "../../src/io/keras/h5.js";
import { buildZip, DOS_EPOCH, readZip } from "../../src/io/keras/zip.js";
import { readNpy } from "./npy.js";
import { dense, embed, kerasHardSigmoid, lstm, sigmoid, tfjsHardSigmoid, type Act, type Matrix } from "./reference-rnn.js";

const DIR = path.resolve(__dirname, "../../../shared/fixtures/keras/k3-reference");
const skip = existsSync(DIR) ? false : `reference folder ${DIR} is absent (../shared is not checked out)`;
let dir: string;

before(async () => {
  await useBestBackend({ quiet: true });
  dir = mkdtempSync(path.join(os.tmpdir(), "tslab-fit-hsig-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function matrix(tree: H5Tree, p: string): Matrix {
  const d = tree.datasets.get(p)!;
  return { rows: d.shape[0], cols: d.shape[1] ?? 1, data: d.data as Float32Array };
}

/** The reference forward pass of embedding_lstm.keras with the given recurrent activation. */
function referencePredictions(tree: H5Tree, ids: Int32Array, steps: number, ra: Act): number[] {
  const out: number[] = [];
  for (let b = 0; b < ids.length / steps; b++) {
    const seq = embed(ids.subarray(b * steps, (b + 1) * steps), matrix(tree, "layers/embedding/vars/0"));
    const h = lstm(seq, matrix(tree, "layers/lstm/cell/vars/0"), matrix(tree, "layers/lstm/cell/vars/1"), tree.datasets.get("layers/lstm/cell/vars/2")!.data as Float32Array, ra);
    out.push(...dense(h, matrix(tree, "layers/dense/vars/0"), tree.datasets.get("layers/dense/vars/1")!.data as Float32Array, "sigmoid"));
  }
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A copy of a Keras archive with its config.json edited. */
function editedArchive(src: string, dest: string, edit: (config: any) => void): void {
  const members = readZip(new Uint8Array(readFileSync(src)));
  const config = JSON.parse(new TextDecoder().decode(members.get("config.json")!));
  edit(config);
  const enc = new TextEncoder();
  writeFileSync(dest, buildZip([
    { name: "metadata.json", data: members.get("metadata.json")!, mtime: DOS_EPOCH() },
    { name: "config.json", data: enc.encode(JSON.stringify(config)), mtime: DOS_EPOCH() },
    { name: "model.weights.h5", data: members.get("model.weights.h5")!, mtime: new Date() },
  ]));
}

describe("Keras 3 hard_sigmoid", { skip }, () => {
  it("the plain-JS reference LSTM reproduces Keras's own predictions (sigmoid)", async () => {
    const archive = await readKerasArchive(path.join(DIR, "embedding_lstm.keras"));
    const ids = readNpy(path.join(DIR, "embedding_lstm.input.npy"));
    const keras = readNpy(path.join(DIR, "embedding_lstm.pred.npy"));
    const ref = referencePredictions(archive.weights, ids.data as Int32Array, ids.shape[1], sigmoid);
    assert.ok(maxDiff(ref, keras.data) <= 1e-6, `reference vs Keras: ${maxDiff(ref, keras.data)}`);
  });

  it("an LSTM with recurrent_activation hard_sigmoid predicts with relu6(x+3)/6, and is saved back as hard_sigmoid", async () => {
    const file = path.join(dir, "lstm_hard_sigmoid.keras");
    editedArchive(path.join(DIR, "embedding_lstm.keras"), file, (c) => {
      c.config.layers[2].config.recurrent_activation = "hard_sigmoid";
    });
    const warnings: string[] = [];
    const model = await loadKeras(file, { onWarning: (w) => warnings.push(w) });
    assert.deepEqual(warnings.filter((w) => /hard_sigmoid/.test(w)), [], "no warning: the formula is Keras's");
    const archive = await readKerasArchive(file);
    const ids = readNpy(path.join(DIR, "embedding_lstm.input.npy"));
    const x = tf.tensor(ids.data, ids.shape, "int32");
    const got = await (model.predict(x) as tf.Tensor).data();
    const kerasRef = referencePredictions(archive.weights, ids.data as Int32Array, ids.shape[1], kerasHardSigmoid);
    const tfjsRef = referencePredictions(archive.weights, ids.data as Int32Array, ids.shape[1], tfjsHardSigmoid);
    assert.ok(maxDiff(kerasRef, tfjsRef) > 1e-4, "the two formulas give different outputs on this model");
    assert.ok(maxDiff(got, kerasRef) <= 1e-5, `tslab-fit vs Keras formula: ${maxDiff(got, kerasRef)}`);

    const saved = path.join(dir, "saved.keras");
    const saveWarnings: string[] = [];
    await saveKeras(model, saved, { onWarning: (w) => saveWarnings.push(w) });
    assert.deepEqual(saveWarnings.filter((w) => /hard_sigmoid/.test(w)), []);
    const savedConfig = (await readKerasArchive(saved)).config as any;
    assert.equal(savedConfig.config.layers[2].config.recurrent_activation, "hard_sigmoid");
    const back = await loadKeras(saved, { onWarning: () => {} });
    assert.ok(maxDiff(await (back.predict(x) as tf.Tensor).data(), got) <= 1e-6);
  });

  it("an Activation layer with hard_sigmoid computes relu6(x+3)/6", async () => {
    const m = tf.sequential({ layers: [tf.layers.activation({ activation: "kerasHardSigmoid" as any, inputShape: [5] })] });
    const file = path.join(dir, "act.keras");
    await saveKeras(m, file, { onWarning: () => {} });
    const back = await loadKeras(file, { onWarning: () => {} });
    const y = await (back.predict(tf.tensor2d([[-4, -3, 0, 1, 4]])) as tf.Tensor).data();
    [0, 0, 0.5, 4 / 6, 1].forEach((v, i) => assert.ok(Math.abs(y[i] - v) < 1e-6, `hard_sigmoid(${[-4, -3, 0, 1, 4][i]}) = ${y[i]}`));
  });

  it("tfjs's own hard sigmoid survives a tslab-fit round trip; a file Keras re-saved computes Keras's", async () => {
    const m = tf.sequential({
      layers: [tf.layers.lstm({ units: 4, inputShape: [6, 3], returnSequences: true }), tf.layers.gru({ units: 3 }), tf.layers.dense({ units: 2, activation: "hardSigmoid" })],
    });
    const file = path.join(dir, "tfjs_hard_sigmoid.keras");
    await saveKeras(m, file, { onWarning: () => {} });
    const archive = await readKerasArchive(file);
    const names = m.layers.map((l) => l.name);
    assert.deepEqual(archive.metadata!.tslab_fit_tfjs_hard_sigmoid, [`${names[0]}/recurrent_activation`, `${names[1]}/recurrent_activation`, `${names[2]}/activation`]);
    assert.equal((archive.config as any).config.layers[1].config.recurrent_activation, "hard_sigmoid");
    const x = tf.randomNormal([3, 6, 3], 0, 3, "float32", 11);
    const expected = await (m.predict(x) as tf.Tensor).data();
    const back = await loadKeras(file, { onWarning: () => {} });
    assert.ok(maxDiff(await (back.predict(x) as tf.Tensor).data(), expected) <= 1e-6, "tslab-fit → tslab-fit keeps tfjs's formula");
    // Keras writes its own metadata.json when it saves: without the list, hard_sigmoid is Keras's formula.
    const resaved = path.join(dir, "resaved_by_keras.keras");
    const members = readZip(new Uint8Array(readFileSync(file)));
    writeFileSync(resaved, buildZip([
      { name: "metadata.json", data: new TextEncoder().encode('{"keras_version": "3.16.0", "date_saved": "2026-12-01@12:00:00"}'), mtime: DOS_EPOCH() },
      { name: "config.json", data: members.get("config.json")!, mtime: DOS_EPOCH() },
      { name: "model.weights.h5", data: members.get("model.weights.h5")!, mtime: new Date() },
    ]));
    const keras = await loadKeras(resaved, { onWarning: () => {} });
    assert.equal((keras.layers[0] as any).cell.recurrentActivation.getClassName(), "kerasHardSigmoid");
    assert.ok(maxDiff(await (keras.predict(x) as tf.Tensor).data(), expected) > 1e-3);
  });

  it("tfjs's own hard sigmoid inside wrappers (Bidirectional, TimeDistributed) survives a tslab-fit round trip too", async () => {
    const m = tf.sequential({
      layers: [
        tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true }) as tf.RNN, inputShape: [5, 2] }),
        tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2, activation: "hardSigmoid" }) }),
      ],
    });
    const file = path.join(dir, "wrapped_tfjs_hard_sigmoid.keras");
    await saveKeras(m, file, { onWarning: () => {} });
    assert.equal((await readKerasArchive(file)).metadata!.tslab_fit_tfjs_hard_sigmoid.length, 2);
    const x = tf.randomNormal([3, 5, 2], 0, 3, "float32", 12);
    const back = await loadKeras(file, { onWarning: () => {} });
    assert.ok(maxDiff(await (back.predict(x) as tf.Tensor).data(), await (m.predict(x) as tf.Tensor).data()) <= 1e-6);
  });

  it("saving tfjs's own hard_sigmoid (the LSTM default) still warns that Keras will differ", async () => {
    const m = tf.sequential({ layers: [tf.layers.lstm({ units: 2, inputShape: [3, 2] })] });
    const warnings: string[] = [];
    await saveKeras(m, path.join(dir, "tfjs_default.keras"), { onWarning: (w) => warnings.push(w) });
    assert.ok(warnings.some((w) => /hard_sigmoid/.test(w) && /recurrentActivation: 'sigmoid'/.test(w)), warnings.join(" | "));
  });
});
