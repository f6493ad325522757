import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { fit, formatPath, LambdaCallback, loadLayersWeights, ModelCheckpoint, type Logs } from "../../src/index.js";
import { writeDirAtomic } from "../../src/io/atomic.js";
import { captureConsole, tempDir, toyData, tinyModel, useCpu, weightsOf } from "../helpers.js";

before(useCpu);

function scripted(key: string, values: number[]) {
  return new LambdaCallback({ onEpochEnd: (epoch: number, logs: Logs) => void (logs[key] = values[epoch]) });
}

describe("formatPath (Keras filepath templates)", () => {
  it("fills Python-style placeholders", () => {
    assert.equal(formatPath("{epoch:02d}-{val_loss:.2f}.keras", { epoch: 3, val_loss: 0.4123 }), "03-0.41.keras");
    assert.equal(formatPath("m_{epoch}_{loss:.3e}", { epoch: 12, loss: 0.000123 }), "m_12_1.230e-04");
    assert.equal(formatPath("{{literal}}-{epoch:03d}", { epoch: 7 }), "{literal}-007");
    assert.equal(formatPath("no-placeholders", {}), "no-placeholders");
  });

  it("throws naming a key missing from the logs, and the available keys", () => {
    assert.throws(() => formatPath("{epoch}-{val_acc:.2f}", { epoch: 1, val_accuracy: 0.5 }), /key "val_acc" is not in the logs. Available keys: epoch, val_accuracy/);
  });
});

describe("ModelCheckpoint", () => {
  it("saves every epoch to a templated path with a 1-based epoch", async () => {
    const dir = tempDir();
    const { x, y } = toyData(30);
    const ckpt = new ModelCheckpoint({ filepath: join(dir, "ckpt-{epoch:02d}-{val_loss:.2f}") });
    await fit(tinyModel(), x, y, { epochs: 2, verbose: 0, validationData: [x, y], callbacks: [scripted("val_loss", [0.5, 0.25]), ckpt] });
    assert.deepEqual(readdirSync(dir).sort(), ["ckpt-01-0.50", "ckpt-02-0.25"]);
    assert.ok(existsSync(join(dir, "ckpt-01-0.50", "model.json")));
  });

  it("saveBestOnly keeps the best model, loadable with tf.loadLayersModel('file://…') without tfjs-node", async () => {
    const dir = tempDir();
    const { x, y } = toyData(30);
    const model = tinyModel();
    const snapshots: number[][][] = [];
    const recorder = new LambdaCallback({ onEpochEnd: () => void snapshots.push(weightsOf(model)) });
    const ckpt = new ModelCheckpoint({ filepath: join(dir, "models", "best_model"), saveBestOnly: true, verbose: 1 });
    const { logs } = await captureConsole(() =>
      fit(model, x, y, { epochs: 4, verbose: 0, callbacks: [scripted("val_loss", [0.5, 0.3, 0.4, 0.35]), recorder, ckpt] }),
    );
    assert.equal(ckpt.saved.length, 2, "saved at epochs 1 and 2 only");
    assert.ok(logs.some((l) => l === `Epoch 2: val_loss improved from 0.50000 to 0.30000, saving model to ${join(dir, "models", "best_model")}`));
    assert.ok(logs.some((l) => l === "Epoch 3: val_loss did not improve from 0.30000"));
    const loaded = await tf.loadLayersModel(`file://${join(dir, "models", "best_model", "model.json")}`);
    assert.deepEqual(weightsOf(loaded), snapshots[1]);
    const input = x.slice(0, 3);
    model.setWeights(loaded.getWeights());
    assert.deepEqual(Array.from((loaded.predict(input) as tf.Tensor).dataSync()), Array.from((model.predict(input) as tf.Tensor).dataSync()));
  });

  it("mode max and initialValueThreshold: only values beating the threshold are saved", async () => {
    const dir = tempDir();
    const { x, y } = toyData(30);
    const ckpt = new ModelCheckpoint({ filepath: join(dir, "m"), monitor: "val_accuracy", mode: "max", saveBestOnly: true, initialValueThreshold: 0.7 });
    await fit(tinyModel(), x, y, { epochs: 4, verbose: 0, callbacks: [scripted("val_accuracy", [0.6, 0.8, 0.75, 0.9]), ckpt] });
    assert.equal(ckpt.saved.length, 2);
    assert.equal(ckpt.best, 0.9);
  });

  it("keeps `best` across fits of the same instance (Keras semantics)", async () => {
    const dir = tempDir();
    const { x, y } = toyData(30);
    const model = tinyModel();
    const ckpt = new ModelCheckpoint({ filepath: join(dir, "m"), saveBestOnly: true });
    await fit(model, x, y, { epochs: 1, verbose: 0, callbacks: [scripted("val_loss", [0.2]), ckpt] });
    await fit(model, x, y, { epochs: 1, verbose: 0, callbacks: [scripted("val_loss", [0.3]), ckpt] });
    assert.equal(ckpt.saved.length, 1);
  });

  it("a missing monitored key warns and saves anyway (Keras ≥ 3.10)", async () => {
    const dir = tempDir();
    const { x, y } = toyData(30);
    const ckpt = new ModelCheckpoint({ filepath: join(dir, "m"), monitor: "val_loss", saveBestOnly: true });
    const { warnings } = await captureConsole(() => fit(tinyModel(), x, y, { epochs: 2, verbose: 0, callbacks: [ckpt] }));
    assert.equal(ckpt.saved.length, 2);
    assert.equal(warnings.filter((w) => w.startsWith("Can save best model only with val_loss available.")).length, 1, "warned once, not every epoch");
    assert.match(warnings[0], /Available keys: loss,accuracy/);
  });

  it("saveFreq N saves every N batches, counting across epochs, with batch logs (no val_ keys)", async () => {
    const dir = tempDir();
    const { x, y } = toyData(30);
    const ckpt = new ModelCheckpoint({ filepath: join(dir, "e{epoch}-b{batch}-{loss:.1f}"), saveFreq: 2 });
    // 30 samples, batch 8 → 4 batches an epoch; 3 epochs = 12 batches → 6 saves.
    await fit(tinyModel(), x, y, { epochs: 3, batchSize: 8, verbose: 0, validationData: [x, y], callbacks: [ckpt] });
    assert.equal(ckpt.saved.length, 6);
    assert.deepEqual(ckpt.saved.map((p) => p.split("/").at(-1)!.replace(/-[\d.]+$/, "")), ["e1-b2", "e1-b4", "e2-b2", "e2-b4", "e3-b2", "e3-b4"]);
  });

  it("saveWeightsOnly writes weights that load back into a model", async () => {
    const dir = tempDir();
    const { x, y } = toyData(30);
    const model = tinyModel();
    const ckpt = new ModelCheckpoint({ filepath: join(dir, "w"), saveWeightsOnly: true });
    await fit(model, x, y, { epochs: 1, verbose: 0, callbacks: [ckpt] });
    const json = JSON.parse(readFileSync(join(dir, "w", "model.json"), "utf8"));
    assert.equal(json.modelTopology, undefined);
    const fresh = tinyModel({ seed: 99 });
    assert.notDeepEqual(weightsOf(fresh), weightsOf(model));
    await loadLayersWeights(fresh, join(dir, "w"));
    assert.deepEqual(weightsOf(fresh), weightsOf(model));
  });

  it("creates parent folders", async () => {
    const dir = tempDir();
    const { x, y } = toyData(30);
    const ckpt = new ModelCheckpoint({ filepath: join(dir, "a", "b", "c", "model") });
    await fit(tinyModel(), x, y, { epochs: 1, verbose: 0, callbacks: [ckpt] });
    assert.ok(existsSync(join(dir, "a", "b", "c", "model", "weights.bin")));
  });

  it("a template key absent from the logs fails with the key named: up front when it can never be filled", async () => {
    const dir = tempDir();
    const { x, y } = toyData(30);
    const ckpt = new ModelCheckpoint({ filepath: join(dir, "{epoch}-{val_acc:.2f}") });
    await assert.rejects(fit(tinyModel(), x, y, { epochs: 1, verbose: 0, callbacks: [ckpt] }), /ModelCheckpoint.onTrainBegin threw: filepath: the key "val_acc" .* can never be filled: this fit has no validation data/);
    assert.deepEqual(readdirSync(dir), [], "nothing trained, nothing saved");
    const late = new ModelCheckpoint({ filepath: join(dir, "{epoch}-{acc:.2f}") });
    const { warnings } = await captureConsole(() =>
      assert.rejects(fit(tinyModel(), x, y, { epochs: 1, verbose: 0, callbacks: [late] }), /key "acc" is not in the logs. Available keys: loss, accuracy, epoch/),
    );
    assert.match(warnings[0], /the filepath key "acc" is not one this fit logs \(loss, accuracy, epoch, learning_rate\); unless a callback adds it, the first save will fail/);
  });

  it("an atomic save that fails midway leaves the previous model untouched", async () => {
    const dir = tempDir();
    const target = join(dir, "best");
    mkdirSync(target);
    writeFileSync(join(target, "model.json"), "old");
    await assert.rejects(
      writeDirAtomic(target, async (tmp) => {
        writeFileSync(join(tmp, "model.json"), "half-written");
        throw new Error("disk full");
      }),
      /disk full/,
    );
    assert.equal(readFileSync(join(target, "model.json"), "utf8"), "old");
    assert.deepEqual(readdirSync(dir), ["best"], "no temporary folder left behind");
  });

  it("never replaces a folder that holds anything but a saved model", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "models", "other_run"), { recursive: true });
    writeFileSync(join(dir, "models", "notes.txt"), "keep me");
    const { x, y } = toyData(30);
    const ckpt = new ModelCheckpoint({ filepath: join(dir, "models") });
    await assert.rejects(fit(tinyModel(), x, y, { epochs: 1, verbose: 0, callbacks: [ckpt] }), /is a folder with other files in it/);
    assert.equal(readFileSync(join(dir, "models", "notes.txt"), "utf8"), "keep me");
    assert.ok(existsSync(join(dir, "models", "other_run")));
  });

  it("an interrupted (aborted) epoch saves nothing over the best model", async () => {
    const dir = tempDir();
    const { x, y } = toyData(64);
    const controller = new AbortController();
    const ckpt = new ModelCheckpoint({ filepath: join(dir, "best"), saveBestOnly: true });
    // Abort in the middle of the second epoch (the first one's save may still be writing: fit waits for it).
    let epochsBegun = 0;
    const aborter = new LambdaCallback({
      onEpochBegin: () => void (epochsBegun += 1),
      onTrainBatchEnd: (b: number) => { if (b === 2 && epochsBegun === 2) controller.abort(); },
    });
    await captureConsole(() =>
      fit(tinyModel(), x, y, { epochs: 5, batchSize: 8, validationSplit: 0.25, verbose: 0, signal: controller.signal, callbacks: [aborter, ckpt] }),
    );
    assert.equal(ckpt.saved.length, 1, "only the finished epoch 1 was saved");
  });

  it("rejects bad arguments with clear errors", () => {
    assert.throws(() => new ModelCheckpoint({ filepath: "m", saveFreq: "batch" as never }), /saveFreq must be "epoch" or a whole number of batches >= 1, got "batch"/);
    assert.throws(() => new ModelCheckpoint({ filepath: "m", saveFreq: 0 }), /saveFreq/);
    assert.throws(() => new ModelCheckpoint({ filepath: "m", mode: "best" as never }), /mode must be "auto", "min" or "max"/);
    assert.throws(() => new ModelCheckpoint({ filepath: "" }), /filepath must be a non-empty string/);
    assert.throws(() => new ModelCheckpoint({ filepath: "m.keras", saveWeightsOnly: true }), /saveWeightsOnly the path must end in ".weights.h5"/);
    assert.throws(() => new ModelCheckpoint({ filepath: "m.weights.h5" }), /needs saveWeightsOnly: true/);
    assert.throws(() => new ModelCheckpoint({ filepath: "m.h5" }), /legacy ".h5" model files are not supported/);
    assert.throws(() => new ModelCheckpoint({ filepath: "m.KERAS" }), /write the extension in lower case/);
  });
});
