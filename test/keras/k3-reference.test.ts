// Keras 3's own reference models (../shared/fixtures/keras/k3-reference, written by Python Keras 3.16 with Keras's
// own predictions): every one loads and predicts what Keras predicted (to 1e-5) on the backend useBestBackend()
// picks, with the file's optimizer and step counter, and still predicts so after tslab-fit saves and reloads it,
// with Keras's weights layout.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { useBestBackend } from "../../src/backend.js";
import { loadKeras, readKerasArchive, saveKeras } from "../../src/io/keras/index.js";
import { readNpy } from "./npy.js";

const DIR = path.resolve(__dirname, "../../../shared/fixtures/keras/k3-reference");
const skip = existsSync(path.join(DIR, "manifest.json")) ? false : `reference folder ${DIR} is absent (../shared is not checked out)`;
const quiet = { onWarning: () => {} };

interface Entry {
  name: string;
  file: string;
  inputs: string[];
  pred: string;
  output_shape: number[];
  layer_classes: string[];
  optimizer: string;
  optimizer_built: boolean;
  saved_iterations: number;
}

const models: Entry[] = skip ? [] : (JSON.parse(readFileSync(path.join(DIR, "manifest.json"), "utf8")).models as Entry[]);

function input(file: string): tf.Tensor {
  const a = readNpy(path.join(DIR, file));
  return tf.tensor(a.data, a.shape, a.dtype);
}

async function assertKerasPrediction(model: tf.LayersModel, e: Entry): Promise<void> {
  const want = readNpy(path.join(DIR, e.pred));
  const x = e.inputs.map(input);
  const got = model.predict(x.length === 1 ? x[0] : x) as tf.Tensor;
  assert.deepEqual(got.shape, e.output_shape);
  const g = (await got.data()) as Float32Array;
  let worst = 0;
  g.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want.data[i]))));
  assert.ok(worst <= 1e-5, `${e.name}: max |tslab-fit − Keras| = ${worst}`);
  tf.dispose([...x, got]);
}

describe("Keras 3 reference models: Keras's predictions, before and after a tslab-fit round trip", { skip }, () => {
  let dir: string;
  before(async () => {
    await useBestBackend({ quiet: true });
    dir = mkdtempSync(path.join(os.tmpdir(), "tslab-fit-k3ref-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("the manifest lists the nine reference models", () => {
    assert.equal(models.length, 9);
  });

  for (const e of models) {
    it(`${e.name} (${e.layer_classes.join(", ")})`, async () => {
      const warnings: string[] = [];
      const model = await loadKeras(path.join(DIR, e.file), { onWarning: (w) => warnings.push(w) });
      await assertKerasPrediction(model, e);
      // The file's optimizer and, when Keras built it, its step counter come back too.
      assert.equal(model.optimizer?.getClassName().replace("Momentum", "SGD"), e.optimizer, `${e.name}: optimizer; warnings: ${warnings.join(" | ")}`);
      if (e.optimizer_built) {
        assert.equal((model.optimizer as unknown as { iterations: number }).iterations, e.saved_iterations, `${e.name}: iterations`);
      }
      const file = path.join(dir, e.file);
      await saveKeras(model, file, quiet);
      const back = await loadKeras(file, quiet);
      await assertKerasPrediction(back, e);
      // Keras's layer datasets, by path and shape, are what tslab-fit writes.
      const layerSets = async (f: string) =>
        Object.fromEntries([...(await readKerasArchive(f)).weights.datasets].filter(([p]) => p.startsWith("layers/")).map(([p, d]) => [p, d.shape.join("x")]));
      assert.deepEqual(await layerSets(file), await layerSets(path.join(DIR, e.file)));
      model.dispose();
      back.dispose();
    });
  }
});
