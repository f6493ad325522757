// Every model in ../shared/fixtures/keras/k3-reference (written by Python Keras 3.16, with Keras's own predictions)
// loads and predicts what Keras predicted, to 1e-5, on the backend useBestBackend() picks.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { useBestBackend } from "../../src/backend.js";
import { loadKeras } from "../../src/io/keras/index.js";
import { readNpy } from "./npy.js";

const DIR = path.resolve(__dirname, "../../../shared/fixtures/keras/k3-reference");
const skip = existsSync(path.join(DIR, "manifest.json")) ? false : `reference folder ${DIR} is absent (../shared is not checked out)`;

interface Entry {
  name: string;
  file: string;
  inputs: string[];
  pred: string;
  output_shape: number[];
  optimizer: string;
  optimizer_built: boolean;
  saved_iterations: number;
}

const models: Entry[] = skip ? [] : (JSON.parse(readFileSync(path.join(DIR, "manifest.json"), "utf8")).models as Entry[]);

before(async () => {
  await useBestBackend({ quiet: true });
});

function npyTensor(file: string): tf.Tensor {
  const a = readNpy(path.join(DIR, file));
  return tf.tensor(a.data, a.shape, a.dtype);
}

describe("Keras 3 reference models: load and predict as Keras did", { skip }, () => {
  it("the manifest lists the nine reference models", () => {
    assert.equal(models.length, 9);
  });
  for (const m of models) {
    it(`${m.name}: predictions within 1e-5 of Keras's`, async () => {
      const warnings: string[] = [];
      const model = await loadKeras(path.join(DIR, m.file), { onWarning: (w) => warnings.push(w) });
      const inputs = m.inputs.map(npyTensor);
      const expected = readNpy(path.join(DIR, m.pred));
      const y = model.predict(inputs.length === 1 ? inputs[0] : inputs) as tf.Tensor;
      assert.deepEqual(y.shape, m.output_shape);
      const got = (await y.data()) as Float32Array;
      let worst = 0;
      got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected.data[i]))));
      assert.ok(worst <= 1e-5, `${m.name}: max |tslab-fit − Keras| = ${worst}`);
      // The file's optimizer and, when Keras built it, its step counter come back too.
      assert.equal(model.optimizer?.getClassName().replace("Momentum", "SGD"), m.optimizer, `${m.name}: optimizer; warnings: ${warnings.join(" | ")}`);
      if (m.optimizer_built) {
        assert.equal((model.optimizer as unknown as { iterations: number }).iterations, m.saved_iterations, `${m.name}: iterations`);
      }
      tf.dispose([...inputs, y]);
      model.dispose();
    });
  }
});
