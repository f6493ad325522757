import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  Callback, CSVLogger, EarlyStopping, evaluate, fit, evaluateDataset, History, LambdaCallback, loadMnist, ModelCheckpoint,
  predict, ReduceLROnPlateau, TerminateOnNaN, type Logs, type PredictLogs,
} from "../../src/index.js";
import { withMessage } from "../../src/fit/errors.js";
import { tempDir, toyData, tinyModel, useCpu } from "../helpers.js";

before(useCpu);

class Recorder extends Callback {
  calls: Array<{ hook: string; n?: number; logs: Logs; shapes?: number[][] }> = [];
  paramsSeen: unknown;
  override onTrainBegin(l: Logs) { this.calls.push({ hook: "trainBegin", logs: l }); }
  override onTestBegin(l: Logs) { this.paramsSeen = this.params; this.calls.push({ hook: "testBegin", logs: { ...l } }); }
  override onTestEnd(l: Logs) { this.calls.push({ hook: "testEnd", logs: { ...l } }); }
  override onTestBatchBegin(b: number, l: Logs) { this.calls.push({ hook: "testBatchBegin", n: b, logs: { ...l } }); }
  override onTestBatchEnd(b: number, l: Logs) { this.calls.push({ hook: "testBatchEnd", n: b, logs: { ...l } }); }
  override onPredictBegin(l: Logs) { this.paramsSeen = this.params; this.calls.push({ hook: "predictBegin", logs: { ...l } }); }
  override onPredictEnd(l: Logs) { this.calls.push({ hook: "predictEnd", logs: { ...l } }); }
  override onPredictBatchBegin(b: number, l: Logs) { this.calls.push({ hook: "predictBatchBegin", n: b, logs: { ...l } }); }
  override onPredictBatchEnd(b: number, l: PredictLogs) {
    const outs = Array.isArray(l.outputs) ? l.outputs : [l.outputs];
    this.calls.push({ hook: "predictBatchEnd", n: b, logs: {}, shapes: outs.map((t) => t.shape) });
  }
  order() { return this.calls.map((c) => c.hook + (c.n ?? "")); }
}

/** Captures the text the terminal progress bar writes to stdout (the test runner's own binary messages pass through). */
async function captureStdout<T>(fn: () => Promise<T>): Promise<{ result: T; out: string }> {
  const write = process.stdout.write;
  let out = "";
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) =>
    typeof chunk === "string" ? ((out += chunk), true) : (write as Function).call(process.stdout, chunk, ...rest)) as typeof process.stdout.write;
  try {
    return { result: await fn(), out };
  } finally {
    process.stdout.write = write;
  }
}

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

function tfjsEvaluate(model: tf.LayersModel, x: tf.Tensor | tf.Tensor[], y: tf.Tensor | tf.Tensor[], batchSize = 32): number[] {
  const out = model.evaluate(x, y, { batchSize });
  return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync()[0]);
}

describe("evaluate", () => {
  it("takes int32 labels (tfjs's own evaluate fails on them) and matches tfjs's numbers on float labels, under Keras's names", async () => {
    const { x, y } = toyData(50);
    const model = tinyModel();
    assert.equal(y.dtype, "int32");
    assert.throws(() => model.evaluate(x, y), /must be float32 tensor, but got int32/);
    const logs = await evaluate(model, x, y, { batchSize: 16, verbose: 0 });
    assert.deepEqual(Object.keys(logs), ["loss", "accuracy"]);
    assert.ok(Object.values(logs).every((v) => typeof v === "number"));
    const [loss, acc] = tfjsEvaluate(model, x, y.cast("float32"), 16);
    close(logs.loss, loss);
    close(logs.accuracy, acc);
  });

  it("runs onTestBegin, onTestBatchBegin/End with running sample-weighted means, onTestEnd — and no train hooks", async () => {
    const { x, y } = toyData(25);
    const model = tinyModel();
    const rec = new Recorder();
    const logs = await evaluate(model, x, y, { batchSize: 10, verbose: 0, callbacks: [rec] });
    assert.deepEqual(rec.order(), ["testBegin", "testBatchBegin0", "testBatchEnd0", "testBatchBegin1", "testBatchEnd1", "testBatchBegin2", "testBatchEnd2", "testEnd"]);
    assert.deepEqual(rec.paramsSeen, { epochs: 1, steps: 3, verbose: 0, initialEpoch: 0, batchSize: 10, samples: 25, doValidation: false, metrics: ["loss", "accuracy"] });
    // Running means: batch 0 alone, then batches 0-1, then all 25 samples weighted by batch size.
    const per = [0, 10, 20].map((s) => tfjsEvaluate(model, x.slice(s, Math.min(10, 25 - s)), y.slice(s, Math.min(10, 25 - s)).cast("float32"), 10)[0]);
    const ends = rec.calls.filter((c) => c.hook === "testBatchEnd").map((c) => c.logs.loss);
    close(ends[0], per[0]);
    close(ends[1], (per[0] * 10 + per[1] * 10) / 20);
    close(ends[2], (per[0] * 10 + per[1] * 10 + per[2] * 5) / 25);
    assert.deepEqual(rec.calls.at(-1)!.logs, logs);
    close(logs.loss, ends[2]);
  });

  it("prints Keras's bar: one finished line per call (stdout not a terminal), none with verbose 0", async () => {
    const { x, y } = toyData(30);
    const model = tinyModel();
    const one = await captureStdout(() => evaluate(model, x, y, { batchSize: 10 }));
    assert.match(one.out, /^3\/3 ━{20} \d+s \d+ms\/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}\n$/);
    assert.ok(one.out.includes(`loss: ${one.result.loss.toFixed(4)}`));
    const two = await captureStdout(() => evaluate(model, x, y, { batchSize: 10, verbose: 2 }));
    assert.match(two.out, /^3\/3 - \d+s - \d+ms\/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}\n$/);
    const zero = await captureStdout(() => evaluate(model, x, y, { batchSize: 10, verbose: 0 }));
    assert.equal(zero.out, "");
  });

  it("a convnet on real MNIST digits: int32 labels, same numbers as tfjs on float labels, no tensors leaked", async () => {
    const { xTest, yTest } = loadMnist({ normalize: true, limit: 300 });
    const model = tf.sequential({ layers: [
      tf.layers.reshape({ targetShape: [28, 28, 1], inputShape: [28, 28] }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: "relu" }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: "softmax" }),
    ] });
    model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
    await evaluate(model, xTest, yTest, { verbose: 0, batchSize: 64 }); // warm-up: tfjs caches its evaluate function
    const before = tf.memory().numTensors;
    const logs = await evaluate(model, xTest, yTest, { verbose: 0, batchSize: 64, callbacks: [new Recorder()] });
    assert.equal(tf.memory().numTensors, before, "no tensors left behind");
    const [loss, acc] = tfjsEvaluate(model, xTest, yTest.cast("float32"), 64);
    close(logs.loss, loss);
    close(logs.accuracy, acc);
  });

  it("a Functional model with two inputs and two outputs: total and per-output losses right (tfjs's own evaluate shifts them)", async () => {
    const a = tf.input({ shape: [3], name: "a" });
    const b = tf.input({ shape: [2], name: "b" });
    const merged = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;
    const hidden = tf.layers.dense({ units: 4, activation: "relu" }).apply(merged) as tf.SymbolicTensor;
    const cls = tf.layers.dense({ units: 3, activation: "softmax", name: "cls" }).apply(hidden) as tf.SymbolicTensor;
    const reg = tf.layers.dense({ units: 1, name: "reg" }).apply(hidden) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [a, b], outputs: [cls, reg] });
    model.compile({ optimizer: "sgd", loss: ["sparseCategoricalCrossentropy", "meanSquaredError"], metrics: ["accuracy"] });
    const xa = tf.randomNormal([20, 3], 0, 1, "float32", 1);
    const xb = tf.randomNormal([20, 2], 0, 1, "float32", 2);
    const labels = tf.tensor1d(Array.from({ length: 20 }, (_, i) => i % 3), "int32");
    const target = tf.randomNormal([20, 1], 0, 1, "float32", 3);
    const logs = await evaluate(model, [xa, xb], [labels, target], { verbose: 0, batchSize: 8 });
    assert.deepEqual(Object.keys(logs), ["loss", "cls_loss", "reg_loss", "cls_accuracy", "reg_accuracy"]);
    // Computed by hand from the predictions (tfjs's own evaluate shifts these names for multi-output models).
    const [probs, value] = model.predict([xa, xb]) as tf.Tensor[];
    const crossEntropy = tf.mean(tf.neg(tf.sum(tf.mul(tf.oneHot(labels, 3), tf.log(tf.clipByValue(probs, 1e-7, 1 - 1e-7))), -1))).dataSync()[0];
    const squared = tf.mean(tf.square(tf.sub(value, target))).dataSync()[0];
    const accuracy = tf.mean(tf.equal(tf.argMax(probs, -1), labels).cast("float32")).dataSync()[0];
    close(logs.cls_loss, crossEntropy, 1e-4);
    close(logs.reg_loss, squared, 1e-4);
    close(logs.loss, crossEntropy + squared, 1e-4);
    close(logs.cls_accuracy, accuracy);
    // The batch-by-batch path (a callback watching test batches) gives the same numbers.
    const watched = await evaluate(model, [xa, xb], [labels, target], { verbose: 0, batchSize: 8, callbacks: [new Recorder()] });
    for (const k of Object.keys(logs)) close(watched[k], logs[k], 1e-5);
    // Weights of 2 everywhere: losses double (Σw·l / n), metrics stay (Σw·m / Σw).
    const twice = await evaluate(model, [xa, xb], [labels, target], { verbose: 0, batchSize: 8, sampleWeight: tf.fill([20], 2) });
    for (const k of ["loss", "cls_loss", "reg_loss"]) close(twice[k], 2 * logs[k], 1e-4);
    for (const k of ["cls_accuracy", "reg_accuracy"]) close(twice[k], logs[k], 1e-5);
  });

  it("fit's validation logs of a two-output model carry the same, correctly named numbers as evaluate", async () => {
    const input = tf.input({ shape: [3] });
    const hidden = tf.layers.dense({ units: 4, activation: "relu" }).apply(input) as tf.SymbolicTensor;
    const cls = tf.layers.dense({ units: 3, activation: "softmax", name: "cls" }).apply(hidden) as tf.SymbolicTensor;
    const reg = tf.layers.dense({ units: 1, name: "reg" }).apply(hidden) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [cls, reg] });
    model.compile({ optimizer: "sgd", loss: ["sparseCategoricalCrossentropy", "meanSquaredError"], metrics: ["accuracy"] });
    const x = tf.randomNormal([24, 3], 0, 1, "float32", 5);
    const ys = [tf.tensor1d(Array.from({ length: 24 }, (_, i) => i % 3), "int32"), tf.randomNormal([24, 1], 0, 1, "float32", 6)];
    const history = await fit(model, x, ys, { epochs: 1, batchSize: 8, verbose: 0, validationData: [x, ys] });
    const logs = await evaluate(model, x, ys, { verbose: 0, batchSize: 8 });
    for (const k of Object.keys(logs)) close(history.history[`val_${k}`][0], logs[k], 1e-5);
    close(logs.loss, logs.cls_loss + logs.reg_loss, 1e-5);
  });

  it("evaluateDataset gives the same numbers as evaluate on the same batches", async () => {
    const { x, y } = toyData(40);
    const model = tinyModel();
    const ds = tf.data.zip({ xs: tf.data.array(tf.unstack(x)), ys: tf.data.array(tf.unstack(y)) }).batch(16);
    const rec = new Recorder();
    const fromDataset = await evaluateDataset(model, ds as unknown as tf.data.Dataset<tf.TensorContainer>, { verbose: 0, callbacks: [rec] });
    const fromArrays = await evaluate(model, x, y, { verbose: 0, batchSize: 16 });
    close(fromDataset.loss, fromArrays.loss);
    close(fromDataset.accuracy, fromArrays.accuracy);
    assert.equal(rec.calls.filter((c) => c.hook === "testBatchEnd").length, 3);
    const two = await evaluateDataset(model, ds as unknown as tf.data.Dataset<tf.TensorContainer>, { verbose: 0, batches: 2 });
    const firstTwo = await evaluate(model, x.slice(0, 32), y.slice(0, 32), { verbose: 0, batchSize: 16 });
    close(two.loss, firstTwo.loss);
  });

  it("sampleWeight weighs as Keras 3: losses Σw·l / n, metrics Σw·m / Σw; all-ones weights change nothing", async () => {
    const { x, y } = toyData(30);
    const model = tinyModel();
    const plain = await evaluate(model, x, y, { verbose: 0, batchSize: 8 });
    const ones = await evaluate(model, x, y, { verbose: 0, batchSize: 8, sampleWeight: tf.ones([30]) });
    close(ones.loss, plain.loss);
    close(ones.accuracy, plain.accuracy);
    // Random weights, checked against per-sample values computed by hand.
    const w = tf.randomUniform([30], 0, 2, "float32", 9);
    const rec = new Recorder();
    const weighted = await evaluate(model, x, y, { verbose: 0, batchSize: 8, sampleWeight: w, callbacks: [rec] });
    const probs = model.predict(x) as tf.Tensor;
    const perLoss = tf.neg(tf.sum(tf.mul(tf.oneHot(y, 3), tf.log(tf.clipByValue(probs, 1e-7, 1 - 1e-7))), -1));
    const perHit = tf.equal(tf.argMax(probs, -1), y).cast("float32");
    close(weighted.loss, tf.sum(tf.mul(perLoss, w)).dataSync()[0] / 30, 1e-4);
    close(weighted.accuracy, tf.sum(tf.mul(perHit, w)).dataSync()[0] / tf.sum(w).dataSync()[0], 1e-5);
    assert.deepEqual(rec.order().filter((h) => h.startsWith("testBatchEnd")), ["testBatchEnd0", "testBatchEnd1", "testBatchEnd2", "testBatchEnd3"]);
    assert.deepEqual(rec.calls.at(-1)!.logs, weighted);
    // Zero weights on the second half: accuracy is the first half's, loss counts the zeros in its denominator.
    const half = tf.concat([tf.ones([15]), tf.zeros([15])]);
    const firstHalf = await evaluate(model, x.slice(0, 15), y.slice(0, 15), { verbose: 0 });
    const masked = await evaluate(model, x, y, { verbose: 0, sampleWeight: half });
    close(masked.accuracy, firstHalf.accuracy);
    close(masked.loss, firstHalf.loss / 2, 1e-5);
  });

  it("an abort rejects at the next batch boundary with an AbortError; an aborted signal evaluates nothing", async () => {
    const { x, y } = toyData(50);
    const model = tinyModel();
    const controller = new AbortController();
    const rec = new Recorder();
    const stopper = { onTestBatchEnd: (b: number) => void (b === 1 && controller.abort()) };
    await assert.rejects(evaluate(model, x, y, { batchSize: 10, verbose: 0, callbacks: [rec, stopper], signal: controller.signal }), (e: Error) => {
      assert.equal(e.name, "AbortError");
      assert.match(e.message, /^evaluate aborted after 2 of 5 batches$/);
      return true;
    });
    assert.equal(rec.calls.filter((c) => c.hook === "testBatchEnd").length, 2);
    await assert.rejects(evaluate(model, x, y, { verbose: 0, signal: controller.signal }), /evaluate aborted after 0 of 2 batches/);
  });

  it("refuses bad input with errors naming the argument", async () => {
    const { x, y } = toyData(20);
    const model = tinyModel();
    await assert.rejects(evaluate(model, x, y, { batchSize: 0 }), /batchSize must be a whole number >= 1, got 0/);
    await assert.rejects(evaluate(model, x, y.slice(0, 10), { verbose: 0 }), /y has 10 samples but x has 20/);
    await assert.rejects(evaluate(model, x, y, { sampleWeight: tf.ones([10]) }), /sampleWeight must be a tf.Tensor of shape \[20\] \(one weight per sample\), got a tensor of shape \[10\]/);
    await assert.rejects(predict(model, x, { sampleWeight: tf.ones([20]) } as never), /unknown option "sampleWeight"/);
    await assert.rejects(evaluate(model, x, y, { batch_size: 8 } as never), /unknown option "batch_size"/);
    const raw = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] })] });
    await assert.rejects(evaluate(raw, x, y), /model is not compiled: evaluate needs the loss/);
    await assert.rejects(evaluate(model, tf.zeros([20, 5]), y, { verbose: 0 }), /expected a batch of elements where each example has shape \[4\]/);
    await assert.rejects(evaluateDataset(model, [1, 2] as never), /dataset must be a tf.data.Dataset/);
  });
});

describe("predict", () => {
  it("batches the input, runs the predict hooks with logs.outputs, and returns what model.predict returns", async () => {
    const { x } = toyData(25);
    const model = tinyModel();
    const rec = new Recorder();
    const before = tf.memory().numTensors;
    const out = (await predict(model, x, { batchSize: 10, verbose: 0, callbacks: [rec] })) as tf.Tensor;
    assert.equal(tf.memory().numTensors, before + 1, "only the result is left");
    assert.deepEqual(rec.order(), ["predictBegin", "predictBatchBegin0", "predictBatchEnd0", "predictBatchBegin1", "predictBatchEnd1", "predictBatchBegin2", "predictBatchEnd2", "predictEnd"]);
    assert.deepEqual(rec.calls.filter((c) => c.shapes).map((c) => c.shapes), [[[10, 3]], [[10, 3]], [[5, 3]]]);
    assert.deepEqual((rec.paramsSeen as { steps: number }).steps, 3);
    const ref = model.predict(x) as tf.Tensor;
    assert.deepEqual(out.shape, [25, 3]);
    assert.ok(tf.max(tf.abs(out.sub(ref))).dataSync()[0] < 1e-6);
  });

  it("an embedding + LSTM model on int32 token ids; a two-output Functional model returns one tensor per output", async () => {
    const rnn = tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: 20, outputDim: 4, inputLength: 6 }),
      tf.layers.lstm({ units: 5 }),
      tf.layers.dense({ units: 2, activation: "softmax" }),
    ] });
    const tokens = tf.tensor2d(Array.from({ length: 9 * 6 }, (_, i) => (i * 7) % 20), [9, 6], "int32");
    const probs = (await predict(rnn, tokens, { batchSize: 4, verbose: 0 })) as tf.Tensor;
    assert.ok(tf.max(tf.abs(probs.sub(rnn.predict(tokens) as tf.Tensor))).dataSync()[0] < 1e-6);

    const input = tf.input({ shape: [3] });
    const left = tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor;
    const right = tf.layers.dense({ units: 4 }).apply(input) as tf.SymbolicTensor;
    const two = tf.model({ inputs: input, outputs: [left, right] });
    const rec = new Recorder();
    const outs = (await predict(two, tf.ones([7, 3]), { batchSize: 5, verbose: 0, callbacks: [rec] })) as tf.Tensor[];
    assert.deepEqual(outs.map((t) => t.shape), [[7, 2], [7, 4]]);
    assert.deepEqual(rec.calls.filter((c) => c.shapes).map((c) => c.shapes), [[[5, 2], [5, 4]], [[2, 2], [2, 4]]]);
  });

  it("prints Keras's bar without logs; plain objects and LambdaCallback get the predict hooks", async () => {
    const { x } = toyData(30);
    const seen: string[] = [];
    const { out } = await captureStdout(() =>
      predict(tinyModel(), x, {
        batchSize: 10,
        callbacks: [
          { onPredictBatchEnd: (b: number, l: PredictLogs) => void seen.push(`obj${b}:${(l.outputs as tf.Tensor).shape[0]}`) },
          new LambdaCallback({ onPredictEnd: () => void seen.push("lambda end") }),
        ],
      }),
    );
    assert.match(out, /^3\/3 ━{20} \d+s \d+ms\/step\n$/);
    assert.deepEqual(seen, ["obj0:10", "obj1:10", "obj2:10", "lambda end"]);
  });

  it("built-in callbacks ignore the predict and test hooks outside fit", async () => {
    const { x, y } = toyData(20);
    const model = tinyModel();
    const dir = tempDir();
    const builtins = () => [
      new History(), new EarlyStopping({ monitor: "loss" }), new ModelCheckpoint({ filepath: `${dir}/m.keras` }),
      new ReduceLROnPlateau({ monitor: "loss" }), new TerminateOnNaN(), new CSVLogger(`${dir}/log.csv`),
    ];
    const out = (await predict(model, x, { verbose: 0, callbacks: builtins() })) as tf.Tensor;
    assert.deepEqual(out.shape, [20, 3]);
    const logs = await evaluate(model, x, y, { verbose: 0, callbacks: builtins() });
    assert.ok(Number.isFinite(logs.loss));
  });

  it("refuses an input that does not fit the model, naming x", async () => {
    const model = tinyModel();
    await assert.rejects(predict(model, [tf.ones([2, 4]), tf.ones([2, 4])]), /x: the model has 1 input\(s\) but 2 tensor\(s\) were given/);
    await assert.rejects(predict(model, "pixels" as never), /x must be a tf.Tensor or an array of tf.Tensors/);
    await assert.rejects(predict(model, tf.ones([3, 5]), { verbose: 0 }), /expected dense_Dense\d+_input to have shape \[null,4\]/);
  });
});

describe("errors carry a message and a stack", () => {
  it("keeps a good Error, names the call when the message is empty, and wraps thrown strings and objects", () => {
    const good = new Error("boom");
    assert.equal(withMessage(good, "evaluate"), good);
    const empty = withMessage(new TypeError(""), "predict");
    assert.equal(empty.message, "predict failed with TypeError that has no message");
    assert.ok(empty.stack && empty.stack.split("\n").length > 1, "the original stack frames are kept");
    assert.equal(withMessage("out of memory", "evaluate").message, "evaluate failed: out of memory");
    assert.equal(withMessage({ message: "wasm trap" }, "evaluate").message, "evaluate failed: wasm trap");
    assert.equal(withMessage(42, "predict").message, "predict failed: number 42");
    assert.ok(withMessage(undefined, "predict").stack);
  });

  it("evaluate names the callback that threw something that is not an Error, with a message and a stack", async () => {
    const { x, y } = toyData(10);
    await assert.rejects(evaluate(tinyModel(), x, y, { verbose: 0, callbacks: [{ onTestBegin: () => { throw "callback said no"; } }] }), (e: Error) => {
      assert.ok(e instanceof Error);
      assert.equal(e.message, "callbacks[0] (a plain object).onTestBegin threw: callback said no");
      assert.ok(e.stack);
      return true;
    });
  });
});

describe("in-order batches", () => {
  it("cut across chunk boundaries keep every row, in order, with its dtype (rows wider than a chunk's share)", async () => {
    const { arrayBatches } = await import("../../src/fit/batches.js");
    const width = 2 ** 21; // 8 MB a row: 2 rows per 16 MB chunk
    const x = tf.range(0, 5 * width).reshape([5, width]);
    const y = tf.tensor1d([0, 1, 2, 3, 4], "int32");
    const before = tf.memory().numTensors;
    const batches = [];
    for await (const b of arrayBatches({ xs: [x], ys: [y], count: 5, dispose: () => undefined }, 1, false).epoch()) {
      const bx = b.xs as tf.Tensor;
      const by = b.ys as tf.Tensor;
      batches.push({ first: bx.dataSync()[0], last: bx.dataSync()[width - 1], shape: bx.shape, label: by.dataSync()[0], dtype: by.dtype });
      b.dispose();
    }
    assert.equal(tf.memory().numTensors, before, "every batch disposed, no chunk left behind");
    assert.deepEqual(batches.map((b) => b.first), [0, 1, 2, 3, 4].map((r) => r * width));
    assert.deepEqual(batches.map((b) => b.last), [1, 2, 3, 4, 5].map((r) => r * width - 1));
    assert.deepEqual(batches.map((b) => b.label), [0, 1, 2, 3, 4]);
    assert.ok(batches.every((b) => b.dtype === "int32" && b.shape[0] === 1 && b.shape[1] === width));
    tf.dispose([x, y]);
  });
});
