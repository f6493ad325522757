import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { Callback, CSVLogger, fit, LambdaCallback, ProgressBar, TerminateOnNaN, type Logs } from "../../src/index.js";
import { captureConsole, tempDir, toyData, tinyModel, useCpu } from "../helpers.js";

before(useCpu);

describe("CSVLogger", () => {
  it("writes epoch,<sorted keys> with 0-based epochs and one row per epoch", async () => {
    const file = join(tempDir(), "sub", "log.csv");
    const { x, y } = toyData(30);
    const history = await fit(tinyModel(), x, y, { epochs: 3, verbose: 0, validationSplit: 0.2, callbacks: [new CSVLogger(file)] });
    const lines = readFileSync(file, "utf8").trim().split("\n");
    assert.equal(lines[0], "epoch,accuracy,loss,val_accuracy,val_loss");
    assert.equal(lines.length, 4);
    const row = lines[2].split(",");
    assert.equal(row[0], "1");
    assert.equal(Number(row[2]), history.history.loss[1]);
    assert.equal(Number(row[4]), history.history.val_loss[1]);
  });

  it("adds val_ columns when the first epoch has none, writing NA (validationFreq 2)", async () => {
    const file = join(tempDir(), "log.csv");
    const { x, y } = toyData(30);
    await fit(tinyModel(), x, y, { epochs: 2, verbose: 0, validationData: [x, y], validationFreq: 2, callbacks: [new CSVLogger(file, { separator: ";" })] });
    const lines = readFileSync(file, "utf8").trim().split("\n");
    assert.equal(lines[0], "epoch;accuracy;loss;val_accuracy;val_loss");
    assert.match(lines[1], /^0;[\d.]+;[\d.]+;NA;NA$/);
    assert.match(lines[2], /^1;[\d.]+;[\d.]+;[\d.]+;[\d.]+$/);
  });

  it("append mode keeps old rows and writes the header only into an empty file", async () => {
    const file = join(tempDir(), "log.csv");
    const { x, y } = toyData(30);
    const model = tinyModel();
    await fit(model, x, y, { epochs: 1, verbose: 0, callbacks: [new CSVLogger(file, { append: true })] });
    await fit(model, x, y, { epochs: 1, verbose: 0, callbacks: [new CSVLogger(file, { append: true })] });
    const lines = readFileSync(file, "utf8").trim().split("\n");
    assert.equal(lines.length, 3);
    assert.equal(lines.filter((l) => l.startsWith("epoch")).length, 1);
    writeFileSync(file, "keep me\n");
    await fit(model, x, y, { epochs: 1, verbose: 0, callbacks: [new CSVLogger(file)] });
    assert.ok(!readFileSync(file, "utf8").includes("keep me"), "without append the file is replaced");
  });
});

describe("TerminateOnNaN", () => {
  function nanModel() {
    const model = tinyModel({ optimizer: tf.train.sgd(1e30) });
    return model;
  }
  it("stops training at the batch whose loss is NaN/Inf, and onTrainEnd still runs", async () => {
    const { x, y } = toyData(64);
    let ended = false;
    const end = new LambdaCallback({ onTrainEnd: () => void (ended = true) });
    const { result: history, logs } = await captureConsole(() =>
      fit(nanModel(), x, y, { epochs: 20, batchSize: 4, verbose: 0, callbacks: [new TerminateOnNaN(), end] }),
    );
    assert.ok(logs.some((l) => /^Batch \d+: Invalid loss, terminating training$/.test(l)));
    assert.ok(history.epoch.length < 20);
    assert.ok(ended);
  });

  it("raiseError throws, and other callbacks' onTrainEnd does not run (Keras 3.13)", async () => {
    const { x, y } = toyData(64);
    let ended = false;
    const end = new LambdaCallback({ onTrainEnd: () => void (ended = true) });
    await assert.rejects(fit(nanModel(), x, y, { epochs: 20, batchSize: 4, verbose: 0, callbacks: [new TerminateOnNaN({ raiseError: true }), end] }), /Loss is (NaN|Infinity|-Infinity) on batch \d+/);
    assert.equal(ended, false);
  });
});

describe("LambdaCallback", () => {
  it("calls the functions it was given, including test hooks and tfjs's onBatchEnd name", async () => {
    const { x, y } = toyData(20);
    const seen: string[] = [];
    const cb = new LambdaCallback({
      onTrainBegin: () => void seen.push("trainBegin"),
      onBatchEnd: (b: number) => void seen.push(`batch${b}`),
      onTestEnd: (logs: Logs) => void seen.push(`test:${Object.keys(logs).sort().join("+")}`),
      onTrainEnd: () => void seen.push("trainEnd"),
    });
    await fit(tinyModel(), x, y, { epochs: 1, batchSize: 10, validationData: [x, y], verbose: 0, callbacks: [cb] });
    assert.deepEqual(seen, ["trainBegin", "batch0", "batch1", "test:accuracy+loss", "trainEnd"]);
  });

  it("rejects unknown hooks", () => {
    assert.throws(() => new LambdaCallback({ onEpochFinish: () => undefined } as never), /unknown hook "onEpochFinish"/);
  });
});

describe("ProgressBar", () => {
  function fakeStream(isTTY = false) {
    const stream = { text: "", isTTY, write(t: string) { stream.text += t; return true; } };
    return stream;
  }

  it("verbose 1 (not a TTY): 'Epoch i/N' then one finished Keras-style line per epoch, with logs added by callbacks", async () => {
    const { x, y } = toyData(30);
    const adder = new LambdaCallback({ onEpochEnd: (_e: number, l: Logs) => void (l.learning_rate = 0.05) });
    const out = fakeStream();
    await fit(tinyModel(), x, y, { epochs: 2, batchSize: 10, validationSplit: 0.2, verbose: 1, callbacks: [adder, new ProgressBar({ stream: out })] });
    const lines = out.text.trim().split("\n");
    assert.equal(lines.length, 4);
    assert.equal(lines[0], "Epoch 1/2");
    assert.match(lines[1], /^3\/3 ━{20} \d+s \d+ms\/step - accuracy: [\d.]+ - learning_rate: 0\.0500 - loss: [\d.]+ - val_accuracy: [\d.]+ - val_loss: [\d.]+$/);
  });

  it("in a terminal redraws the bar in place with \\r, throttled, ending each epoch with a newline", async () => {
    const { x, y } = toyData(64);
    const out = fakeStream(true);
    await fit(tinyModel(), x, y, { epochs: 1, batchSize: 2, verbose: 1, callbacks: [new ProgressBar({ stream: out, intervalMs: 0 })] });
    const redraws = out.text.split("\r").length - 1;
    assert.equal(redraws, 33, "32 batch redraws + the final line");
    assert.match(out.text, /\r32\/32 ━{20} \d+s \d+ms\/step - accuracy: [\d.]+ - loss: [\d.]+\x1b\[K\n$/);
    const throttled = fakeStream(true);
    await fit(tinyModel(), x, y, { epochs: 1, batchSize: 2, verbose: 1, callbacks: [new ProgressBar({ stream: throttled, intervalMs: 60_000 })] });
    assert.equal(throttled.text.split("\r").length - 1, 2, "one redraw, then the final line");
  });

  it("a failing fit closes a half-drawn bar with a newline", async () => {
    const { x, y } = toyData(64);
    const out = fakeStream(true);
    const breaker = new LambdaCallback({ onTrainBatchEnd: (b: number) => { if (b === 3) throw new Error("boom"); } });
    await assert.rejects(fit(tinyModel(), x, y, { epochs: 1, batchSize: 2, verbose: 1, callbacks: [breaker, new ProgressBar({ stream: out, intervalMs: 0 })] }), /boom/);
    assert.match(out.text, /\r ?3\/32 [^\n]*\n$/);
  });

  it("verbose 2 prints one line per epoch", async () => {
    const { x, y } = toyData(30);
    const out = fakeStream(true);
    await fit(tinyModel(), x, y, { epochs: 2, batchSize: 10, verbose: 2, callbacks: [new ProgressBar({ verbose: 2, stream: out })] });
    assert.match(out.text, /^Epoch 1\/2\n\r?3\/3 - \d+s - \d+ms\/step - accuracy: [\d.]+ - loss: [\d.]+/);
  });

  it("fit adds a bar when verbose is 1 and none when verbose is 0", async () => {
    const { x, y } = toyData(30);
    const original = ProgressBar.prototype.onTrainBegin;
    let created = 0;
    ProgressBar.prototype.onTrainBegin = function (this: ProgressBar) { created += 1; };
    try {
      await fit(tinyModel(), x, y, { epochs: 1, verbose: 0 });
      assert.equal(created, 0);
      await fit(tinyModel(), x, y, { epochs: 1, verbose: 1 });
      assert.equal(created, 1);
    } finally {
      ProgressBar.prototype.onTrainBegin = original;
    }
  });
});
