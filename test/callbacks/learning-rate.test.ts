import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { fit, getLearningRate, LambdaCallback, LearningRateScheduler, ReduceLROnPlateau, type Logs } from "../../src/index.js";
import { captureConsole, toyData, tinyModel, useCpu } from "../helpers.js";

before(useCpu);

function scripted(key: string, values: number[]) {
  return new LambdaCallback({ onEpochEnd: (epoch: number, logs: Logs) => void (logs[key] = values[epoch]) });
}

/** The size of one SGD step on fixed data: proportional to the learning rate the optimizer really uses. */
async function stepSize(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<number> {
  const before = model.getWeights().map((w) => w.clone());
  await model.trainOnBatch(x, y.cast("float32"));
  const delta = tf.tidy(() => model.getWeights().reduce((s, w, i) => s + w.sub(before[i]).abs().sum().dataSync()[0], 0));
  model.setWeights(before);
  tf.dispose(before);
  return delta;
}

const optimizers: Array<[string, () => tf.Optimizer, number]> = [
  ["sgd", () => tf.train.sgd(0.1), 0.1],
  ["momentum", () => tf.train.momentum(0.1, 0), 0.1],
  ["adam", () => tf.train.adam(0.01), 0.01],
  ["rmsprop", () => tf.train.rmsprop(0.01), 0.01],
  ["adagrad", () => tf.train.adagrad(0.1), 0.1],
  ["adamax", () => tf.train.adamax(0.01), 0.01],
];

describe("LearningRateScheduler", () => {
  for (const [name, make, lr0] of optimizers) {
    it(`really changes the rate of ${name} (the step shrinks with it) and logs learning_rate`, async () => {
      const { x, y } = toyData(24);
      const model = tinyModel({ optimizer: make() });
      const sizes: number[] = [];
      const probe = new LambdaCallback({ onEpochBegin: async () => void sizes.push(await stepSize(model, x.slice(0, 8), y.slice(0, 8))) });
      const scheduler = new LearningRateScheduler((epoch) => (epoch === 0 ? lr0 : lr0 / 100));
      const history = await fit(model, x, y, { epochs: 2, verbose: 0, callbacks: [scheduler, probe] });
      assert.deepEqual(history.history.learning_rate, [lr0, lr0 / 100]);
      assert.ok(sizes[1] < sizes[0] / 5, `${name}: step ${sizes[1]} should be far smaller than ${sizes[0]}`);
    });
  }

  it("passes the 0-based epoch and current rate; a non-number result is an error", async () => {
    const { x, y } = toyData(12);
    const seen: Array<[number, number]> = [];
    const s = new LearningRateScheduler((epoch, lr) => (seen.push([epoch, lr]), lr * 0.5));
    await fit(tinyModel({ optimizer: tf.train.sgd(1) }), x, y, { epochs: 3, verbose: 0, callbacks: [s] });
    assert.deepEqual(seen, [[0, 1], [1, 0.5], [2, 0.25]]);
    const bad = new LearningRateScheduler(() => "0.1" as never);
    await assert.rejects(fit(tinyModel(), x, y, { verbose: 0, callbacks: [bad] }), /schedule must return a finite number; at epoch 0 it returned 0.1/);
  });
});

describe("ReduceLROnPlateau", () => {
  it("reduces after `patience` flat epochs, then cools down; logs learning_rate each epoch", async () => {
    const { x, y } = toyData(12);
    const model = tinyModel({ optimizer: tf.train.sgd(1) });
    // Keras counts the cooldown down before checking it, so cooldown 2 leaves one quiet epoch between cuts.
    const r = new ReduceLROnPlateau({ factor: 0.5, patience: 1, cooldown: 2, verbose: 1 });
    const { result: history, logs } = await captureConsole(() =>
      fit(model, x, y, { epochs: 6, verbose: 0, callbacks: [scripted("val_loss", [1, 1, 1, 1, 1, 1]), r] }),
    );
    // learning_rate is written before this epoch's reduction (Keras order).
    assert.deepEqual(history.history.learning_rate, [1, 1, 0.5, 0.5, 0.25, 0.25]);
    assert.equal(getLearningRate(model.optimizer), 0.125);
    assert.ok(logs.includes("Epoch 2: ReduceLROnPlateau reducing learning rate to 0.5."));
    assert.deepEqual(history.events.filter((e) => e.kind === "learning_rate").map((e) => e.epoch), [1, 3, 5]);
  });

  it("never goes below minLr and does not reduce while improving", async () => {
    const { x, y } = toyData(12);
    const model = tinyModel({ optimizer: tf.train.sgd(1) });
    const r = new ReduceLROnPlateau({ factor: 0.1, patience: 0, minLr: 0.05, minDelta: 0 });
    await fit(model, x, y, { epochs: 5, verbose: 0, callbacks: [scripted("val_loss", [5, 4, 4, 4, 4]), r] });
    assert.equal(getLearningRate(model.optimizer), 0.05);
  });

  it("the SGD step really shrinks after a reduction", async () => {
    const { x, y } = toyData(24);
    const model = tinyModel({ optimizer: tf.train.sgd(0.5) });
    const sizes: number[] = [];
    const probe = new LambdaCallback({ onEpochBegin: async () => void sizes.push(await stepSize(model, x.slice(0, 8), y.slice(0, 8))) });
    await fit(model, x, y, { epochs: 3, verbose: 0, callbacks: [scripted("val_loss", [1, 1, 1]), new ReduceLROnPlateau({ factor: 0.01, patience: 0 }), probe] });
    assert.ok(sizes[2] < sizes[0] / 10);
  });

  it("rejects factor >= 1 and other bad arguments", () => {
    assert.throws(() => new ReduceLROnPlateau({ factor: 1 }), /factor must be a number >= 0 and < 1/);
    assert.throws(() => new ReduceLROnPlateau({ factor: 2 }), /factor/);
    assert.throws(() => new ReduceLROnPlateau({ patience: -2 }), /patience must be an integer >= 0/);
    assert.throws(() => new ReduceLROnPlateau({ cooldown: 0.5 }), /cooldown must be an integer/);
    assert.throws(() => new ReduceLROnPlateau({ minLr: -1 }), /minLr must be a number >= 0/);
    assert.throws(() => new ReduceLROnPlateau({ mode: "down" as never }), /mode must be/);
  });
});
