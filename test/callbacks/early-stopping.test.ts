import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Callback, EarlyStopping, fit, LambdaCallback, type Logs } from "../../src/index.js";
import { captureConsole, toyData, tinyModel, useCpu, weightsOf } from "../helpers.js";

before(useCpu);

/** Replaces the monitored value of each epoch by a scripted one, so the stopping logic is tested exactly. */
function scripted(key: string, values: number[]): Callback {
  return new LambdaCallback({ onEpochEnd: (epoch: number, logs: Logs) => void (logs[key] = values[epoch]) });
}

async function run(values: number[], options: ConstructorParameters<typeof EarlyStopping>[0], key = "val_loss") {
  const { x, y } = toyData(12);
  const es = new EarlyStopping(options);
  const { result: history, logs, warnings } = await captureConsole(() =>
    fit(tinyModel(), x, y, { epochs: values.length, verbose: 0, callbacks: [scripted(key, values), es] }),
  );
  return { es, epochs: history.epoch, logs, warnings };
}

describe("EarlyStopping", () => {
  it("stops after `patience` epochs without improvement", async () => {
    const { es, epochs } = await run([1.0, 0.8, 0.9, 0.85, 0.95, 0.5], { patience: 3 });
    assert.deepEqual(epochs, [0, 1, 2, 3, 4]);
    assert.equal(es.stoppedEpoch, 4);
    assert.equal(es.bestEpoch, 1);
  });

  it("with patience 0 stops at the first non-improving epoch, but never at epoch 0", async () => {
    const { epochs } = await run([1.0, 1.2, 0.5], { patience: 0 });
    assert.deepEqual(epochs, [0, 1]);
  });

  it("minDelta: a smaller improvement does not count", async () => {
    const { epochs } = await run([1.0, 0.95, 0.9, 0.5], { patience: 1, minDelta: 0.1 });
    assert.deepEqual(epochs, [0, 1]);
  });

  it("mode auto: accuracy-like keys go up, loss-like down", async () => {
    const up = await run([0.5, 0.6, 0.7, 0.6, 0.5], { monitor: "val_accuracy", patience: 1 }, "val_accuracy");
    assert.deepEqual(up.epochs, [0, 1, 2, 3]);
    const auc = await run([0.5, 0.4, 0.6], { monitor: "val_auc", patience: 1 }, "val_auc");
    assert.deepEqual(auc.epochs, [0, 1], "auc is maximised (tfjs minimises it)");
    const mae = await run([0.5, 0.4, 0.3], { monitor: "val_mae", patience: 0 }, "val_mae");
    assert.deepEqual(mae.epochs, [0, 1, 2]);
  });

  it("mode auto understands tfjs's camelCase metric names", async () => {
    const { directionOf } = await import("../../src/callbacks/monitor.js");
    assert.equal(directionOf("val_categoricalAccuracy"), "max");
    assert.equal(directionOf("sparseCategoricalAccuracy"), "max");
    assert.equal(directionOf("binaryAccuracy"), "max");
    assert.equal(directionOf("val_meanSquaredError"), "min");
    assert.equal(directionOf("categoricalCrossentropy"), "min");
  });

  it("mode auto throws a clear error when the direction cannot be told", async () => {
    await assert.rejects(run([1, 2], { monitor: "val_weird", patience: 1 }, "val_weird"), /cannot tell whether "val_weird".*mode: "max" or mode: "min"/);
  });

  it("baseline: an improvement that does not beat the baseline keeps counting; the best is restored", async () => {
    const { x, y } = toyData(12);
    const model = tinyModel();
    const snapshots: number[][][] = [];
    const recorder = new LambdaCallback({ onEpochEnd: () => void snapshots.push(weightsOf(model)) });
    const es = new EarlyStopping({ baseline: 0.1, patience: 2, restoreBestWeights: true });
    const history = await fit(model, x, y, { epochs: 6, verbose: 0, callbacks: [scripted("val_loss", [0.5, 0.4, 0.45, 0.3, 0.2, 0.1]), recorder, es] });
    // Keras: wait grows every epoch and resets only when the value also beats the baseline; the stop check runs
    // on a non-improving epoch: 0.5 (wait 1), 0.4 (wait 2), 0.45 (wait 3 >= 2) → stop at epoch 2.
    assert.deepEqual(history.epoch, [0, 1, 2]);
    assert.equal(es.bestEpoch, 1);
    assert.deepEqual(weightsOf(model), snapshots[1]);
  });

  it("startFromEpoch: warm-up epochs neither count nor set best", async () => {
    const { epochs, es } = await run([0.1, 0.1, 1.0, 1.1, 1.2, 1.3], { patience: 1, startFromEpoch: 2 });
    assert.deepEqual(epochs, [0, 1, 2, 3]);
    assert.equal(es.bestEpoch, 2);
  });

  it("a missing monitor warns with the available keys and does not stop", async () => {
    const { epochs, warnings } = await run([1, 2, 3], { monitor: "val_nope", patience: 0 }, "val_loss");
    assert.deepEqual(epochs, [0, 1, 2]);
    assert.match(warnings[0], /conditioned on metric `val_nope` which is not available. Available metrics are: .*val_loss/);
  });

  it("restoreBestWeights restores at train end even when the epochs run out (not only on an early stop)", async () => {
    const { x, y } = toyData(30);
    const model = tinyModel();
    const snapshots: number[][][] = [];
    const recorder = new LambdaCallback({ onEpochEnd: () => void snapshots.push(weightsOf(model)) });
    const es = new EarlyStopping({ patience: 10, restoreBestWeights: true, verbose: 1 });
    const { logs } = await captureConsole(() =>
      fit(model, x, y, { epochs: 4, verbose: 0, callbacks: [scripted("val_loss", [0.9, 0.3, 0.5, 0.6]), recorder, es] }),
    );
    assert.equal(es.stoppedEpoch, 0, "did not stop early");
    assert.notDeepEqual(snapshots[1], snapshots[3], "training kept changing the weights");
    assert.deepEqual(weightsOf(model), snapshots[1], "weights are those of the best epoch, cloned when it ended");
    assert.ok(logs.some((l) => l.includes("Restoring model weights from the end of the best epoch: 2.")));
  });

  it("restoreBestWeights also restores when another callback stopped training", async () => {
    const { x, y } = toyData(30);
    const model = tinyModel();
    const snapshots: number[][][] = [];
    const recorder = new LambdaCallback({ onEpochEnd: () => void snapshots.push(weightsOf(model)) });
    const stopper = new LambdaCallback({ onEpochEnd: function (this: Callback, e: number) { if (e === 2) this.model.stopTraining = true; } });
    const es = new EarlyStopping({ patience: 10, restoreBestWeights: true });
    await fit(model, x, y, { epochs: 10, verbose: 0, callbacks: [scripted("val_loss", [0.2, 0.5, 0.6]), recorder, stopper, es] });
    assert.deepEqual(weightsOf(model), snapshots[0]);
  });

  it("does not leak the weight snapshots", async () => {
    const { x, y } = toyData(30);
    const model = tinyModel();
    await fit(model, x, y, { epochs: 1, verbose: 0 });
    const before = tf.memory().numTensors;
    await fit(model, x, y, { epochs: 4, verbose: 0, callbacks: [scripted("val_loss", [0.5, 0.4, 0.3, 0.6]), new EarlyStopping({ restoreBestWeights: true, patience: 5 })] });
    assert.equal(tf.memory().numTensors, before);
  });

  it("is reusable across fits (state resets in onTrainBegin)", async () => {
    const es = new EarlyStopping({ patience: 0 });
    const { x, y } = toyData(12);
    const model = tinyModel();
    await fit(model, x, y, { epochs: 3, verbose: 0, callbacks: [scripted("val_loss", [1, 2, 3]), es] });
    assert.equal(es.stoppedEpoch, 1);
    const h = await fit(model, x, y, { epochs: 3, verbose: 0, callbacks: [scripted("val_loss", [5, 4, 3]), es] });
    assert.deepEqual(h.epoch, [0, 1, 2]);
    assert.equal(es.stoppedEpoch, 0);
  });

  it("records the stop in the fit's events (for charts)", async () => {
    const { x, y } = toyData(12);
    const history = await fit(tinyModel(), x, y, { epochs: 5, verbose: 0, callbacks: [scripted("val_loss", [1, 2, 3, 4, 5]), new EarlyStopping({ patience: 1 })] });
    assert.deepEqual(history.events.filter((e) => e.kind === "early_stopping").map((e) => e.epoch), [1]);
  });

  it("rejects bad arguments with clear errors", () => {
    assert.throws(() => new EarlyStopping({ mode: "up" as never }), /mode must be "auto", "min" or "max", got "up"/);
    assert.throws(() => new EarlyStopping({ patience: -1 }), /patience must be an integer >= 0, got -1/);
    assert.throws(() => new EarlyStopping({ startFromEpoch: 1.5 }), /startFromEpoch must be an integer/);
    assert.throws(() => new EarlyStopping({ monitor: "" }), /monitor must be a logs key/);
  });
});
