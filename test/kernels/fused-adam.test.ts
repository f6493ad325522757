import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { AdamW, loadMnist } from "../../src/index.ts"; // registers the kernels and the fused Adam step
import { FUSED_ADAM, fusedAdam, fusedAdamStep } from "../../src/kernels/wasm/adam.ts";
import { useFusedAdam, useStockAdam } from "../../src/optimizers/fused-adam.ts";
import { setLearningRate } from "../../src/fit/optimizer.ts";

// tslab-fit's fused Adam step (one kernel for all variables, WebAssembly SIMD) against tfjs's own AdamOptimizer
// (14 kernels per variable), both on wasm in this process: the same float32 operations in the same order, so weights,
// moments, accBeta and iterations must be equal bit for bit after hundreds of steps — not merely close.

type Build = () => tf.LayersModel;

const mlp: Build = () => {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 64, activation: "relu", inputShape: [784], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.002), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  return model;
};

// Embedding, Conv1D and Dense: variables of 300, 90, 5, 15 and 3 values (not multiples of the SIMD width).
const textModel = (optimizer: () => tf.Optimizer): Build => () => {
  const model = tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: 50, outputDim: 6, inputLength: 12, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 3 }) }),
      tf.layers.conv1d({ filters: 5, kernelSize: 3, activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
      tf.layers.globalMaxPooling1d(),
      tf.layers.dense({ units: 3, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }),
    ],
  });
  model.compile({ optimizer: optimizer(), loss: "sparseCategoricalCrossentropy" });
  return model;
};

let digits: { x: tf.Tensor; y: tf.Tensor };
let text: { x: tf.Tensor; y: tf.Tensor };

interface Run {
  losses: number[];
  weights: Float32Array[];
  slots: { name: string; values: Float32Array }[];
  accBeta: number[];
  iterations: number;
}

/** `steps` train steps through tfjs's train function (what model.fit and tslab-fit's fit call), batch 32. */
async function train(build: Build, data: { x: tf.Tensor; y: tf.Tensor }, steps: number, fused: boolean, during?: (model: tf.LayersModel, step: number) => Promise<void>): Promise<Run> {
  (fused ? useFusedAdam : useStockAdam)();
  try {
    const model = build();
    const trainFunction = (model as unknown as { model: { makeTrainFunction(): (d: tf.Tensor[]) => tf.Scalar[] } }).model.makeTrainFunction();
    const batches = Math.floor(data.x.shape[0] / 32);
    const losses: number[] = [];
    for (let s = 0; s < steps; s++) {
      await during?.(model, s);
      const k = s % batches;
      const xb = data.x.slice(k * 32, 32), yb = data.y.slice(k * 32, 32);
      const out = trainFunction([xb, yb]);
      losses.push(out[0].dataSync()[0]);
      tf.dispose([...out, xb, yb]);
    }
    const opt = model.optimizer as unknown as { accBeta1: tf.Tensor; accBeta2: tf.Tensor; iterations: number };
    const run: Run = {
      losses,
      weights: model.getWeights().map((w) => w.dataSync() as Float32Array),
      slots: (await model.optimizer.getWeights()).map((w) => ({ name: w.name.replace(/\d+\//g, "/"), values: w.tensor.dataSync() as Float32Array })),
      accBeta: [opt.accBeta1.dataSync()[0], opt.accBeta2.dataSync()[0]],
      iterations: opt.iterations,
    };
    model.dispose();
    return run;
  } finally {
    useFusedAdam();
  }
}

function assertIdentical(fused: Run, stock: Run, what: string): void {
  assert.deepEqual(fused.losses, stock.losses, `${what}: losses step by step`);
  fused.weights.forEach((w, i) => assert.deepEqual(w, stock.weights[i], `${what}: weight ${i}`));
  // Slot names differ only in the layers' numbering (a new model each run); order and values must match.
  assert.deepEqual(fused.slots.map((s) => s.name), stock.slots.map((s) => s.name), `${what}: optimizer slot names`);
  fused.slots.forEach((s, i) => assert.deepEqual(s.values, stock.slots[i].values, `${what}: optimizer slot ${s.name}`));
  assert.deepEqual(fused.accBeta, stock.accBeta, `${what}: accBeta1/2`);
  assert.equal(fused.iterations, stock.iterations, `${what}: iterations`);
}

describe("the fused Adam step on wasm equals tfjs's AdamOptimizer bit for bit", () => {
  before(async () => {
    assert.ok(await tf.setBackend("wasm"), "the wasm backend starts");
    const m = loadMnist({ flatten: true, normalize: true, limit: 640 });
    digits = { x: m.x, y: m.y.cast("float32") };
    // Sequences of 12 ids; the class is which third of the vocabulary most ids fall in.
    const ids = Array.from({ length: 320 * 12 }, (_, i) => (i * 7919 + Math.floor(i / 12) * 31) % 50);
    const labels = Array.from({ length: 320 }, (_, r) => Math.floor((ids.slice(r * 12, r * 12 + 12).reduce((a, b) => a + b, 0) / 12) / 17));
    text = { x: tf.tensor2d(ids, [320, 12]), y: tf.tensor1d(labels) };
  });

  it("is what AdamOptimizer runs on wasm: one kernel per step instead of 14 per variable", async () => {
    const model = mlp();
    const trainFunction = (model as unknown as { model: { makeTrainFunction(): (d: tf.Tensor[]) => tf.Scalar[] } }).model.makeTrainFunction();
    const xb = digits.x.slice(0, 32), yb = digits.y.slice(0, 32);
    const kernels = async () => (await tf.profile(() => tf.dispose(trainFunction([xb, yb])))).kernels.map((k) => k.name);
    const fused = await kernels();
    useStockAdam();
    const stock = await kernels();
    useFusedAdam();
    assert.equal(fused.filter((k) => k === FUSED_ADAM).length, 1);
    assert.equal(stock.filter((k) => k === FUSED_ADAM).length, 0);
    assert.ok(stock.length - fused.length >= 50, `kernels per step: ${stock.length} stock, ${fused.length} fused`);
    tf.dispose([xb, yb]);
    model.dispose();
  });

  it("seed MLP, 300 steps: weights, moments, accBeta, iterations and every step's loss", async () => {
    assertIdentical(await train(mlp, digits, 300, true), await train(mlp, digits, 300, false), "MLP");
  });

  it("Embedding + Conv1D + Dense, 200 steps, learning rate lowered at step 100 (as ReduceLROnPlateau does)", async () => {
    const lower = async (model: tf.LayersModel, step: number) => {
      if (step === 100) setLearningRate(model.optimizer, 0.0003);
    };
    const build = textModel(() => tf.train.adam(0.01));
    const fused = await train(build, text, 200, true, lower);
    assertIdentical(fused, await train(build, text, 200, false, lower), "text model");
    // The new rate took effect: without the change the run differs from step 101 on.
    const unchanged = await train(build, text, 200, true);
    assert.deepEqual(unchanged.losses.slice(0, 101), fused.losses.slice(0, 101));
    assert.notDeepEqual(unchanged.losses.slice(101), fused.losses.slice(101));
  });

  it("AdamW (tslab-fit's subclass, weight decay before the Adam step), 150 steps", async () => {
    const build = textModel(() => new AdamW(0.01, 0.9, 0.999, 1e-7, 0.05));
    assertIdentical(await train(build, text, 150, true), await train(build, text, 150, false), "AdamW");
  });

  it("optimizer state saved by stock Adam and loaded with setWeights continues identically with either step", async () => {
    let saved: tf.NamedTensor[] = [];
    const save = async (model: tf.LayersModel, step: number) => {
      if (step === 60) saved = (await model.optimizer.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    };
    let weights: tf.Tensor[] = [];
    const keep = async (model: tf.LayersModel, step: number) => {
      await save(model, step);
      if (step === 60) weights = model.getWeights().map((w) => w.clone());
    };
    // A first run saves its state at step 60; two fresh models load it, one continues fused, the other stock.
    await train(mlp, digits, 61, false, keep);
    const restore = async (model: tf.LayersModel, step: number) => {
      if (step !== 0) return;
      model.setWeights(weights);
      await model.optimizer.setWeights(saved.map((w) => ({ name: w.name, tensor: w.tensor.clone() })));
    };
    assertIdentical(await train(mlp, digits, 80, true, restore), await train(mlp, digits, 80, false, restore), "restored");
    tf.dispose([...weights, ...saved.map((w) => w.tensor)]);
  });

  it("the JavaScript loop (where WebAssembly SIMD is missing) equals the SIMD kernel", () => {
    const n = 1003;
    const inputs = {
      accBeta1: tf.scalar(0.9 ** 7), accBeta2: tf.scalar(0.999 ** 7),
      value0: tf.randomNormal([n], 0, 1, "float32", 1), m0: tf.randomNormal([n], 0, 0.1, "float32", 2),
      v0: tf.randomUniform([n], 0, 0.01, "float32", 3), grad0: tf.randomNormal([n], 0, 1, "float32", 4),
    };
    const attrs = { count: 1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, learningRate: 0.001 };
    const backend = tf.backend();
    const simd = fusedAdam({ inputs, backend, attrs }) as tf.TensorInfo[];
    const js = fusedAdamStep({ inputs, backend, attrs } as Parameters<tf.KernelFunc>[0], false);
    const read = (infos: tf.TensorInfo[]) => infos.map((i) => Array.from(backend.readSync(i.dataId) as Float32Array));
    const [a, b] = [read(simd), read(js)];
    assert.equal(a.length, 5);
    a.forEach((values, i) => assert.deepEqual(values, b[i], `output ${i}`));
    // Not a no-op: the weights moved.
    assert.notDeepEqual(a[2], Array.from(inputs.value0.dataSync()));
    [...simd, ...js].forEach((i) => backend.disposeData(i.dataId));
    tf.dispose(Object.values(inputs));
  });

  it("leaves other backends to tfjs's own step (cpu: no fused kernel there)", async () => {
    await tf.setBackend("cpu");
    try {
      const v = tf.variable(tf.ones([5]));
      const opt = tf.train.adam(0.1);
      opt.minimize(() => v.square().sum() as tf.Scalar);
      assert.deepEqual(Array.from(v.dataSync()).map((x) => Math.round(x * 1000) / 1000), [0.9, 0.9, 0.9, 0.9, 0.9]);
      opt.dispose();
      v.dispose();
    } finally {
      await tf.setBackend("wasm");
    }
  });
});
