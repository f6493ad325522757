import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { fit, LambdaCallback, loadKeras, ModelCheckpoint, type Logs } from "../../src/index.js";
import { backgroundWritesUseWorker } from "../../src/io/keras/background-writer.js";
import { tempDir, toyData, tinyModel, useCpu, weightsOf } from "../helpers.js";

before(useCpu);

function scripted(key: string, values: number[]) {
  return new LambdaCallback({ onEpochEnd: (epoch: number, logs: Logs) => void (logs[key] = values[epoch]) });
}

describe("ModelCheckpoint .keras writes off the training thread", () => {
  it("runs the HDF5 + ZIP work on a worker thread here", () => {
    assert.equal(backgroundWritesUseWorker(), true);
  });

  it("fit resolves with the best model on disk, holding the weights of the best epoch (snapshotted then)", async () => {
    const dir = tempDir();
    const { x, y } = toyData(40);
    const model = tinyModel();
    const snapshots: number[][][] = [];
    const recorder = new LambdaCallback({ onEpochEnd: () => void snapshots.push(weightsOf(model)) });
    const path = join(dir, "best.keras");
    const ckpt = new ModelCheckpoint({ filepath: path, saveBestOnly: true });
    // Best at epochs 1, 2 and 4 (0-based 0, 1, 3): the last save comes from the last epoch, just before fit resolves.
    await fit(model, x, y, { epochs: 4, verbose: 0, callbacks: [scripted("val_loss", [0.5, 0.3, 0.4, 0.2]), recorder, ckpt] });
    assert.deepEqual(ckpt.saved, [path, path, path]);
    const loaded = await loadKeras(path);
    assert.deepEqual(weightsOf(loaded), snapshots[3]);
    assert.deepEqual(readdirSync(dir), ["best.keras"], "no temporary file left beside it");
    x.dispose();
    y.dispose();
  });

  it("each epoch's templated file holds that epoch's weights, though training went on while it was written", async () => {
    const dir = tempDir();
    const { x, y } = toyData(40);
    const model = tinyModel();
    const snapshots: number[][][] = [];
    const recorder = new LambdaCallback({ onEpochEnd: () => void snapshots.push(weightsOf(model)) });
    await fit(model, x, y, { epochs: 3, verbose: 0, callbacks: [recorder, new ModelCheckpoint({ filepath: join(dir, "m-{epoch:02d}.keras") })] });
    for (let e = 0; e < 3; e++) {
      const loaded = await loadKeras(join(dir, `m-${String(e + 1).padStart(2, "0")}.keras`));
      assert.deepEqual(weightsOf(loaded), snapshots[e], `epoch ${e + 1}`);
    }
    x.dispose();
    y.dispose();
  });

  it("a write that fails in the background makes fit reject with the reason (nothing silently lost)", async () => {
    const dir = tempDir();
    const { x, y } = toyData(20);
    // The checkpoint's folder is a file: only the write itself (in the worker) finds out.
    writeFileSync(join(dir, "file"), "");
    const ckpt = new ModelCheckpoint({ filepath: join(dir, "file", "m.keras") });
    await assert.rejects(fit(tinyModel(), x, y, { epochs: 2, verbose: 0, callbacks: [ckpt] }), /ENOTDIR|EEXIST|not a directory/);
    assert.deepEqual(ckpt.saved, []);
    x.dispose();
    y.dispose();
  });
});
