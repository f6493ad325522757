// Issue 9 item 1: Keras validates several arguments as Python floats, so integer-valued floats must be written as
// `0.0`/`1.0`, while ints stay ints. The written config.json is walked, number by number, against a table of which
// keys Keras 3 takes as floats and which as ints; a numeric key in neither table fails the test until classified.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { kerasArchiveBytes } from "../../src/io/keras/index.js";
import { readZip } from "../../src/io/keras/zip.js";
import { fromLogitsLoss, weightedLoss } from "../../src/io/keras/losses.js";
import * as extra from "../../src/layers/keras-extra.js";
import { gruResetAfter, kerasCategoryEncoding, kerasCenterCrop, kerasResizing, normalization } from "../../src/layers/index.js";
import { AdamW } from "../../src/optimizers/adamw.js";

/** Keras 3 constructor arguments that are floats (validated or documented as such). */
const FLOATS = new Set([
  "learning_rate", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue", "ema_momentum", "loss_scale_factor",
  "beta_1", "beta_2", "epsilon", "momentum", "rho", "initial_accumulator_value", "rate", "dropout",
  "recurrent_dropout", "scale", "offset", "negative_slope", "mean", "variance", "stddev", "minval", "maxval", "gain",
  "value", "l1", "l2", "max_value", "min_value", "label_smoothing", "loss_weights", "alpha", "threshold", "mask_value",
  "fill_value",
]);
/** Keras 3 arguments and config entries that are ints. */
const INTS = new Set([
  "units", "filters", "kernel_size", "strides", "pool_size", "dilation_rate", "groups", "axis", "input_dim",
  "output_dim", "seed", "target_shape", "size", "padding", "batch_shape", "input_shape", "build_input_shape",
  "noise_shape", "steps_per_execution", "ema_overwrite_frequency", "gradient_accumulation_steps",
  "cropping", "depth_multiplier", "output_padding", "n", "dims", "axes", "shared_axes", "shape", "keras_history",
  "input_layers", "output_layers", "height", "width", "num_tokens",
]);

interface NumberSite {
  key: string;
  literal: string;
}

/** Every number literal in a JSON text with the object key it sits under (through lists), keeping its spelling. */
function numberSites(text: string): NumberSite[] {
  const sites: NumberSite[] = [];
  const keys: (string | null)[] = []; // key per open container; null for a list (inherits the parent's key)
  let pendingKey: string | null = null;
  let i = 0;
  const currentKey = () => {
    for (let k = keys.length - 1; k >= 0; k--) if (keys[k] !== null) return keys[k]!;
    return "";
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      const s = JSON.parse(text.slice(i, j + 1)) as string;
      i = j + 1;
      while (text[i] === " ") i++;
      if (text[i] === ":") pendingKey = s;
      continue;
    }
    if (c === "{") keys.push(pendingKey ?? "");
    else if (c === "[") keys.push(pendingKey ?? null);
    else if (c === "}" || c === "]") keys.pop();
    else if (c === "," || c === ":" || c === " ") {
      if (c === ",") pendingKey = null;
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i))!;
      sites.push({ key: pendingKey ?? currentKey(), literal: m[0] });
      i += m[0].length;
      continue;
    }
    if (c === "{" || c === "[") pendingKey = null;
    i++;
  }
  return sites;
}

/** `floatNames`: dict keys whose values are floats (output names under `loss_weights`). */
function checkSites(text: string, label: string, floatNames: string[] = []): number {
  const sites = numberSites(text);
  for (const { key, literal } of sites) {
    const isFloat = /[.eE]/.test(literal);
    if (FLOATS.has(key) || floatNames.includes(key)) assert.ok(isFloat, `${label}: "${key}": ${literal} must be written as a float`);
    else if (INTS.has(key)) assert.ok(!isFloat, `${label}: "${key}": ${literal} must be written as an int`);
    else assert.fail(`${label}: numeric key "${key}" (${literal}) is in neither table; classify it`);
  }
  return sites.length;
}

async function configText(model: tf.LayersModel): Promise<string> {
  const members = readZip(await kerasArchiveBytes(model, { onWarning: () => {} }));
  return new TextDecoder().decode(members.get("config.json")!);
}

let dir: string;
before(async () => {
  await tf.setBackend("cpu");
  dir = mkdtempSync(path.join(os.tmpdir(), "tslab-fit-floats-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("config.json: float-typed arguments are JSON floats, ints stay ints", () => {
  it("the walker sees keys through lists and nesting", () => {
    assert.deepEqual(numberSites('{"a": 1, "b": [2, 3.0], "c": {"d": [[4]], "e": 5e-07}}'), [
      { key: "a", literal: "1" },
      { key: "b", literal: "2" },
      { key: "b", literal: "3.0" },
      { key: "d", literal: "4" },
      { key: "e", literal: "5e-07" },
    ]);
  });

  it("integer-valued layer, initializer, regularizer and constraint settings", async () => {
    const m = tf.sequential({
      layers: [
        tf.layers.rescaling({ scale: 2, offset: 0, inputShape: [6, 6, 1] }),
        tf.layers.conv2d({
          filters: 2, kernelSize: 3, strides: 1,
          kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: 3 }),
          biasInitializer: tf.initializers.constant({ value: 1 }),
          kernelRegularizer: tf.regularizers.l1l2({ l1: 1, l2: 2 }),
          kernelConstraint: tf.constraints.maxNorm({ maxValue: 2, axis: 0 }),
        }),
        tf.layers.batchNormalization({ momentum: 1, epsilon: 1 }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dropout({ rate: 0 }),
        tf.layers.dense({
          units: 4,
          kernelInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1 }),
          biasConstraint: tf.constraints.minMaxNorm({ minValue: 0, maxValue: 1, rate: 1 }),
        }),
        tf.layers.layerNormalization({ epsilon: 1 }),
        tf.layers.leakyReLU({ alpha: 0 }),
        tf.layers.reshape({ targetShape: [4, 1] }),
        normalization({ axis: 1, mean: [0, 1, 2, 3], variance: [1, 1, 4, 4] }),
        tf.layers.lstm({ units: 2, recurrentInitializer: tf.initializers.orthogonal({ gain: 1 }), dropout: 0, recurrentDropout: 0, returnSequences: true }),
        gruResetAfter({ units: 2, dropout: 0 }),
        tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.varianceScaling({ scale: 3, mode: "fanIn", distribution: "uniform" }) }),
      ],
    });
    m.compile({ optimizer: tf.train.sgd(1), loss: "meanSquaredError" });
    const text = await configText(m);
    assert.ok(checkSites(text, "layers") > 20);
    for (const s of ['"scale": 2.0', '"offset": 0.0', '"momentum": 1.0', '"rate": 0.0', '"l1": 1.0', '"l2": 2.0', '"gain": 1.0', '"value": 1.0', '"negative_slope": 0.0', '"dropout": 0.0', '"learning_rate": 1.0', '"mean": [0.0, 1.0, 2.0, 3.0]', '"axis": [1]']) {
      assert.ok(text.includes(s), `config.json has ${s}`);
    }
    assert.ok(text.includes('"units": 4') && text.includes('"filters": 2') && text.includes('"kernel_size": [3, 3]'));
  });

  const OPTIMIZERS: [string, () => tf.Optimizer, string[]][] = [
    ["plain SGD", () => tf.train.sgd(0.01), ['"momentum": 0.0']],
    ["SGD learning rate 1", () => tf.train.sgd(1), ['"learning_rate": 1.0']],
    ["momentum", () => tf.train.momentum(1, 1), ['"momentum": 1.0']],
    ["Adam", () => tf.train.adam(1, 0, 1, 1), ['"beta_1": 0.0', '"beta_2": 1.0', '"epsilon": 1.0']],
    ["RMSprop", () => tf.train.rmsprop(1, 1, 0, 1), ['"rho": 1.0', '"momentum": 0.0']],
    ["Adagrad", () => tf.train.adagrad(1, 1), ['"initial_accumulator_value": 1.0']],
    ["Adadelta", () => tf.train.adadelta(1, 1, 1), ['"rho": 1.0']],
    ["Adamax", () => tf.train.adamax(1, 0, 1, 1), ['"beta_1": 0.0']],
  ];
  for (const [label, make, expected] of OPTIMIZERS) {
    it(`optimizer ${label}`, async () => {
      const m = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
      m.compile({ optimizer: make(), loss: "meanSquaredError", metrics: ["mae"] });
      const text = await configText(m);
      checkSites(text, label);
      for (const s of [...expected, '"ema_momentum": 0.99', '"steps_per_execution": 1']) assert.ok(text.includes(s), `${label}: config.json has ${s}`);
    });
  }

  const L = tf.layers;
  const seq = (layers: tf.layers.Layer[]) => () => tf.sequential({ layers });
  // The layer families and tslab-fit layers added with the layer registry (issue 15), with integer-valued settings.
  const FAMILIES: [string, () => tf.LayersModel, string[]][] = [
    [
      "activations, reshaping and noise layers",
      seq([
        L.elu({ alpha: 1, inputShape: [5] }), L.reLU({ maxValue: 6 }), L.thresholdedReLU({ theta: 1 }), L.repeatVector({ n: 3 }),
        L.permute({ dims: [2, 1] }), L.prelu({ sharedAxes: [1] }), L.gaussianNoise({ stddev: 1 }), L.gaussianDropout({ rate: 0 }),
        L.alphaDropout({ rate: 0 }), L.spatialDropout1d({ rate: 0 }), L.softmax({}),
      ]),
      ['"alpha": 1.0', '"max_value": 6.0', '"threshold": 1.0', '"stddev": 1.0', '"n": 3', '"dims": [2, 1]', '"shared_axes": [1]'],
    ],
    [
      "masking, wrappers, RNN cells and 1D extras",
      seq([
        L.masking({ maskValue: 0, inputShape: [3, 4] }),
        L.bidirectional({ layer: L.lstm({ units: 2, returnSequences: true, dropout: 0, recurrentActivation: "sigmoid" }) as tf.RNN }),
        L.timeDistributed({ layer: L.dense({ units: 1 }) }),
        new extra.ZeroPadding1D({ padding: [1, 1] }), new extra.Cropping1D({ cropping: [1, 1] }), new extra.UpSampling1D({ size: 2 }),
        L.rnn({ cell: L.stackedRNNCells({ cells: [L.lstmCell({ units: 2, recurrentActivation: "sigmoid" }), L.gruCell({ units: 2, recurrentActivation: "sigmoid" })] }) }),
      ]),
      ['"mask_value": 0.0', '"recurrent_dropout": 0.0', '"cropping": [1, 1]', '"size": 2'],
    ],
    [
      "transposed, depthwise and separable convolutions, cropping, SpatialDropout2D",
      seq([
        L.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: "same", inputShape: [4, 4, 1] }),
        L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 1 }), L.separableConv2d({ filters: 2, kernelSize: 1, depthMultiplier: 1 }),
        L.cropping2D({ cropping: [[1, 0], [0, 1]] }), new extra.SpatialDropout2D({ rate: 0 }),
      ]),
      ['"depth_multiplier": 1', '"cropping": [[1, 0], [0, 1]]', '"rate": 0.0'],
    ],
    [
      "3D layers and ConvLSTM2D",
      seq([
        L.conv3d({ filters: 1, kernelSize: 1, inputShape: [2, 2, 2, 1] }), new extra.ZeroPadding3D({ padding: 1 }),
        new extra.UpSampling3D({ size: 1 }), L.maxPooling3d({ poolSize: 2 }), new extra.GlobalAveragePooling3D(),
        L.reshape({ targetShape: [1, 1, 1, 1] }), L.convLstm2d({ filters: 1, kernelSize: 1, dropout: 0, recurrentActivation: "sigmoid" }),
      ]),
      ['"pool_size": [2, 2, 2]', '"dropout": 0.0'],
    ],
    [
      "Resizing, CenterCrop and CategoryEncoding (tslab-fit's Keras-exact layers)",
      () => {
        const image = tf.input({ shape: [6, 6, 1] });
        const ids = tf.input({ shape: [3], dtype: "int32" });
        const resized = kerasResizing({ height: 4, width: 4, padToAspectRatio: true, fillValue: 2 }).apply(kerasCenterCrop({ height: 5, width: 5 }).apply(image));
        const encoded = kerasCategoryEncoding({ numTokens: 4, outputMode: "count" }).apply(ids);
        return tf.model({ inputs: [image, ids], outputs: [resized as tf.SymbolicTensor, encoded as tf.SymbolicTensor] });
      },
      ['"fill_value": 2.0', '"height": 4', '"num_tokens": 4'],
    ],
    [
      "Dot in a Functional model",
      () => {
        const a = tf.input({ shape: [4] });
        const b = tf.input({ shape: [4] });
        return tf.model({ inputs: [a, b], outputs: L.dot({ axes: 1 }).apply([a, b]) as tf.SymbolicTensor });
      },
      ['"axes": 1'],
    ],
  ];
  for (const [label, build, expected] of FAMILIES) {
    it(`layers: ${label}`, async () => {
      const text = await configText(build());
      checkSites(text, label);
      for (const s of expected) assert.ok(text.includes(s), `${label}: config.json has ${s}`);
    });
  }

  it("AdamW, per-output loss weights and from_logits losses", async () => {
    const x = tf.input({ shape: [4] });
    const a = L.dense({ units: 2, name: "out_a" }).apply(x) as tf.SymbolicTensor;
    const b = L.dense({ units: 1, name: "out_b" }).apply(x) as tf.SymbolicTensor;
    const m = tf.model({ inputs: x, outputs: [a, b] });
    m.compile({
      optimizer: new AdamW(1, 0, 1, 1, 0),
      loss: { out_a: weightedLoss(tf.losses.meanSquaredError, "mean_squared_error", 2), out_b: fromLogitsLoss("BinaryCrossentropy")! },
    });
    const text = await configText(m);
    checkSites(text, "AdamW", ["out_a", "out_b"]);
    for (const s of ['"weight_decay": 0.0', '"learning_rate": 1.0', '"beta_1": 0.0', '"loss_weights": {"out_a": 2.0, "out_b": 1.0}', '"label_smoothing": 0.0', '"axis": -1']) {
      assert.ok(text.includes(s), `config.json has ${s}`);
    }
  });
});
