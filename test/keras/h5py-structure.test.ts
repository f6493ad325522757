// Written files read back by an independent reader: Python's zipfile and h5py (Debian python3-h5py), through
// test/keras/inspect_keras.py. Checks zip members, metadata/config style, HDF5 groups, dataset shapes and dtypes,
// vars numbering and the physical layout Keras's files have.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { saveKeras, saveKerasWeights } from "../../src/io/keras/index.js";

const SCRIPT = path.join(__dirname, "inspect_keras.py");

/** The first python3 that imports h5py, or undefined. */
function findPython(): string | undefined {
  for (const exe of ["/usr/bin/python3", "python3"]) {
    const r = spawnSync(exe, ["-c", "import h5py"], { encoding: "utf8" });
    if (r.status === 0) return exe;
  }
  return undefined;
}
const python = findPython();
const skip = python ? false : "no python3 with h5py (Debian package python3-h5py) on this machine";

interface Facts {
  comment?: string;
  members?: { name: string; compress_type: number; date_time: number[]; flag_bits: number; create_system: number; external_attr: number }[];
  metadata_raw?: string;
  config_one_line?: boolean;
  config_python_style?: boolean;
  config?: any;
  h5: {
    superblock: number;
    root_attrs: Record<string, unknown>;
    groups: Record<string, Record<string, { value: string; vlen_utf8: boolean; scalar: boolean }>>;
    datasets: Record<string, { shape: number[]; dtype: string; contiguous: boolean; chunks: unknown; compression: unknown; filters: number; maxshape: number[]; first: number[] }>;
  };
}

function inspect(file: string): Facts {
  const r = spawnSync(python!, [SCRIPT, file], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Facts;
}

/** Every dataset is stored the way h5py stores Keras variables; every vars group numbers 0..n-1. */
function checkPhysical(h5: Facts["h5"]): void {
  assert.equal(h5.superblock, 0, "superblock v0 like h5py's default");
  assert.deepEqual(h5.root_attrs, {}, "no attributes on the root group");
  for (const [p, d] of Object.entries(h5.datasets)) {
    assert.ok(d.contiguous, `${p} contiguous`);
    assert.equal(d.chunks, null, `${p} not chunked`);
    assert.equal(d.compression, null, `${p} not compressed`);
    assert.equal(d.filters, 0);
    assert.deepEqual(d.maxshape, d.shape);
  }
  const byGroup = new Map<string, number[]>();
  for (const p of Object.keys(h5.datasets)) {
    const slash = p.lastIndexOf("/");
    const g = p.slice(0, slash);
    assert.match(g, /(^|\/)vars$/, `${p} sits in a vars group`);
    byGroup.set(g, [...(byGroup.get(g) ?? []), Number(p.slice(slash + 1))]);
  }
  for (const [g, idx] of byGroup) {
    assert.deepEqual(idx.sort((a, b) => a - b), idx.map((_, i) => i), `${g} numbered 0..n-1`);
  }
  for (const [g, attrs] of Object.entries(h5.groups)) {
    if (g.endsWith("vars")) {
      assert.ok(attrs.name, `${g} has a name attribute (as Keras ≥ 3.6)`);
      assert.ok(attrs.name.vlen_utf8 && attrs.name.scalar, `${g} name is a scalar variable-length UTF-8 string`);
    } else {
      assert.deepEqual(attrs, {}, `${g} has no attributes`);
    }
  }
}

let dir: string;

describe("written files, read by h5py", { skip }, () => {
  before(async () => {
    await tf.setBackend("cpu");
    dir = mkdtempSync(path.join(os.tmpdir(), "tslab-fit-h5py-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("Sequential trained with Adam: zip members, metadata, config style, groups, shapes, dtypes, optimizer vars", async () => {
    const m = tf.sequential({
      name: "mlp",
      layers: [
        tf.layers.dense({ units: 8, inputShape: [4], activation: "relu", name: "hidden" }),
        tf.layers.batchNormalization({ name: "bn" }),
        tf.layers.dropout({ rate: 0.1, name: "drop" }),
        tf.layers.dense({ units: 3, activation: "softmax", name: "output" }),
      ],
    });
    m.compile({ optimizer: tf.train.adam(0.001), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    await m.fit(tf.randomNormal([16, 4]), tf.oneHot(tf.zeros([16], "int32"), 3), { epochs: 1, batchSize: 8, verbose: 0 });
    const file = path.join(dir, "best_model.keras");
    await saveKeras(m, file, { onWarning: () => {} });
    const f = inspect(file);

    assert.equal(f.comment, "");
    assert.deepEqual(f.members!.map((x) => x.name), ["metadata.json", "config.json", "model.weights.h5"]);
    for (const x of f.members!) {
      assert.equal(x.compress_type, 0, `${x.name} STORED`);
      assert.equal(x.flag_bits, 0, `${x.name} has no data descriptor`);
      assert.equal(x.create_system, 3);
      assert.equal(x.external_attr, 0o600 << 16);
    }
    assert.deepEqual(f.members![0].date_time, [1980, 1, 1, 0, 0, 0]);
    assert.deepEqual(f.members![1].date_time, [1980, 1, 1, 0, 0, 0]);
    assert.match(f.metadata_raw!, /^\{"keras_version": "3\.\d+\.\d+", "date_saved": "\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d"\}$/);
    assert.ok(f.config_one_line, "config.json is one line");
    assert.ok(f.config_python_style, "config.json equals Python's json.dumps of itself (separators, float repr)");
    assert.deepEqual(Object.keys(f.config), ["module", "class_name", "config", "registered_name", "build_config", "compile_config"]);
    assert.equal(f.config.compile_config.optimizer.class_name, "Adam");
    assert.equal(f.config.compile_config.optimizer.config.learning_rate, 0.0010000000474974513);
    assert.equal(f.config.compile_config.loss, "categorical_crossentropy");
    assert.deepEqual(f.config.compile_config.metrics, ["accuracy"]);

    const h5 = f.h5;
    checkPhysical(h5);
    // Keys come from classes, not names: "hidden" and "output" are dense and dense_1.
    assert.deepEqual(Object.keys(h5.groups).sort(), [
      "layers", "layers/batch_normalization", "layers/batch_normalization/vars", "layers/dense", "layers/dense/vars",
      "layers/dense_1", "layers/dense_1/vars", "layers/dropout", "layers/dropout/vars", "optimizer", "optimizer/vars", "vars",
    ]);
    assert.equal(h5.groups["layers/dense/vars"].name.value, "hidden");
    assert.equal(h5.groups["layers/dense_1/vars"].name.value, "output");
    assert.equal(h5.groups["optimizer/vars"].name.value, "adam");
    assert.equal(h5.groups["vars"].name.value, "mlp");
    const shapes = Object.fromEntries(Object.entries(h5.datasets).map(([p, d]) => [p, `${d.dtype} ${JSON.stringify(d.shape)}`]));
    const expected: Record<string, string> = {
      "layers/dense/vars/0": "<f4 [4,8]",
      "layers/dense/vars/1": "<f4 [8]",
      "layers/batch_normalization/vars/0": "<f4 [8]",
      "layers/batch_normalization/vars/1": "<f4 [8]",
      "layers/batch_normalization/vars/2": "<f4 [8]",
      "layers/batch_normalization/vars/3": "<f4 [8]",
      "layers/dense_1/vars/0": "<f4 [8,3]",
      "layers/dense_1/vars/1": "<f4 [3]",
      "optimizer/vars/0": "<i8 []",
      "optimizer/vars/1": "<f4 []",
    };
    // Adam: m, v interleaved per trainable variable (kernel, bias, gamma, beta, kernel, bias).
    const trainable = [[4, 8], [8], [8], [8], [8, 3], [3]];
    trainable.forEach((s, i) => {
      expected[`optimizer/vars/${2 + 2 * i}`] = `<f4 ${JSON.stringify(s)}`;
      expected[`optimizer/vars/${3 + 2 * i}`] = `<f4 ${JSON.stringify(s)}`;
    });
    assert.deepEqual(shapes, expected);
    assert.deepEqual(h5.datasets["optimizer/vars/0"].first, [2], "iterations = 2 batches");
    const kernel = (await m.layers[0].getWeights()[0].data()) as Float32Array;
    assert.deepEqual(h5.datasets["layers/dense/vars/0"].first, Array.from(kernel.slice(0, 3)));
  });

  it("Functional with an LSTM: input_layer group, RNN cell/ nesting, model without optimizer", async () => {
    const inp = tf.input({ shape: [5, 3], name: "seq" });
    const l = tf.layers.lstm({ units: 4, recurrentActivation: "sigmoid", name: "enc" }).apply(inp) as tf.SymbolicTensor;
    const d = tf.layers.dense({ units: 2, name: "head" }).apply(l) as tf.SymbolicTensor;
    const m = tf.model({ inputs: inp, outputs: d });
    const file = path.join(dir, "functional.keras");
    await saveKeras(m, file);
    const f = inspect(file);
    assert.equal(f.config.class_name, "Functional");
    assert.equal(f.config.compile_config, undefined, "an uncompiled model has no compile_config");
    const h5 = f.h5;
    checkPhysical(h5);
    assert.deepEqual(Object.keys(h5.groups).sort(), [
      "layers", "layers/dense", "layers/dense/vars", "layers/input_layer", "layers/input_layer/vars", "layers/lstm",
      "layers/lstm/cell", "layers/lstm/cell/vars", "layers/lstm/vars", "vars",
    ]);
    assert.equal(h5.groups["layers/lstm/cell/vars"].name.value, "lstm_cell");
    assert.equal(h5.groups["layers/input_layer/vars"].name.value, "seq");
    assert.deepEqual(h5.datasets["layers/lstm/cell/vars/0"].shape, [3, 16]);
    assert.deepEqual(h5.datasets["layers/lstm/cell/vars/1"].shape, [4, 16]);
    assert.deepEqual(h5.datasets["layers/lstm/cell/vars/2"].shape, [16]);
    assert.equal(Object.keys(h5.datasets).filter((p) => p.startsWith("optimizer")).length, 0);
  });

  it("wrappers and nested models: Bidirectional, TimeDistributed and a nested Sequential nest their variables as Keras does", async () => {
    const inp = tf.input({ shape: [5, 3], name: "seq" });
    const bi = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2, recurrentActivation: "sigmoid", returnSequences: true, name: "enc" }) as tf.RNN }).apply(inp) as tf.SymbolicTensor;
    const td = tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3, name: "proj" }) }).apply(bi) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(td) as tf.SymbolicTensor;
    const head = tf.sequential({ name: "head", layers: [tf.layers.dense({ units: 4, inputShape: [15] }), tf.layers.dense({ units: 1 })] });
    const m = tf.model({ inputs: inp, outputs: head.apply(flat) as tf.SymbolicTensor });
    const file = path.join(dir, "wrappers.keras");
    await saveKeras(m, file);
    const h5 = inspect(file).h5;
    checkPhysical(h5);
    assert.deepEqual(Object.keys(h5.groups).sort(), [
      "layers", "layers/bidirectional", "layers/bidirectional/backward_layer", "layers/bidirectional/backward_layer/cell",
      "layers/bidirectional/backward_layer/cell/vars", "layers/bidirectional/backward_layer/vars",
      "layers/bidirectional/forward_layer", "layers/bidirectional/forward_layer/cell",
      "layers/bidirectional/forward_layer/cell/vars", "layers/bidirectional/forward_layer/vars", "layers/bidirectional/vars",
      "layers/flatten", "layers/flatten/vars", "layers/input_layer", "layers/input_layer/vars",
      "layers/sequential", "layers/sequential/layers", "layers/sequential/layers/dense", "layers/sequential/layers/dense/vars",
      "layers/sequential/layers/dense_1", "layers/sequential/layers/dense_1/vars", "layers/sequential/vars",
      "layers/time_distributed", "layers/time_distributed/layer", "layers/time_distributed/layer/vars",
      "layers/time_distributed/vars", "vars",
    ]);
    assert.equal(h5.groups["layers/bidirectional/forward_layer/vars"].name.value, "forward_enc");
    assert.equal(h5.groups["layers/bidirectional/backward_layer/cell/vars"].name.value, "lstm_cell");
    assert.equal(h5.groups["layers/time_distributed/layer/vars"].name.value, "proj");
    assert.equal(h5.groups["layers/sequential/vars"].name.value, "head");
    assert.deepEqual(h5.datasets["layers/bidirectional/backward_layer/cell/vars/1"].shape, [2, 8]);
    assert.deepEqual(h5.datasets["layers/time_distributed/layer/vars/0"].shape, [4, 3]);
    assert.deepEqual(h5.datasets["layers/sequential/layers/dense_1/vars/0"].shape, [4, 1]);
    const f = inspect(file);
    const seqEntry = f.config.config.layers.find((l: { class_name: string }) => l.class_name === "Sequential");
    assert.equal(seqEntry.module, "keras");
    assert.equal(f.config.config.output_layers[1], 0, "Keras numbers a nested Sequential's first call 0");
  });

  it(".weights.h5 has the same layout without the zip", async () => {
    const m = tf.sequential({ layers: [tf.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [5, 5, 1] }), tf.layers.flatten(), tf.layers.dense({ units: 1 })] });
    const file = path.join(dir, "model.weights.h5");
    await saveKerasWeights(m, file);
    const h5 = inspect(file).h5;
    checkPhysical(h5);
    assert.deepEqual(h5.datasets["layers/conv2d/vars/0"].shape, [3, 3, 1, 2]);
    assert.deepEqual(h5.datasets["layers/dense/vars/0"].shape, [18, 1]);
    assert.ok("layers/flatten/vars" in h5.groups, "layers without variables still get an empty vars group");
  });
});
