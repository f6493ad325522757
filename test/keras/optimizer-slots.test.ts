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
import { KerasAdadelta, kerasAdadelta } from "../../src/optimizers/index.js";

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
  // Adadelta's steps are tiny at Keras's usual rate; a large one makes a difference in the state visible. A file
  // with Adadelta loads with Keras's rule (KerasAdadelta), so the uninterrupted run uses it too.
  ["Adadelta", () => kerasAdadelta(1, 0.9, 1e-6), "adadelta", ["accumulatedGrads", "accumulatedUpdates"]],
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
      assert.ok(maxDiff(a, c) > 1e-4, `a fresh ${cls} steps differently: ${maxDiff(a, c)}`);
    });
  }
});

describe("KerasAdadelta", () => {
  /** Keras's Adadelta in float64: E[g²] first, then the step scaled by the updated E[g²]. */
  function kerasSteps(w: number[], g: number[], ag: number[], au: number[], lr: number, rho: number, eps: number, steps: number): number[] {
    w = [...w];
    for (let s = 0; s < steps; s++) {
      for (let i = 0; i < w.length; i++) {
        ag[i] = rho * ag[i] + (1 - rho) * g[i] ** 2;
        const delta = (-Math.sqrt(au[i] + eps) / Math.sqrt(ag[i] + eps)) * g[i];
        au[i] = rho * au[i] + (1 - rho) * delta ** 2;
        w[i] += lr * delta;
      }
    }
    return w;
  }

  async function run(opt: tf.Optimizer, steps: number): Promise<Float32Array> {
    const w = tf.variable(tf.tensor1d([1, -2, 0.5]));
    const c = tf.tensor1d([0.5, 3, -1]);
    // Start from a state with different accumulators, as a Keras run leaves them.
    await opt.setWeights([
      { name: "iter", tensor: tf.scalar(4, "int32") },
      { name: `${w.name}/accum_grad`, tensor: tf.tensor1d([0.2, 0.1, 0.4]) },
      { name: `${w.name}/accum_var`, tensor: tf.tensor1d([0.05, 0.3, 0.01]) },
    ]);
    for (let s = 0; s < steps; s++) opt.minimize(() => tf.sum(tf.mul(w, c)) as tf.Scalar);
    return (await w.data()) as Float32Array;
  }

  it("takes Keras's steps (tfjs's own Adadelta does not)", async () => {
    const expected = kerasSteps([1, -2, 0.5], [0.5, 3, -1], [0.2, 0.1, 0.4], [0.05, 0.3, 0.01], 0.5, 0.9, 1e-7, 3);
    const keras = await run(kerasAdadelta(0.5, 0.9, 1e-7), 3);
    const tfjs = await run(tf.train.adadelta(0.5, 0.9, 1e-7), 3);
    assert.ok(maxDiff(keras, expected) <= 1e-5, `KerasAdadelta vs Keras's formula: ${maxDiff(keras, expected)}`);
    assert.ok(maxDiff(tfjs, expected) > 1e-3, "tfjs's rule differs");
  });

  it("a file with Adadelta (from tfjs or Keras) loads compiled with KerasAdadelta", async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: tf.train.adadelta(0.1, 0.9, 1e-6), loss: "meanSquaredError" });
    const file = path.join(dir, "adadelta-class.keras");
    await saveKeras(m, file, quiet);
    const back = await loadKeras(file, quiet);
    assert.ok(back.optimizer instanceof KerasAdadelta);
    assert.deepEqual(back.optimizer.getConfig(), { learningRate: Math.fround(0.1), rho: 0.9, epsilon: 1e-6 });
  });
});
