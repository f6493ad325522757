// Every mapped layer class, built in TypeScript, saved as .keras, reloaded: same predictions, the Keras class and
// HDF5 group Keras would use, and Keras's own key set in config.json.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { useBestBackend } from "../../src/backend.js";
import { loadKeras, readKerasArchive, saveKeras } from "../../src/io/keras/index.js";
import * as extra from "../../src/layers/keras-extra.js";
import { gruResetAfter } from "../../src/layers/gru-reset-after.js";

let dir: string;
const quiet = { onWarning: () => {} };

before(async () => {
  await useBestBackend({ quiet: true });
  dir = mkdtempSync(path.join(os.tmpdir(), "tslab-fit-families-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Gives every variable seeded non-trivial values, so zero-initialized ones (PReLU alpha, biases) are tested too. */
function randomizeWeights(model: tf.LayersModel, seed: number): void {
  model.weights.forEach((w, i) => {
    const t = tf.randomUniform(w.shape, -0.5, 0.5, "float32", seed + i);
    w.write(w.name.includes("moving_variance") ? t.abs().add(0.5) : t);
  });
}

export async function assertClose(a: tf.Tensor | tf.Tensor[], b: tf.Tensor | tf.Tensor[], tol = 1e-5): Promise<void> {
  const xs = [a].flat();
  const ys = [b].flat();
  assert.equal(ys.length, xs.length, "number of outputs");
  for (let i = 0; i < xs.length; i++) {
    assert.deepEqual(ys[i].shape, xs[i].shape);
    const da = await xs[i].data();
    const db = await ys[i].data();
    for (let j = 0; j < da.length; j++) assert.ok(Math.abs(da[j] - db[j]) <= tol * (1 + Math.abs(da[j])), `output ${i}[${j}]: ${da[j]} vs ${db[j]}`);
  }
}

interface Case {
  name: string;
  build: () => tf.LayersModel;
  input: () => tf.Tensor | tf.Tensor[];
  /** The Keras class of the layer under test and its HDF5 datasets (path → shape). */
  keras: string;
  datasets?: Record<string, number[]>;
  /** Keys its Keras config must have (beyond name/dtype). */
  keys?: string[];
  /** Further facts about the written config.json. */
  check?: (config: any) => void;
}

const seq = (layers: tf.layers.Layer[]) => () => tf.sequential({ layers });
const rnd = (...shape: number[]) => () => tf.randomNormal(shape, 0, 1, "float32", 7);
const L = tf.layers;

export const CASES: Case[] = [
  { name: "ELU", build: () => seq([L.elu({ inputShape: [5] })])(), input: rnd(4, 5), keras: "ELU", keys: ["alpha"] },
  { name: "ReLU(maxValue)", build: () => seq([L.reLU({ maxValue: 0.3, inputShape: [5] })])(), input: rnd(4, 5), keras: "ReLU", keys: ["max_value", "negative_slope", "threshold"] },
  { name: "ThresholdedReLU", build: () => seq([L.thresholdedReLU({ theta: 0.2, inputShape: [5] })])(), input: rnd(4, 5), keras: "ReLU", keys: ["threshold"] },
  { name: "Softmax", build: () => seq([L.softmax({ axis: 2, inputShape: [3, 4] })])(), input: rnd(2, 3, 4), keras: "Softmax", keys: ["axis"] },
  {
    name: "PReLU with shared axes",
    build: () => seq([L.prelu({ sharedAxes: [1], inputShape: [3, 4] })])(),
    input: rnd(2, 3, 4),
    keras: "PReLU",
    datasets: { "layers/p_re_lu/vars/0": [1, 4] },
    keys: ["alpha_initializer", "alpha_regularizer", "alpha_constraint", "shared_axes"],
  },
  { name: "RepeatVector", build: () => seq([L.repeatVector({ n: 3, inputShape: [4] })])(), input: rnd(2, 4), keras: "RepeatVector", keys: ["n"] },
  { name: "Permute", build: () => seq([L.permute({ dims: [2, 1], inputShape: [3, 4] })])(), input: rnd(2, 3, 4), keras: "Permute", keys: ["dims"] },
  { name: "Cropping2D", build: () => seq([L.cropping2D({ cropping: [[1, 0], [0, 2]], inputShape: [5, 6, 2] })])(), input: rnd(2, 5, 6, 2), keras: "Cropping2D", keys: ["cropping", "data_format"] },
  { name: "GaussianNoise", build: () => seq([L.gaussianNoise({ stddev: 0.5, inputShape: [4] })])(), input: rnd(2, 4), keras: "GaussianNoise", keys: ["stddev", "seed"] },
  { name: "GaussianDropout", build: () => seq([L.gaussianDropout({ rate: 0.3, inputShape: [4] })])(), input: rnd(2, 4), keras: "GaussianDropout", keys: ["rate", "seed"] },
  { name: "AlphaDropout", build: () => seq([L.alphaDropout({ rate: 0.3, inputShape: [4] })])(), input: rnd(2, 4), keras: "AlphaDropout", keys: ["rate", "seed", "noise_shape"] },
  { name: "SpatialDropout1D", build: () => seq([L.spatialDropout1d({ rate: 0.3, inputShape: [3, 4] })])(), input: rnd(2, 3, 4), keras: "SpatialDropout1D", keys: ["rate", "seed"] },
  { name: "Masking", build: () => seq([L.masking({ maskValue: 0.5, inputShape: [3, 4] })])(), input: rnd(2, 3, 4), keras: "Masking", keys: ["mask_value"] },
  { name: "MaxPooling3D", build: () => seq([L.maxPooling3d({ poolSize: 2, inputShape: [4, 4, 4, 2] })])(), input: rnd(2, 4, 4, 4, 2), keras: "MaxPooling3D", keys: ["pool_size", "strides"] },
  { name: "AveragePooling3D", build: () => seq([L.averagePooling3d({ poolSize: [2, 1, 2], inputShape: [4, 4, 4, 2] })])(), input: rnd(2, 4, 4, 4, 2), keras: "AveragePooling3D", keys: ["pool_size", "strides"] },
  {
    name: "Conv3D",
    build: () => seq([L.conv3d({ filters: 3, kernelSize: 2, padding: "same", activation: "relu", inputShape: [4, 4, 4, 2] })])(),
    input: rnd(2, 4, 4, 4, 2),
    keras: "Conv3D",
    datasets: { "layers/conv3d/vars/0": [2, 2, 2, 2, 3], "layers/conv3d/vars/1": [3] },
    keys: ["filters", "kernel_size", "groups"],
  },
  {
    name: "Conv2DTranspose with strides",
    build: () => seq([L.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: "same", inputShape: [5, 5, 2] })])(),
    input: rnd(2, 5, 5, 2),
    keras: "Conv2DTranspose",
    datasets: { "layers/conv2d_transpose/vars/0": [3, 3, 3, 2], "layers/conv2d_transpose/vars/1": [3] },
    keys: ["filters", "output_padding", "dilation_rate"],
  },
  {
    name: "Conv3DTranspose with strides (wasm: tslab-fit's Conv3DBackpropInputV2 kernel)",
    build: () => seq([L.conv3dTranspose({ filters: 3, kernelSize: [2, 3, 2], strides: [2, 1, 2], padding: "same", inputShape: [3, 2, 3, 4] })])(),
    input: rnd(2, 3, 2, 3, 4),
    keras: "Conv3DTranspose",
    datasets: { "layers/conv3d_transpose/vars/0": [2, 3, 2, 3, 4], "layers/conv3d_transpose/vars/1": [3] },
    keys: ["filters", "output_padding", "dilation_rate"],
  },
  {
    name: "DepthwiseConv2D",
    build: () => seq([L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, inputShape: [5, 5, 3] })])(),
    input: rnd(2, 5, 5, 3),
    keras: "DepthwiseConv2D",
    datasets: { "layers/depthwise_conv2d/vars/0": [3, 3, 3, 2], "layers/depthwise_conv2d/vars/1": [6] },
    keys: ["depth_multiplier", "depthwise_initializer", "depthwise_constraint"],
  },
  {
    name: "SeparableConv2D",
    build: () => seq([L.separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: 2, padding: "same", inputShape: [5, 5, 3] })])(),
    input: rnd(2, 5, 5, 3),
    keras: "SeparableConv2D",
    datasets: { "layers/separable_conv2d/vars/0": [3, 3, 3, 2], "layers/separable_conv2d/vars/1": [1, 1, 6, 4], "layers/separable_conv2d/vars/2": [4] },
    keys: ["depth_multiplier", "pointwise_initializer"],
  },
  {
    name: "Dot (normalized) in a Functional model",
    build: () => {
      const a = tf.input({ shape: [4] });
      const b = tf.input({ shape: [4] });
      return tf.model({ inputs: [a, b], outputs: L.dot({ axes: 1, normalize: true }).apply([a, b]) as tf.SymbolicTensor });
    },
    input: () => [tf.randomNormal([3, 4], 0, 1, "float32", 1), tf.randomNormal([3, 4], 0, 1, "float32", 2)],
    keras: "Dot",
    keys: ["axes", "normalize"],
  },
  ...(["concat", "sum", "mul", "ave", null] as const).map((mode): Case => ({
    name: `Bidirectional(LSTM) merge_mode=${mode}`,
    build: () => {
      // A Functional model: with merge_mode None the layer has two outputs, which a Sequential cannot hold.
      const x = tf.input({ shape: [5, 4] });
      const bi = L.bidirectional({
        layer: L.lstm({ units: 3, recurrentActivation: "sigmoid", returnSequences: mode === "sum" }) as tf.RNN,
        mergeMode: mode as "concat",
      });
      return tf.model({ inputs: x, outputs: bi.apply(x) as tf.SymbolicTensor | tf.SymbolicTensor[] });
    },
    input: rnd(2, 5, 4),
    keras: "Bidirectional",
    datasets: {
      "layers/bidirectional/forward_layer/cell/vars/0": [4, 12],
      "layers/bidirectional/forward_layer/cell/vars/1": [3, 12],
      "layers/bidirectional/forward_layer/cell/vars/2": [12],
      "layers/bidirectional/backward_layer/cell/vars/0": [4, 12],
      "layers/bidirectional/backward_layer/cell/vars/2": [12],
    },
    keys: ["merge_mode", "layer", "backward_layer"],
  })),
  {
    name: "Bidirectional(GRU) then Dense",
    build: () =>
      seq([
        L.bidirectional({ layer: L.gru({ units: 2, recurrentActivation: "sigmoid" }) as tf.RNN, inputShape: [4, 3] }),
        L.dense({ units: 2 }),
      ])(),
    input: rnd(3, 4, 3),
    keras: "Bidirectional",
    datasets: { "layers/bidirectional/backward_layer/cell/vars/1": [2, 6], "layers/dense/vars/0": [4, 2] },
  },
  {
    name: "Bidirectional(GRUResetAfter), Keras's default GRU",
    build: () => seq([L.bidirectional({ layer: gruResetAfter({ units: 2 }) as tf.RNN, inputShape: [4, 3] }), L.dense({ units: 2 })])(),
    input: rnd(3, 4, 3),
    keras: "Bidirectional",
    datasets: { "layers/bidirectional/forward_layer/cell/vars/2": [2, 6], "layers/bidirectional/backward_layer/cell/vars/1": [2, 6] },
    check: (config) => {
      const bi = config.config.layers[1].config;
      assert.deepEqual([bi.layer.class_name, bi.layer.config.reset_after, bi.backward_layer.config.reset_after], ["GRU", true, true]);
    },
  },
  {
    name: "TimeDistributed(Dense)",
    build: () => seq([L.timeDistributed({ layer: L.dense({ units: 2, activation: "tanh" }), inputShape: [3, 4] })])(),
    input: rnd(2, 3, 4),
    keras: "TimeDistributed",
    datasets: { "layers/time_distributed/layer/vars/0": [4, 2], "layers/time_distributed/layer/vars/1": [2] },
    keys: ["layer"],
  },
  {
    name: "TimeDistributed(Conv2D)",
    build: () => seq([L.timeDistributed({ layer: L.conv2d({ filters: 2, kernelSize: 2 }), inputShape: [3, 4, 4, 1] })])(),
    input: rnd(2, 3, 4, 4, 1),
    keras: "TimeDistributed",
    datasets: { "layers/time_distributed/layer/vars/0": [2, 2, 1, 2] },
  },
  {
    name: "RNN(SimpleRNNCell)",
    build: () => seq([L.rnn({ cell: L.simpleRNNCell({ units: 3 }), inputShape: [4, 2] })])(),
    input: rnd(2, 4, 2),
    keras: "RNN",
    datasets: { "layers/rnn/cell/vars/0": [2, 3], "layers/rnn/cell/vars/1": [3, 3], "layers/rnn/cell/vars/2": [3] },
    keys: ["cell", "return_sequences"],
  },
  {
    name: "RNN(StackedRNNCells[LSTMCell, GRUCell])",
    build: () =>
      seq([
        L.rnn({
          cell: L.stackedRNNCells({ cells: [L.lstmCell({ units: 3, recurrentActivation: "sigmoid" }), L.gruCell({ units: 2, recurrentActivation: "sigmoid" })] }),
          inputShape: [4, 2],
        }),
      ])(),
    input: rnd(2, 4, 2),
    keras: "RNN",
    datasets: { "layers/rnn/cell/cells/lstm_cell/vars/0": [2, 12], "layers/rnn/cell/cells/gru_cell/vars/1": [2, 6] },
    check: (config) => {
      const cell = config.config.layers[1].config.cell;
      assert.equal(cell.class_name, "StackedRNNCells");
      assert.deepEqual(cell.config.cells.map((c: any) => c.class_name), ["LSTMCell", "GRUCell"]);
      assert.equal(cell.config.cells[1].config.reset_after, false);
    },
  },
  {
    name: "ConvLSTM2D",
    build: () =>
      seq([L.convLstm2d({ filters: 2, kernelSize: 3, padding: "same", recurrentActivation: "sigmoid", returnSequences: true, inputShape: [3, 5, 5, 1] })])(),
    input: rnd(2, 3, 5, 5, 1),
    keras: "ConvLSTM2D",
    datasets: {
      "layers/conv_lstm2d/cell/vars/0": [3, 3, 1, 8],
      "layers/conv_lstm2d/cell/vars/1": [3, 3, 2, 8],
      "layers/conv_lstm2d/cell/vars/2": [8],
    },
    keys: ["filters", "kernel_size", "recurrent_activation", "unit_forget_bias"],
  },
  { name: "ZeroPadding1D", build: () => seq([new extra.ZeroPadding1D({ padding: [2, 1], inputShape: [3, 2] })])(), input: rnd(2, 3, 2), keras: "ZeroPadding1D", keys: ["padding"] },
  { name: "ZeroPadding3D", build: () => seq([new extra.ZeroPadding3D({ padding: 1, inputShape: [2, 2, 2, 1] })])(), input: rnd(2, 2, 2, 2, 1), keras: "ZeroPadding3D", keys: ["padding", "data_format"] },
  { name: "Cropping1D", build: () => seq([new extra.Cropping1D({ cropping: [1, 1], inputShape: [4, 2] })])(), input: rnd(2, 4, 2), keras: "Cropping1D", keys: ["cropping"] },
  { name: "UpSampling1D", build: () => seq([new extra.UpSampling1D({ size: 2, inputShape: [3, 2] })])(), input: rnd(2, 3, 2), keras: "UpSampling1D", keys: ["size"] },
  { name: "UpSampling3D", build: () => seq([new extra.UpSampling3D({ size: 2, inputShape: [2, 2, 2, 1] })])(), input: rnd(2, 2, 2, 2, 1), keras: "UpSampling3D", keys: ["size", "data_format"] },
  {
    name: "Conv3D → GlobalAveragePooling3D / GlobalMaxPooling3D",
    build: () => {
      const x = tf.input({ shape: [3, 3, 3, 1] });
      const c = L.conv3d({ filters: 2, kernelSize: 2 }).apply(x) as tf.SymbolicTensor;
      const a = new extra.GlobalAveragePooling3D().apply(c) as tf.SymbolicTensor;
      const m = new extra.GlobalMaxPooling3D().apply(c) as tf.SymbolicTensor;
      return tf.model({ inputs: x, outputs: L.concatenate().apply([a, m]) as tf.SymbolicTensor });
    },
    input: rnd(2, 3, 3, 3, 1),
    keras: "GlobalMaxPooling3D",
    keys: ["data_format", "keepdims"],
  },
  {
    name: "SpatialDropout2D",
    build: () => seq([L.conv2d({ filters: 2, kernelSize: 2, inputShape: [4, 4, 1] }), new extra.SpatialDropout2D({ rate: 0.3 })])(),
    input: rnd(2, 4, 4, 1),
    keras: "SpatialDropout2D",
    keys: ["rate", "seed", "data_format"],
    check: (config) => assert.ok(!("trainable" in config.config.layers[2].config), "Keras's SpatialDropout2D takes no trainable"),
  },
  {
    name: "Sequential nested in a Sequential model",
    build: () => {
      const inner = tf.sequential({ layers: [L.dense({ units: 4, activation: "relu", inputShape: [3] }), L.dense({ units: 2 })] });
      const outer = tf.sequential();
      outer.add(inner);
      outer.add(L.dense({ units: 1 }));
      return outer;
    },
    input: rnd(4, 3),
    keras: "Sequential",
    datasets: { "layers/sequential/layers/dense/vars/0": [3, 4], "layers/sequential/layers/dense_1/vars/0": [4, 2], "layers/dense/vars/0": [2, 1] },
  },
  {
    name: "Sequential nested in a Functional model",
    build: () => {
      const inner = tf.sequential({ layers: [L.dense({ units: 4, activation: "relu", inputShape: [3] }), L.dense({ units: 2 })] });
      const x = tf.input({ shape: [3] });
      const a = L.dense({ units: 3 }).apply(x) as tf.SymbolicTensor;
      const y = L.add().apply([inner.apply(a) as tf.SymbolicTensor, L.dense({ units: 2 }).apply(x) as tf.SymbolicTensor]) as tf.SymbolicTensor;
      return tf.model({ inputs: x, outputs: y });
    },
    input: rnd(4, 3),
    keras: "Sequential",
    datasets: {
      "layers/dense/vars/0": [3, 3],
      "layers/sequential/layers/dense/vars/0": [3, 4],
      "layers/sequential/layers/dense_1/vars/0": [4, 2],
      "layers/dense_1/vars/0": [3, 2],
    },
    keys: ["layers", "build_input_shape"],
    check: (config) => {
      // Keras numbers a nested Sequential's calls from 0 (tfjs from 1) and a nested model keeps its own InputLayer.
      const seqEntry = config.config.layers.find((l: any) => l.class_name === "Sequential");
      const add = config.config.layers.find((l: any) => l.class_name === "Add");
      const fromSeq = add.inbound_nodes[0].args[0].find((t: any) => t.config.keras_history[0] === seqEntry.name);
      assert.equal(fromSeq.config.keras_history[1], 0);
      assert.equal(seqEntry.config.layers[0].class_name, "InputLayer");
    },
  },
];

function findLayerEntry(config: any, cls: string): any {
  const layers = (config.config.layers as any[]).filter((l) => l.class_name !== "InputLayer");
  return layers.find((l) => l.class_name === cls);
}

describe("layer families: TypeScript model → .keras → TypeScript", () => {
  for (const c of CASES.filter((k) => !process.env.ONLY || k.name.startsWith(process.env.ONLY))) {
    it(`${c.name}: saved as Keras ${c.keras}, reloads with the same predictions`, async () => {
      const model = c.build();
      randomizeWeights(model, 11);
      const x = c.input();
      const expected = model.predict(x) as tf.Tensor;
      const file = path.join(dir, `${c.name.replace(/\W+/g, "_")}.keras`);
      await saveKeras(model, file, quiet);
      const archive = await readKerasArchive(file);
      const entry = findLayerEntry(archive.config, c.keras);
      assert.ok(entry, `config.json has a ${c.keras} layer`);
      for (const k of c.keys ?? []) assert.ok(k in entry.config, `${c.keras} config has ${k}`);
      assert.ok(!("batch_input_shape" in entry.config), "no Keras-2 leftovers");
      c.check?.(archive.config);
      for (const [p, shape] of Object.entries(c.datasets ?? {})) {
        assert.deepEqual(archive.weights.datasets.get(p)?.shape, shape, `${p} shape`);
      }
      const back = await loadKeras(file, quiet);
      await assertClose(expected, back.predict(x) as tf.Tensor);
    });
  }
});

describe("tslab-fit's own layers for Keras classes tfjs lacks", () => {
  it("SpatialDropout2D drops whole feature maps while training, and is the identity at inference", () => {
    const layer = new extra.SpatialDropout2D({ rate: 0.5 });
    const x = tf.ones([2, 4, 4, 16]);
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    const perMap = y.transpose([0, 3, 1, 2]).reshape([32, 16]).arraySync() as number[][];
    for (const map of perMap) assert.ok(map.every((v) => v === map[0]) && (map[0] === 0 || map[0] === 2), `one value per map: ${map}`);
    assert.ok(perMap.some((m) => m[0] === 0) && perMap.some((m) => m[0] === 2), "some maps dropped, some kept");
    assert.deepEqual((layer.apply(x) as tf.Tensor).arraySync(), x.arraySync());
  });

  it("bad arguments name the argument and what is allowed", () => {
    assert.throws(() => new extra.ZeroPadding1D({ padding: [1, -1] }), /ZeroPadding1D padding must be an integer ≥ 0/);
    assert.throws(() => new extra.UpSampling3D({ size: [2, 0, 1] }), /UpSampling3D size must be an integer ≥ 1/);
    assert.throws(() => new extra.SpatialDropout2D({ rate: 1.5 }), /SpatialDropout2D rate must be in \[0, 1\)/);
    assert.throws(() => new extra.GlobalAveragePooling3D({ dataFormat: "channelsFirst" } as never), /channelsLast only/);
  });
});

describe("refusals", () => {
  it("a Keras file with layers tfjs cannot run is refused up front, every such layer named with its class, reason and advice", async () => {
    const { strFromU8, strToU8, unzipSync, zipSync } = await import("fflate");
    const { readFileSync, writeFileSync } = await import("node:fs");
    const m = tf.sequential({ layers: [L.dense({ units: 4, inputShape: [3] }), L.dense({ units: 4 }), L.dense({ units: 1 })] });
    const saved = path.join(dir, "refusable.keras");
    await saveKeras(m, saved, quiet);
    const members = unzipSync(new Uint8Array(readFileSync(saved)));
    const config = JSON.parse(strFromU8(members["config.json"]));
    Object.assign(config.config.layers[1], { class_name: "GroupedQueryAttention" });
    config.config.layers[1].config.name = "attn";
    Object.assign(config.config.layers[2], { class_name: "Lambda" });
    config.config.layers[2].config.name = "fn";
    members["config.json"] = strToU8(JSON.stringify(config));
    const file = path.join(dir, "refused.keras");
    writeFileSync(file, zipSync(members));
    await assert.rejects(loadKeras(file, quiet), (e: Error) => {
      assert.match(e.message, /2 layers cannot be loaded/);
      assert.match(e.message, /layer "attn" \(GroupedQueryAttention\) is not supported: TensorFlow\.js has no GroupedQueryAttention layer\. Rebuild the model without it in Python/);
      assert.match(e.message, /layer "fn" \(Lambda\) is not supported: a Lambda layer holds Python code/);
      return true;
    });
  });

  it("saving a tfjs layer that has no faithful Keras mapping names the layer, class and reason", async () => {
    const m = tf.sequential({ layers: [L.resizing({ height: 2, width: 2, inputShape: [4, 4, 1] } as never)] });
    await assert.rejects(saveKeras(m, path.join(dir, "resizing.keras"), quiet), /layer "[^"]+" \(Resizing\).*aligns corners.*while Keras.s uses half-pixel centers.*kerasResizing/);
  });
});
