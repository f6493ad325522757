import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Callback, fit, fitDataset, History, LambdaCallback, type Logs } from "../../src/index.js";
import { captureConsole, toyData, tinyModel, useCpu, weightsOf } from "../helpers.js";

before(useCpu);

/** Records every hook call with a copy of its logs. */
class Recorder extends Callback {
  calls: Array<{ hook: string; n?: number; logs: Logs }> = [];
  paramsSeen: unknown;
  modelSeen: unknown;
  private rec(hook: string, n: number | undefined, logs: Logs) {
    this.calls.push({ hook, n, logs: { ...logs } });
  }
  override onTrainBegin(l: Logs) { this.paramsSeen = this.params; this.modelSeen = this.model; this.rec("trainBegin", undefined, l); }
  override onTrainEnd(l: Logs) { this.rec("trainEnd", undefined, l); }
  override onEpochBegin(e: number, l: Logs) { this.rec("epochBegin", e, l); }
  override onEpochEnd(e: number, l: Logs) { this.rec("epochEnd", e, l); }
  override onTrainBatchBegin(b: number, l: Logs) { this.rec("batchBegin", b, l); }
  override onTrainBatchEnd(b: number, l: Logs) { this.rec("batchEnd", b, l); }
  override onTestBegin(l: Logs) { this.rec("testBegin", undefined, l); }
  override onTestEnd(l: Logs) { this.rec("testEnd", undefined, l); }
  override onTestBatchBegin(b: number, l: Logs) { this.rec("testBatchBegin", b, l); }
  override onTestBatchEnd(b: number, l: Logs) { this.rec("testBatchEnd", b, l); }
  of(hook: string) { return this.calls.filter((c) => c.hook === hook); }
}

describe("fit: hooks, params and logs", () => {
  it("calls every hook in Keras order, with params and model set, and the validation pass runs the test hooks", async () => {
    const { x, y } = toyData(40);
    const model = tinyModel();
    const rec = new Recorder();
    const history = await fit(model, x, y, { epochs: 2, batchSize: 10, validationSplit: 0.25, verbose: 0, callbacks: [rec] });
    const order = rec.calls.map((c) => c.hook + (c.n ?? ""));
    // 30 training samples → 3 batches; 10 validation samples → 1 test batch.
    assert.deepEqual(order, [
      "trainBegin",
      "epochBegin0", "batchBegin0", "batchEnd0", "batchBegin1", "batchEnd1", "batchBegin2", "batchEnd2",
      "testBegin", "testBatchBegin0", "testBatchEnd0", "testEnd", "epochEnd0",
      "epochBegin1", "batchBegin0", "batchEnd0", "batchBegin1", "batchEnd1", "batchBegin2", "batchEnd2",
      "testBegin", "testBatchBegin0", "testBatchEnd0", "testEnd", "epochEnd1",
      "trainEnd",
    ]);
    assert.equal(rec.modelSeen, model);
    assert.deepEqual(rec.paramsSeen, {
      epochs: 2, steps: 3, verbose: 0, initialEpoch: 0, batchSize: 10, samples: 30, doValidation: true,
      metrics: ["loss", "accuracy", "val_loss", "val_accuracy"],
    });
    assert.ok(history instanceof History);
    assert.deepEqual(history.epoch, [0, 1]);
  });

  it("uses Keras's key names (accuracy, not tfjs's acc), plain numbers, and no val_ prefix in test hooks", async () => {
    const { x, y } = toyData(40);
    const rec = new Recorder();
    await fit(tinyModel(), x, y, { epochs: 1, batchSize: 10, validationSplit: 0.25, verbose: 0, callbacks: [rec] });
    const epochLogs = rec.of("epochEnd")[0].logs;
    assert.deepEqual(Object.keys(epochLogs).sort(), ["accuracy", "loss", "val_accuracy", "val_loss"]);
    for (const v of Object.values(epochLogs)) assert.equal(typeof v, "number");
    assert.deepEqual(Object.keys(rec.of("batchEnd")[0].logs).sort(), ["accuracy", "loss"]);
    assert.deepEqual(Object.keys(rec.of("testEnd")[0].logs).sort(), ["accuracy", "loss"]);
    assert.equal(rec.of("testEnd")[0].logs.loss, epochLogs.val_loss);
  });

  it("keeps 'acc' when the user compiled with metrics: ['acc']", async () => {
    const { x, y } = toyData(30);
    const history = await fit(tinyModel({ metrics: ["acc"] }), x, y, { epochs: 1, verbose: 0 });
    assert.deepEqual(Object.keys(history.history).sort(), ["acc", "loss"]);
  });

  it("batch logs are sample-weighted running means over the epoch, and the epoch logs equal the last running mean", async () => {
    const { x, y } = toyData(25);
    const model = tinyModel();
    const perBatch: number[] = [];
    const sizes = [10, 10, 5];
    // Compute each batch's own loss from the running means: mean_k*n_k - mean_{k-1}*n_{k-1}.
    const rec = new Recorder();
    await fit(model, x, y, { epochs: 1, batchSize: 10, shuffle: false, verbose: 0, callbacks: [rec] });
    const means = rec.of("batchEnd").map((c) => c.logs.loss);
    let seen = 0;
    means.forEach((m, i) => {
      const before = i === 0 ? 0 : means[i - 1] * seen;
      seen += sizes[i];
      perBatch.push((m * seen - before) / sizes[i]);
    });
    // The running mean must differ from the last batch's own loss (else these would be per-batch values).
    assert.notEqual(means[2].toFixed(6), perBatch[2].toFixed(6));
    const weighted = (perBatch[0] * 10 + perBatch[1] * 10 + perBatch[2] * 5) / 25;
    assert.ok(Math.abs(weighted - means[2]) < 1e-6);
    assert.equal(rec.of("epochEnd")[0].logs.loss, means[2]);
  });

  it("gives onTrainEnd the last epoch's logs", async () => {
    const { x, y } = toyData(30);
    const rec = new Recorder();
    await fit(tinyModel(), x, y, { epochs: 3, verbose: 0, callbacks: [rec] });
    assert.deepEqual(rec.of("trainEnd")[0].logs, rec.of("epochEnd")[2].logs);
  });

  it("appends History after user callbacks so keys they add reach it", async () => {
    const { x, y } = toyData(30);
    const adder = new LambdaCallback({ onEpochEnd: (_e, logs) => void (logs.my_key = 42) });
    const history = await fit(tinyModel(), x, y, { epochs: 2, verbose: 0, callbacks: [adder] });
    assert.deepEqual(history.history.my_key, [42, 42]);
  });

  it("runs callbacks in list order", async () => {
    const { x, y } = toyData(20);
    const seen: string[] = [];
    const a = new LambdaCallback({ onEpochEnd: () => void seen.push("a") });
    const b = { onEpochEnd: () => void seen.push("b") };
    const c = new LambdaCallback({ onEpochEnd: () => void seen.push("c") });
    await fit(tinyModel(), x, y, { epochs: 1, verbose: 0, callbacks: [a, b, c] });
    assert.deepEqual(seen, ["a", "b", "c"]);
  });

  it("accepts mixed arrays: class instances and plain {onEpochEnd} objects, either first", async () => {
    const { x, y } = toyData(20);
    for (const plainFirst of [true, false]) {
      const plain: number[] = [];
      const rec = new Recorder();
      const obj = { onEpochEnd: (epoch: number) => void plain.push(epoch), onBatchEnd: () => undefined };
      await fit(tinyModel(), x, y, { epochs: 2, verbose: 0, callbacks: plainFirst ? [obj, rec] : [rec, obj] });
      assert.deepEqual(plain, [0, 1]);
      assert.equal(rec.of("epochEnd").length, 2);
    }
  });

  it("reuses a History passed in by the user, which accumulates across fits like Keras's", async () => {
    const { x, y } = toyData(20);
    const model = tinyModel();
    const h = new History();
    const r1 = await fit(model, x, y, { epochs: 2, verbose: 0, callbacks: [h] });
    const r2 = await fit(model, x, y, { epochs: 1, verbose: 0, callbacks: [h] });
    assert.equal(r1, h);
    assert.equal(r2, h);
    assert.equal(h.history.loss.length, 3);
    assert.deepEqual(h.epoch, [0]);
  });
});

describe("fit: stopping, validation and data", () => {
  it("honours model.stopTraining after a batch, and still validates that epoch", async () => {
    const { x, y } = toyData(40);
    const rec = new Recorder();
    const stopper = new LambdaCallback({ onTrainBatchEnd: function (this: Callback, batch: number) { if (batch === 1) this.model.stopTraining = true; } });
    const history = await fit(tinyModel(), x, y, { epochs: 5, batchSize: 8, validationSplit: 0.2, verbose: 0, callbacks: [stopper, rec] });
    assert.equal(rec.of("batchEnd").length, 2);
    assert.equal(rec.of("testEnd").length, 1, "validation still runs after a mid-epoch stop");
    assert.ok("val_loss" in rec.of("epochEnd")[0].logs);
    assert.deepEqual(history.epoch, [0]);
    assert.equal(rec.of("trainEnd").length, 1);
  });

  it("honours model.stopTraining set at epoch end", async () => {
    const { x, y } = toyData(20);
    const stopper = new LambdaCallback({ onEpochEnd: function (this: Callback, epoch: number) { if (epoch === 1) this.model.stopTraining = true; } });
    const history = await fit(tinyModel(), x, y, { epochs: 6, verbose: 0, callbacks: [stopper] });
    assert.deepEqual(history.epoch, [0, 1]);
  });

  it("takes validationSplit from the end of the arrays, before shuffling", async () => {
    const x = tf.tensor2d(Array.from({ length: 10 }, (_, i) => [i, 0, 0, 0]));
    const y = tf.tensor1d(Array.from({ length: 10 }, (_, i) => i % 3), "int32");
    const seenVal: number[] = [];
    const seenTrain = new Set<number>();
    const model = tinyModel();
    const firstColumn = (t: tf.Tensor) => Array.from((t as tf.Tensor2D).slice([0, 0], [-1, 1]).dataSync());
    // Spy on what the training step and the validation pass receive.
    const inner = (model as unknown as { model: { makeTrainFunction: () => (d: tf.Tensor[]) => tf.Scalar[] } }).model;
    const make = inner.makeTrainFunction.bind(inner);
    inner.makeTrainFunction = () => {
      const f = make();
      return (data) => (firstColumn(data[0]).forEach((v) => seenTrain.add(v)), f(data));
    };
    const evaluate = model.evaluate.bind(model);
    model.evaluate = ((xs: tf.Tensor, ys: tf.Tensor, a: unknown) => (seenVal.push(...firstColumn(xs)), evaluate(xs, ys, a as never))) as typeof model.evaluate;
    await fit(model, x, y, { epochs: 2, batchSize: 3, validationSplit: 0.3, shuffle: true, verbose: 0 });
    assert.deepEqual(seenVal.sort((a, b) => a - b), [7, 7, 8, 8, 9, 9]);
    assert.deepEqual([...seenTrain].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6]);
  });

  it("shuffles the training batches each epoch (and keeps the order with shuffle: false)", async () => {
    const x = tf.tensor2d(Array.from({ length: 32 }, (_, i) => [i, 0, 0, 0]));
    const y = tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 3), "int32");
    const orders: number[][] = [];
    for (const shuffle of [true, false]) {
      const model = tinyModel();
      const inner = (model as unknown as { model: { makeTrainFunction: () => (d: tf.Tensor[]) => tf.Scalar[] } }).model;
      const make = inner.makeTrainFunction.bind(inner);
      const order: number[] = [];
      inner.makeTrainFunction = () => {
        const f = make();
        return (data) => (order.push(...Array.from((data[0] as tf.Tensor2D).slice([0, 0], [-1, 1]).dataSync())), f(data));
      };
      await fit(model, x, y, { epochs: 2, batchSize: 8, shuffle, verbose: 0 });
      orders.push(order);
    }
    const [shuffled, ordered] = orders;
    const range = Array.from({ length: 32 }, (_, i) => i);
    assert.deepEqual(ordered, [...range, ...range]);
    assert.notDeepEqual(shuffled.slice(0, 32), range);
    assert.notDeepEqual(shuffled.slice(0, 32), shuffled.slice(32));
    assert.deepEqual([...shuffled.slice(0, 32)].sort((a, b) => a - b), range);
  });

  it("targets are brought to the model's shapes as tfjs's fit would (MSE on [n] labels does not broadcast to [n, n])", async () => {
    const x = tf.randomNormal([64, 3], 0, 1, "float32", 3);
    const y = x.sum(1); // shape [64]
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3] })] });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError" });
    const history = await fit(model, x, y, { epochs: 30, batchSize: 16, verbose: 0 });
    assert.ok(history.history.loss[29] < 1e-3, `learned y = sum(x): loss ${history.history.loss[29]}`);
  });

  it("trains with int32 labels and a sparse loss (tfjs alone rejects them)", async () => {
    const { x, y } = toyData(60);
    assert.equal(y.dtype, "int32");
    const history = await fit(tinyModel(), x, y, { epochs: 8, batchSize: 8, verbose: 0 });
    assert.ok(history.history.loss[7] < history.history.loss[0], "loss goes down");
    assert.ok(history.history.accuracy[7] > 0.6);
  });

  it("validates every validationFreq epochs; val_ keys are absent otherwise", async () => {
    const { x, y } = toyData(30);
    const history = await fit(tinyModel(), x, y, { epochs: 4, validationData: [x, y], validationFreq: 2, verbose: 0 });
    assert.equal(history.history.loss.length, 4);
    assert.equal(history.history.val_loss.length, 2);
  });

  it("starts at initialEpoch with absolute epoch numbers", async () => {
    const { x, y } = toyData(20);
    const history = await fit(tinyModel(), x, y, { epochs: 4, initialEpoch: 2, verbose: 0 });
    assert.deepEqual(history.epoch, [2, 3]);
  });

  it("stops at the next batch boundary when the AbortSignal fires, runs onTrainEnd and resolves", async () => {
    const { x, y } = toyData(64);
    const controller = new AbortController();
    const rec = new Recorder();
    const aborter = new LambdaCallback({ onTrainBatchEnd: (batch: number) => { if (batch === 2) controller.abort(); } });
    const { result: history, logs } = await captureConsole(() =>
      fit(tinyModel(), x, y, { epochs: 50, batchSize: 4, verbose: 0, signal: controller.signal, callbacks: [aborter, rec] }),
    );
    assert.equal(rec.of("batchEnd").length, 3);
    assert.equal(rec.of("trainEnd").length, 1);
    assert.equal(rec.of("epochEnd").length, 0, "the unfinished epoch does not end (no partial row, no checkpoint)");
    assert.deepEqual(history.epoch, []);
    assert.ok(history.events.some((e) => e.kind === "interrupted"));
    assert.ok(logs.some((l) => l.includes("aborted")));
  });

  it("stops on SIGINT (a kernel interrupt) when stopOnInterrupt is on, and removes its listener afterwards", async () => {
    const { x, y } = toyData(64);
    const before = process.listenerCount("SIGINT");
    let during = -1;
    const interrupter = new LambdaCallback({
      onTrainBatchEnd: (batch: number) => {
        if (batch === 1) {
          during = process.listenerCount("SIGINT");
          process.emit("SIGINT");
        }
      },
    });
    const rec = new Recorder();
    const { result: history } = await captureConsole(() =>
      fit(tinyModel(), x, y, { epochs: 50, batchSize: 4, verbose: 0, stopOnInterrupt: true, callbacks: [interrupter, rec] }),
    );
    assert.equal(during, before + 1);
    assert.equal(process.listenerCount("SIGINT"), before);
    assert.equal(rec.of("batchEnd").length, 2);
    assert.equal(rec.of("trainEnd").length, 1);
    assert.deepEqual(history.epoch, []);
  });

  it("an already-aborted signal trains nothing", async () => {
    const { x, y } = toyData(32);
    const model = tinyModel();
    const before = weightsOf(model);
    const controller = new AbortController();
    controller.abort();
    const { result: history } = await captureConsole(() => fit(model, x, y, { epochs: 3, verbose: 0, signal: controller.signal }));
    assert.deepEqual(history.epoch, []);
    assert.deepEqual(weightsOf(model), before);
  });

  it("fitDataset trains on a tf.data dataset with validation data and the same hooks", async () => {
    const { x, y } = toyData(40);
    const ds = tf.data.zip({ xs: tf.data.array(x.unstack()), ys: tf.data.array(y.cast("float32").unstack()) }).batch(10);
    const rec = new Recorder();
    const history = await fitDataset(tinyModel(), ds as never, { epochs: 3, validationData: [x, y], verbose: 0, callbacks: [rec] });
    assert.deepEqual(history.epoch, [0, 1, 2]);
    assert.equal(rec.of("batchEnd").length, 12);
    assert.ok(history.history.val_accuracy.length === 3);
    assert.equal((rec.paramsSeen as { steps: unknown }).steps, null);
  });

  it("fitDataset with batchesPerEpoch continues one iterator across epochs", async () => {
    const { x, y } = toyData(40);
    const ds = tf.data.zip({ xs: tf.data.array(x.unstack()), ys: tf.data.array(y.cast("float32").unstack()) }).batch(10).repeat();
    const rec = new Recorder();
    await fitDataset(tinyModel(), ds as never, { epochs: 2, batchesPerEpoch: 3, verbose: 0, callbacks: [rec] });
    assert.equal(rec.of("batchEnd").length, 6);
  });

  it("does not leak tensors across a fit", async () => {
    const { x, y } = toyData(40);
    const model = tinyModel();
    await fit(model, x, y, { epochs: 1, verbose: 0 }); // optimizer state is created on the first fit
    const before = tf.memory().numTensors;
    await fit(model, x, y, { epochs: 2, batchSize: 8, validationSplit: 0.2, verbose: 0 });
    assert.equal(tf.memory().numTensors, before);
  });
});

describe("fit: bad input gets a clear error naming the argument", () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ["validationSplit 1.5", { validationSplit: 1.5 }, /validationSplit must be a number strictly between 0 and 1/],
    ["validationSplit -0.1", { validationSplit: -0.1 }, /validationSplit/],
    ["epochs 0", { epochs: 0 }, /epochs must be a whole number >= 1/],
    ["batchSize 2.5", { batchSize: 2.5 }, /batchSize must be a whole number/],
    ["validationFreq 0", { validationFreq: 0 }, /validationFreq/],
    ["verbose 3", { verbose: 3 }, /verbose must be 0, 1 or 2/],
    ["callbacks not array", { callbacks: {} }, /callbacks must be an array/],
  ];
  for (const [name, opts, pattern] of cases) {
    it(name, async () => {
      const { x, y } = toyData(10);
      await assert.rejects(fit(tinyModel(), x, y, opts as never), pattern);
    });
  }

  it("mismatched sample counts", async () => {
    const { x } = toyData(10);
    await assert.rejects(fit(tinyModel(), x, tf.tensor1d([1, 2, 3], "int32"), { verbose: 0 }), /y has 3 samples but x has 10/);
  });

  it("an uncompiled model", async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] })] });
    const { x, y } = toyData(10);
    await assert.rejects(fit(model, x, y), /not compiled: call model.compile/);
  });

  it("a callback that is neither a Callback nor an object of hooks", async () => {
    const { x, y } = toyData(10);
    await assert.rejects(fit(tinyModel(), x, y, { verbose: 0, callbacks: [42 as never] }), /callbacks\[0\] must be a Callback/);
  });
});

describe("fit: failures", () => {
  it("onTrainFailure reaches only callbacks that began and did not finish, then fit rethrows", async () => {
    const { x, y } = toyData(20);
    const seen: string[] = [];
    const a = new LambdaCallback({ onTrainEnd: () => void seen.push("a:end"), onTrainFailure: () => void seen.push("a:failure") });
    const b = new LambdaCallback({ onTrainEnd: () => { throw new Error("b broke"); }, onTrainFailure: () => void seen.push("b:failure") });
    const c = new LambdaCallback({ onTrainEnd: () => void seen.push("c:end"), onTrainFailure: () => void seen.push("c:failure") });
    await assert.rejects(fit(tinyModel(), x, y, { epochs: 1, verbose: 0, callbacks: [a, b, c] }), /b broke/);
    assert.deepEqual(seen, ["a:end", "b:failure", "c:failure"]);
  });

  it("a failure in onTrainBegin does not reach callbacks that never began", async () => {
    const { x, y } = toyData(20);
    const seen: string[] = [];
    const a = new LambdaCallback({ onTrainBegin: () => { throw new Error("no disk"); }, onTrainFailure: () => void seen.push("a") });
    const b = new LambdaCallback({ onTrainFailure: () => void seen.push("b") });
    await assert.rejects(fit(tinyModel(), x, y, { epochs: 1, verbose: 0, callbacks: [a, b] }), /no disk/);
    assert.deepEqual(seen, ["a"]);
  });

  it("inside tslab (or after useTslab) a kernel interrupt stops fit by default", async () => {
    const { useTslab } = await import("../../src/index.js");
    const { x, y } = toyData(64);
    useTslab({ newDisplay: () => ({ raw: () => undefined }) });
    try {
      const interrupter = new LambdaCallback({ onTrainBatchEnd: (b: number) => { if (b === 0) process.emit("SIGINT"); } });
      const { result: history } = await captureConsole(() =>
        fit(tinyModel(), x, y, { epochs: 20, batchSize: 8, verbose: 0, callbacks: [interrupter] }),
      );
      assert.deepEqual(history.epoch, []);
    } finally {
      useTslab(undefined);
    }
  });
});

describe("fit: concurrency", () => {
  it("refuses a second fit on a model that is still training", async () => {
    const { x, y } = toyData(64);
    const model = tinyModel();
    const first = fit(model, x, y, { epochs: 3, batchSize: 4, verbose: 0 });
    await assert.rejects(fit(model, x, y, { epochs: 1, verbose: 0 }), /another fit\(\) on this model is still running/);
    const history = await first;
    assert.deepEqual(history.epoch, [0, 1, 2]);
    await fit(model, x, y, { epochs: 1, verbose: 0 }); // and works again afterwards
  });
});

describe("fitDataset: named inputs", () => {
  it("matches dict xs to the model's inputs by name, whatever the key order", async () => {
    const a = tf.input({ shape: [2], name: "a" });
    const b = tf.input({ shape: [3], name: "b" });
    const merged = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 1 }).apply(merged) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [a, b], outputs: out });
    model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
    const ds = tf.data.array([{ xs: { b: tf.ones([4, 3]), a: tf.zeros([4, 2]) }, ys: tf.ones([4, 1]) }]);
    const history = await fitDataset(model, ds as never, { epochs: 2, verbose: 0 });
    assert.deepEqual(history.epoch, [0, 1]);
    const bad = tf.data.array([{ xs: { a: tf.zeros([4, 2]), c: tf.ones([4, 3]) }, ys: tf.ones([4, 1]) }]);
    await assert.rejects(fitDataset(model, bad as never, { epochs: 1, verbose: 0 }), /dataset xs: no tensor for "b"; the keys must be the model's names: a, b \(got a, c\)/);
  });
});
