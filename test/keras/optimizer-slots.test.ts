// Issue 9 item 6: Adadelta and Adamax slot variables are written in Keras's layout and read back, so a resumed run
// takes the same steps as the uninterrupted one.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { useBestBackend } from "../../src/backend.js";
import { loadKeras, readKerasArchive, saveKeras } from "../../src/io/keras/index.js";

const quiet = { onWarning: () => {} };
let dir: string;

before(async () => {
  await useBestBackend({ quiet: true });
  dir = mkdtempSync(path.join(os.tmpdir(), "tslab-fit-slots-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const CASES: [string, () => tf.Optimizer, string, [string, string]][] = [
  // Adadelta's steps are tiny at Keras's usual rate; a large one makes a difference in the state visible.
  ["Adadelta", () => tf.train.adadelta(1, 0.9, 1e-6), "adadelta", ["accumulatedGrads", "accumulatedUpdates"]],
  ["Adamax", () => tf.train.adamax(0.02, 0.9, 0.999, 1e-7), "adamax", ["accumulatedFirstMoment", "accumulatedWeightedInfNorm"]],
];

describe("Adadelta and Adamax optimizer state in .keras files", () => {
  for (const [cls, make, kerasName, fields] of CASES) {
    it(`${cls}: slots written interleaved per variable, read back, and training continues identically`, async () => {
      const build = () => {
        const m = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3], activation: "tanh" }), tf.layers.dense({ units: 1 })] });
        m.compile({ optimizer: make(), loss: "meanSquaredError" });
        return m;
      };
      const m = build();
      const x = tf.randomNormal([16, 3], 0, 1, "float32", 5);
      const y = x.sum(1, true);
      await m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });
      const file = path.join(dir, `${cls}.keras`);
      await saveKeras(m, file, quiet);

      const archive = await readKerasArchive(file);
      assert.equal((archive.config.compile_config as any).optimizer.class_name, cls);
      assert.equal(archive.weights.groups.get("optimizer/vars")!.name, kerasName);
      const vars = [...archive.weights.datasets.keys()].filter((k) => k.startsWith("optimizer/vars/"));
      assert.equal(vars.length, 2 + 2 * 4, "iterations, learning rate, then two slots for each of 4 variables");
      assert.equal(Number(archive.weights.datasets.get("optimizer/vars/0")!.data[0]), 6);
      // Keras's order: variable i's two slots at 2 + 2i and 3 + 2i.
      const internals = m.optimizer as unknown as Record<string, { variable: tf.Variable }[]>;
      for (let i = 0; i < 4; i++) {
        for (const [k, field] of fields.entries()) {
          const saved = archive.weights.datasets.get(`optimizer/vars/${2 + 2 * i + k}`)!;
          assert.deepEqual(saved.shape, m.trainableWeights[i].shape);
          assert.equal(maxDiff(saved.data as Float32Array, await internals[field][i].variable.data()), 0, `slot ${field} of variable ${i}`);
        }
      }

      const back = await loadKeras(file, quiet);
      assert.equal(back.optimizer.getClassName(), cls);
      assert.equal((back.optimizer as unknown as { iterations: number }).iterations, 6);
      const restored = back.optimizer as unknown as Record<string, { variable: tf.Variable }[]>;
      for (const field of fields) {
        for (let i = 0; i < 4; i++) {
          assert.equal(maxDiff(await restored[field][i].variable.data(), await internals[field][i].variable.data()), 0, `restored ${field}[${i}]`);
        }
      }
      // A model with the same weights but a fresh optimizer, to show that the state is what makes the difference.
      const fresh = await loadKeras(file, { ...quiet, compile: false });
      fresh.compile({ optimizer: make(), loss: "meanSquaredError" });
      for (const model of [m, back, fresh]) await model.trainOnBatch(x, y);
      const [a, b, c] = await Promise.all([m, back, fresh].map((model) => (model.predict(x) as tf.Tensor).data()));
      assert.ok(maxDiff(a, b) <= 1e-6, `resumed vs uninterrupted after one step: ${maxDiff(a, b)}`);
      // tfjs's Adadelta divides by the previous step's accumulated gradient, so from a zero start its two
      // accumulators stay equal and every step is lr·g: its state cannot change its steps. Adamax's can.
      if (cls === "Adamax") assert.ok(maxDiff(a, c) > 1e-4, `a fresh ${cls} steps differently: ${maxDiff(a, c)}`);
    });
  }
});
