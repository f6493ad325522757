// End to end: fit with ModelCheckpoint("…/best_model.keras", saveBestOnly) writes a Keras 3 archive that loadKeras
// reads back as the best epoch's model; saveWeightsOnly with .weights.h5 writes Keras's weights file.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { fit } from "../../src/fit/fit.js";
import { ModelCheckpoint } from "../../src/callbacks/model-checkpoint.js";
import { Callback } from "../../src/fit/callback.js";
import { loadKeras, loadKerasWeights, readKerasArchive } from "../../src/io/keras/index.js";

let dir: string;

before(async () => {
  await tf.setBackend("cpu");
  dir = mkdtempSync(path.join(os.tmpdir(), "tslab-fit-ckpt-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function makeModel(): tf.LayersModel {
  const m = tf.sequential({
    layers: [tf.layers.dense({ units: 6, inputShape: [3], activation: "relu" }), tf.layers.dense({ units: 1 })],
  });
  m.compile({ optimizer: tf.train.adam(0.05), loss: "meanSquaredError" });
  return m;
}

/** Remembers each epoch's predictions, to compare the saved best model with the epoch it came from. */
class Snapshots extends Callback {
  readonly outputs: Float32Array[] = [];
  constructor(private readonly probe: tf.Tensor) {
    super();
  }
  override async onEpochEnd(): Promise<void> {
    this.outputs.push((await (this.model.predict(this.probe) as tf.Tensor).data()) as Float32Array);
  }
}

describe("ModelCheckpoint with .keras / .weights.h5 paths", () => {
  it("saveBestOnly writes models/best_model.keras; loadKeras returns the best epoch's model, compiled", async () => {
    const x = tf.randomNormal([64, 3], 0, 1, "float32", 7);
    const y = x.sum(1, true).mul(2);
    const model = makeModel();
    const file = path.join(dir, "models", "best_model.keras");
    const ckpt = new ModelCheckpoint({ filepath: file, monitor: "val_loss", saveBestOnly: true });
    const probe = tf.randomNormal([5, 3], 0, 1, "float32", 3);
    const snaps = new Snapshots(probe);
    const history = await fit(model, x, y, { epochs: 6, batchSize: 16, validationSplit: 0.25, verbose: 0, callbacks: [ckpt, snaps] });
    assert.ok(existsSync(file), "the best model was written");
    assert.deepEqual(readdirSync(path.dirname(file)), ["best_model.keras"], "no temporary files left");
    const valLoss = history.history.val_loss as number[];
    const best = valLoss.indexOf(Math.min(...valLoss));
    const loaded = await loadKeras(file, { onWarning: () => {} });
    const out = (await (loaded.predict(probe) as tf.Tensor).data()) as Float32Array;
    snaps.outputs[best].forEach((v, i) => assert.ok(Math.abs(v - out[i]) < 1e-5, `best epoch ${best + 1}: ${v} vs ${out[i]}`));
    assert.equal(loaded.optimizer.getClassName(), "Adam");
    const archive = await readKerasArchive(file);
    assert.equal((archive.config.compile_config as Record<string, unknown>).loss, "mean_squared_error");
    // Fine-tuning the loaded model works.
    const more = await fit(loaded, x, y, { epochs: 1, batchSize: 16, verbose: 0 });
    assert.ok(Number.isFinite(more.history.loss[0] as number));
  });

  it("saveWeightsOnly with a .weights.h5 path writes Keras's weights file, loadable into the same architecture", async () => {
    const x = tf.randomNormal([32, 3], 0, 1, "float32", 11);
    const y = x.sum(1, true);
    const model = makeModel();
    const file = path.join(dir, "weights", "ckpt.weights.h5");
    await fit(model, x, y, {
      epochs: 2,
      batchSize: 16,
      verbose: 0,
      callbacks: [new ModelCheckpoint({ filepath: file, monitor: "loss", saveWeightsOnly: true })],
    });
    const fresh = makeModel();
    await loadKerasWeights(fresh, file);
    const a = (await (model.predict(x) as tf.Tensor).data()) as Float32Array;
    const b = (await (fresh.predict(x) as tf.Tensor).data()) as Float32Array;
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-6));
  });
});
