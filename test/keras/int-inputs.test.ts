// Issue 9 item 2: a Keras model with keras.Input(dtype="int32") feeding an Embedding loads with float32 weights,
// predicts on int32 token ids, trains, and is saved back with its int32 input.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { loadKeras, readKerasArchive, saveKeras } from "../../src/io/keras/index.js";
import { readNpy } from "./npy.js";

const DIR = path.resolve(__dirname, "../../../shared/fixtures/keras/k3-reference");
const skip = existsSync(DIR) ? false : `reference folder ${DIR} is absent (../shared is not checked out)`;
const quiet = { onWarning: () => {} };
let dir: string;

before(async () => {
  // Training an Embedding needs the UnsortedSegmentSum kernel (the gradient of gather), which tfjs's wasm backend
  // lacks; the cpu backend has it.
  await tf.setBackend("cpu");
  dir = mkdtempSync(path.join(os.tmpdir(), "tslab-fit-int-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("int32 model inputs", { skip }, () => {
  it("Sequential int32 Input → Embedding → LSTM: float32 weights, int32 input, trains, round-trips", async () => {
    const model = await loadKeras(path.join(DIR, "embedding_lstm.keras"), quiet);
    assert.equal(model.inputs[0].dtype, "int32");
    const emb = model.layers.find((l) => l.getClassName() === "Embedding")!;
    assert.equal(emb.weights[0].dtype, "float32", "the Embedding's table keeps its own dtype");
    const ids = readNpy(path.join(DIR, "embedding_lstm.input.npy"));
    const x = tf.tensor(ids.data, ids.shape, "int32");
    const y = tf.tensor2d([[1], [0], [1], [0], [1], [0]]);
    const before = (await (model.predict(x) as tf.Tensor).data()).slice();
    await model.fit(x, y, { epochs: 1, verbose: 0 });
    const afterFit = await (model.predict(x) as tf.Tensor).data();
    assert.ok(afterFit.some((v, i) => v !== before[i]), "one epoch of fit changed the predictions");

    const file = path.join(dir, "emb.keras");
    await saveKeras(model, file, quiet);
    const archive = await readKerasArchive(file);
    const layers = (archive.config.config as { layers: { class_name: string; config: Record<string, unknown> }[] }).layers;
    assert.equal(layers[0].class_name, "InputLayer");
    assert.equal(layers[0].config.dtype, "int32");
    assert.deepEqual(layers.map((l) => l.class_name), ["InputLayer", "Embedding", "LSTM", "Dense"], "one InputLayer, as Keras writes it");
    assert.equal(layers[1].config.dtype, "float32");
    const back = await loadKeras(file, quiet);
    const again = await (back.predict(x) as tf.Tensor).data();
    again.forEach((v, i) => assert.ok(Math.abs(v - afterFit[i]) <= 1e-6, `prediction ${i}: ${v} vs ${afterFit[i]}`));
  });

  it("Functional int32 Input → Embedding: float32 weights after a save and load", async () => {
    const inp = tf.input({ shape: [5], dtype: "int32", name: "tokens" });
    const e = tf.layers.embedding({ inputDim: 10, outputDim: 3 }).apply(inp) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 1 }).apply(tf.layers.flatten().apply(e) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const m = tf.model({ inputs: inp, outputs: out });
    const file = path.join(dir, "func.keras");
    await saveKeras(m, file, quiet);
    const back = await loadKeras(file, quiet);
    assert.equal(back.inputs[0].dtype, "int32");
    assert.equal(back.getLayer(m.layers[1].name).weights[0].dtype, "float32");
    const x = tf.tensor2d([[1, 2, 3, 4, 5]], [1, 5], "int32");
    const [a, b] = [await (m.predict(x) as tf.Tensor).data(), await (back.predict(x) as tf.Tensor).data()];
    assert.ok(Math.abs(a[0] - b[0]) <= 1e-6);
  });
});
