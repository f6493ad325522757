// Masks: Embedding(mask_zero=True) and Masking models load and predict as Keras does, whether the mask is implicit
// (Sequential, or a Functional graph written by tslab-fit) or recorded the way Keras 3 writes Functional graphs: a
// NotEqual (and, for Masking, Any) operation node whose output reaches the RNN as its `mask` keyword.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { useBestBackend } from "../../src/backend.js";
import { loadKeras, saveKeras } from "../../src/io/keras/index.js";

let dir: string;
const quiet = { onWarning: () => {} };
const L = tf.layers;

before(async () => {
  await useBestBackend({ quiet: true });
  dir = mkdtempSync(path.join(os.tmpdir(), "tslab-fit-masking-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function randomize(model: tf.LayersModel): void {
  model.weights.forEach((w, i) => w.write(tf.randomUniform(w.shape, -0.6, 0.6, "float32", 100 + i)));
}

async function close(a: tf.Tensor, b: tf.Tensor, tol = 1e-5): Promise<void> {
  assert.deepEqual(b.shape, a.shape);
  const da = await a.data();
  const db = await b.data();
  for (let i = 0; i < da.length; i++) assert.ok(Math.abs(da[i] - db[i]) <= tol * (1 + Math.abs(da[i])), `[${i}] ${da[i]} vs ${db[i]}`);
}

const kt = (layer: string, node = 0, tensor = 0, shape: (number | null)[] = [null]) => ({
  class_name: "__keras_tensor__",
  config: { shape, dtype: "float32", keras_history: [layer, node, tensor] },
});

/** Rewrites config.json inside a .keras archive. */
function patchConfig(file: string, out: string, edit: (config: any) => void): string {
  const members = unzipSync(new Uint8Array(readFileSync(file)));
  const config = JSON.parse(strFromU8(members["config.json"]));
  edit(config);
  members["config.json"] = strToU8(JSON.stringify(config));
  writeFileSync(out, zipSync(members));
  return out;
}

/** Inserts Keras 3's mask operation nodes before `consumer` and hands it their output as its `mask` keyword. */
function addMaskNodes(config: any, nodes: any[], consumer: string, maskFrom: string): void {
  const layers = config.config.layers as any[];
  const at = layers.findIndex((l) => l.name === consumer);
  layers.splice(at, 0, ...nodes);
  layers[at + nodes.length].inbound_nodes[0].kwargs = { mask: kt(maskFrom) };
}

const notEqual = (name: string, input: string, value: number) => ({
  module: "keras.src.ops.numpy",
  class_name: "NotEqual",
  config: { name },
  registered_name: "NotEqual",
  name,
  inbound_nodes: [{ args: [kt(input), value], kwargs: {} }],
});

/** Token ids with trailing padding (0), and the same sequences cut to their length. */
const padded = () => tf.tensor2d([[3, 5, 2, 0, 0, 0], [7, 1, 4, 9, 0, 0]]);
const firstOnly = (n: number, row: number[]) => tf.tensor2d([row.slice(0, n)]);

function embeddingModel(rnn: (x: tf.SymbolicTensor) => tf.SymbolicTensor, maskZero = true): tf.LayersModel {
  const x = tf.input({ shape: [null] });
  const e = L.embedding({ inputDim: 10, outputDim: 4, maskZero }).apply(x) as tf.SymbolicTensor;
  const y = L.dense({ units: 2 }).apply(rnn(e)) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });
}

describe("masking", () => {
  it("Embedding(mask_zero=True) → LSTM with Keras 3's NotEqual node: loads, and padding changes nothing", async () => {
    const m = embeddingModel((e) => L.lstm({ units: 3, recurrentActivation: "sigmoid" }).apply(e) as tf.SymbolicTensor);
    randomize(m);
    const saved = path.join(dir, "emb.keras");
    await saveKeras(m, saved, quiet);
    const file = patchConfig(saved, path.join(dir, "emb-notequal.keras"), (config) => {
      const input = config.config.layers[0].name;
      const lstm = config.config.layers.find((l: any) => l.class_name === "LSTM").name;
      addMaskNodes(config, [notEqual("not_equal", input, 0)], lstm, "not_equal");
    });
    const back = await loadKeras(file, quiet);
    assert.ok(!back.layers.some((l) => l.name === "not_equal"), "the operation node is not a layer");
    await close(m.predict(padded()) as tf.Tensor, back.predict(padded()) as tf.Tensor);
    // The mask reaches the LSTM: the padded sequence predicts what the unpadded one does (Keras's semantics).
    const rows = padded().arraySync() as number[][];
    const full = (back.predict(padded()) as tf.Tensor).arraySync() as number[][];
    const cut = (back.predict(firstOnly(3, rows[0])) as tf.Tensor).arraySync() as number[][];
    await close(tf.tensor(cut[0]), tf.tensor(full[0]));
    const unmasked = embeddingModel((e) => L.lstm({ units: 3, recurrentActivation: "sigmoid" }).apply(e) as tf.SymbolicTensor, false);
    unmasked.setWeights(back.getWeights());
    assert.notDeepEqual(full, (unmasked.predict(padded()) as tf.Tensor).arraySync(), "sanity: the mask matters for this input");
  });

  it("Embedding(mask_zero=True) → Bidirectional(GRU): backward direction skips the padding too", async () => {
    const m = embeddingModel((e) => L.bidirectional({ layer: L.gru({ units: 2, recurrentActivation: "sigmoid" }) as tf.RNN }).apply(e) as tf.SymbolicTensor);
    randomize(m);
    const saved = path.join(dir, "bi.keras");
    await saveKeras(m, saved, quiet);
    const file = patchConfig(saved, path.join(dir, "bi-notequal.keras"), (config) => {
      const input = config.config.layers[0].name;
      const bi = config.config.layers.find((l: any) => l.class_name === "Bidirectional").name;
      addMaskNodes(config, [notEqual("not_equal", input, 0)], bi, "not_equal");
    });
    const back = await loadKeras(file, quiet);
    const rows = padded().arraySync() as number[][];
    const full = (back.predict(padded()) as tf.Tensor).arraySync() as number[][];
    const cut = (back.predict(firstOnly(4, rows[1])) as tf.Tensor).arraySync() as number[][];
    await close(tf.tensor(cut[0]), tf.tensor(full[1]));
    await close(m.predict(padded()) as tf.Tensor, back.predict(padded()) as tf.Tensor);
  });

  it("Masking → SimpleRNN with Keras 3's NotEqual + Any nodes: loads and masks the same time steps", async () => {
    const x = tf.input({ shape: [null, 3] });
    const masked = L.masking({ maskValue: -1 }).apply(x) as tf.SymbolicTensor;
    const m = tf.model({ inputs: x, outputs: L.simpleRNN({ units: 2 }).apply(masked) as tf.SymbolicTensor });
    randomize(m);
    const saved = path.join(dir, "masking.keras");
    await saveKeras(m, saved, quiet);
    const file = patchConfig(saved, path.join(dir, "masking-ops.keras"), (config) => {
      const input = config.config.layers[0].name;
      const rnn = config.config.layers.find((l: any) => l.class_name === "SimpleRNN").name;
      const any = { module: "keras.src.ops.numpy", class_name: "Any", config: { name: "any", axis: -1, keepdims: false }, registered_name: "Any", name: "any", inbound_nodes: [{ args: [kt("not_equal")], kwargs: {} }] };
      addMaskNodes(config, [notEqual("not_equal", input, -1), any], rnn, "any");
    });
    const back = await loadKeras(file, quiet);
    const data = tf.tensor3d([[[1, 2, 3], [0.5, -0.5, 1], [-1, -1, -1], [-1, -1, -1], [-1, -1, -1]]]);
    const cut = tf.tensor3d([[[1, 2, 3], [0.5, -0.5, 1]]]);
    await close(back.predict(cut) as tf.Tensor, back.predict(data) as tf.Tensor);
    await close(m.predict(data) as tf.Tensor, back.predict(data) as tf.Tensor);
  });

  it("Sequential Embedding(mask_zero=True) → LSTM round trip keeps mask_zero and its effect", async () => {
    const m = tf.sequential({ layers: [L.embedding({ inputDim: 10, outputDim: 4, maskZero: true, inputShape: [null] }), L.lstm({ units: 2, recurrentActivation: "sigmoid" })] });
    randomize(m);
    const file = path.join(dir, "seq-mask.keras");
    await saveKeras(m, file, quiet);
    const back = await loadKeras(file, quiet);
    const rows = padded().arraySync() as number[][];
    const full = (back.predict(padded()) as tf.Tensor).arraySync() as number[][];
    await close(back.predict(firstOnly(3, rows[0])) as tf.Tensor, tf.tensor([full[0]]));
    await close(m.predict(padded()) as tf.Tensor, back.predict(padded()) as tf.Tensor);
  });

  it("refuses other operation nodes and explicit masks, naming the node", async () => {
    const m = embeddingModel((e) => L.lstm({ units: 3, recurrentActivation: "sigmoid" }).apply(e) as tf.SymbolicTensor);
    const saved = path.join(dir, "emb2.keras");
    await saveKeras(m, saved, quiet);
    const wrongValue = patchConfig(saved, path.join(dir, "wrong-value.keras"), (config) => {
      const input = config.config.layers[0].name;
      const lstm = config.config.layers.find((l: any) => l.class_name === "LSTM").name;
      addMaskNodes(config, [notEqual("not_equal", input, 1)], lstm, "not_equal");
    });
    await assert.rejects(loadKeras(wrongValue, quiet), /operation node "not_equal" \(NotEqual\) is a keras\.ops call/);
    const foreignMask = patchConfig(saved, path.join(dir, "foreign-mask.keras"), (config) => {
      const lstm = config.config.layers.find((l: any) => l.class_name === "LSTM");
      lstm.inbound_nodes[0].kwargs = { mask: kt(config.config.layers[0].name) };
    });
    await assert.rejects(loadKeras(foreignMask, quiet), /takes an explicit mask .*Embedding\(mask_zero=True\) or Masking/);
  });
});
