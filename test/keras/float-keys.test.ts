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
import { gruResetAfter, normalization } from "../../src/layers/index.js";

/** Keras 3 constructor arguments that are floats (validated or documented as such). */
const FLOATS = new Set([
  "learning_rate", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue", "ema_momentum", "loss_scale_factor",
  "beta_1", "beta_2", "epsilon", "momentum", "rho", "initial_accumulator_value", "rate", "dropout",
  "recurrent_dropout", "scale", "offset", "negative_slope", "mean", "variance", "stddev", "minval", "maxval", "gain",
  "value", "l1", "l2", "max_value", "min_value", "label_smoothing", "loss_weights",
]);
/** Keras 3 arguments and config entries that are ints. */
const INTS = new Set([
  "units", "filters", "kernel_size", "strides", "pool_size", "dilation_rate", "groups", "axis", "input_dim",
  "output_dim", "seed", "target_shape", "size", "padding", "batch_shape", "input_shape", "build_input_shape",
  "noise_shape", "steps_per_execution", "ema_overwrite_frequency", "gradient_accumulation_steps",
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

function checkSites(text: string, label: string): number {
  const sites = numberSites(text);
  for (const { key, literal } of sites) {
    const isFloat = /[.eE]/.test(literal);
    if (FLOATS.has(key)) assert.ok(isFloat, `${label}: "${key}": ${literal} must be written as a float`);
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
});
