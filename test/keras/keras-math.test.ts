// Numerics equal to Keras's on the same weights: for the layers whose weight layout is easiest to get wrong (channel
// order of depthwise kernels, transposed-kernel axes, LSTM gate order, Bidirectional merging), a numpy implementation
// of Keras's math (test/keras/keras_math.py) reads the .keras file tslab-fit wrote and must predict what tfjs predicts.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { useBestBackend } from "../../src/backend.js";
import { saveKeras } from "../../src/io/keras/index.js";
import * as extra from "../../src/layers/keras-extra.js";

const SCRIPT = path.join(__dirname, "keras_math.py");

function findPython(): string | undefined {
  for (const exe of ["/usr/bin/python3", "python3"]) {
    const r = spawnSync(exe, ["-c", "import h5py, numpy"], { encoding: "utf8" });
    if (r.status === 0) return exe;
  }
  return undefined;
}
const python = findPython();
const skip = python ? false : "no python3 with h5py and numpy (Debian python3-h5py) on this machine";
const L = tf.layers;
let dir: string;

interface Case {
  name: string;
  layer: () => tf.layers.Layer;
  inputShape: number[];
  /** Also compared on the backend useBestBackend() picks (wasm here), where tslab-fit replaces a wrong tfjs kernel. */
  alsoOnBestBackend?: true;
}

const CASES: Case[] = [
  { name: "DepthwiseConv2D (depth multiplier 2)", layer: () => L.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2 }), inputShape: [4, 4, 3] },
  { name: "SeparableConv2D", layer: () => L.separableConv2d({ filters: 3, kernelSize: 2, depthMultiplier: 2 }), inputShape: [4, 4, 2] },
  { name: "Conv2DTranspose (stride 2)", layer: () => L.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2 }), inputShape: [3, 3, 2] },
  {
    name: "Conv3DTranspose (strides 2, 1, 2)",
    layer: () => L.conv3dTranspose({ filters: 3, kernelSize: [2, 3, 2], strides: [2, 1, 2] }),
    inputShape: [3, 2, 3, 4],
    alsoOnBestBackend: true,
  },
  { name: "PReLU", layer: () => L.prelu({}), inputShape: [3, 2] },
  { name: "ConvLSTM2D", layer: () => L.convLstm2d({ filters: 2, kernelSize: 2, recurrentActivation: "sigmoid", returnSequences: true }), inputShape: [3, 4, 4, 1] },
  { name: "RNN(LSTMCell)", layer: () => L.rnn({ cell: L.lstmCell({ units: 3, recurrentActivation: "sigmoid" }), returnSequences: true }), inputShape: [4, 2] },
  {
    name: "RNN(StackedRNNCells[LSTMCell, LSTMCell])",
    layer: () => L.rnn({ cell: L.stackedRNNCells({ cells: [L.lstmCell({ units: 3, recurrentActivation: "sigmoid" }), L.lstmCell({ units: 2, recurrentActivation: "sigmoid" })] }) }),
    inputShape: [4, 2],
  },
  { name: "ZeroPadding1D (tslab-fit layer)", layer: () => new extra.ZeroPadding1D({ padding: [1, 2] }), inputShape: [3, 2] },
  { name: "ZeroPadding3D (tslab-fit layer)", layer: () => new extra.ZeroPadding3D({ padding: [[1, 0], [0, 1], [2, 1]] }), inputShape: [2, 2, 2, 1] },
  { name: "Cropping1D (tslab-fit layer)", layer: () => new extra.Cropping1D({ cropping: [1, 2] }), inputShape: [5, 2] },
  { name: "UpSampling1D (tslab-fit layer)", layer: () => new extra.UpSampling1D({ size: 3 }), inputShape: [3, 2] },
  { name: "UpSampling3D (tslab-fit layer)", layer: () => new extra.UpSampling3D({ size: [2, 1, 3] }), inputShape: [2, 2, 2, 2] },
  { name: "GlobalAveragePooling3D (tslab-fit layer)", layer: () => new extra.GlobalAveragePooling3D(), inputShape: [2, 3, 2, 4] },
  { name: "GlobalMaxPooling3D (tslab-fit layer)", layer: () => new extra.GlobalMaxPooling3D(), inputShape: [2, 3, 2, 4] },
  { name: "SpatialDropout2D (tslab-fit layer, inference)", layer: () => new extra.SpatialDropout2D({ rate: 0.5 }), inputShape: [3, 3, 2] },
  ...(["concat", "sum", "mul", "ave"] as const).map((mode) => ({
    name: `Bidirectional(LSTM) ${mode}`,
    layer: () => L.bidirectional({ layer: L.lstm({ units: 2, recurrentActivation: "sigmoid", returnSequences: mode !== "ave" }) as tf.RNN, mergeMode: mode }),
    inputShape: [4, 3],
  })),
];

describe("numerics equal to Keras's math on the saved weights", { skip }, () => {
  before(async () => {
    await tf.setBackend("cpu");
    dir = mkdtempSync(path.join(os.tmpdir(), "tslab-fit-kmath-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const runs = CASES.flatMap((c) => [{ c, best: false }, ...(c.alsoOnBestBackend ? [{ c, best: true }] : [])]);
  for (const { c, best } of runs) {
    it(best ? `${c.name}, on the best backend` : c.name, async () => {
      if (best) await useBestBackend({ quiet: true });
      else await tf.setBackend("cpu");
      const x = tf.input({ shape: c.inputShape });
      const model = tf.model({ inputs: x, outputs: c.layer().apply(x) as tf.SymbolicTensor });
      model.weights.forEach((w, i) => w.write(tf.randomUniform(w.shape, -0.7, 0.7, "float32", 40 + i)));
      const file = path.join(dir, `${c.name.replace(/\W+/g, "_")}${best ? "_best" : ""}.keras`);
      await saveKeras(model, file, { onWarning: () => {} });
      const input = tf.randomNormal([2, ...c.inputShape], 0, 1, "float32", 8);
      const inputFile = `${file}.json`;
      writeFileSync(inputFile, JSON.stringify(input.arraySync()));
      const r = spawnSync(python!, [SCRIPT, file, inputFile], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      const keras = (JSON.parse(r.stdout) as number[]).flat(Infinity) as number[];
      const ours = Array.from(await (model.predict(input) as tf.Tensor).data());
      assert.equal(ours.length, keras.length, "output size");
      for (let i = 0; i < ours.length; i++) {
        assert.ok(Math.abs(ours[i] - keras[i]) <= 1e-5 * (1 + Math.abs(keras[i])), `[${i}] tfjs ${ours[i]} vs Keras math ${keras[i]}`);
      }
    });
  }
});
