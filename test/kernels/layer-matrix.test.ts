import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { fit, useBestBackend } from "../../src/index.ts";
import { buildModel, layerCases, makeData, type ModelKind } from "./layer-cases.ts";

// Every layer trains through fit on the backend useBestBackend picks (wasm here), in a Sequential and a Functional
// model: one epoch, and the loss over the training data is finite and lower afterwards.
describe("layer coverage matrix on the useBestBackend backend", () => {
  let backend = "";
  before(async () => {
    backend = await useBestBackend({ quiet: true });
  });

  for (const c of layerCases) {
    for (const kind of (c.merge ? ["Functional"] : ["Sequential", "Functional"]) as ModelKind[]) {
      it(`${c.name} (${kind}) trains one epoch with a finite, falling loss`, async () => {
        assert.equal(tf.getBackend(), backend);
        const model = buildModel(c, kind);
        const { x, y } = makeData(c);
        const lossOf = () => tf.tidy(() => (model.evaluate(x, y, { batchSize: 128 }) as tf.Scalar).dataSync()[0]);
        const before = lossOf();
        const history = await fit(model, x, y, { epochs: 1, batchSize: 8, verbose: 0 });
        const after = lossOf();
        assert.ok(Number.isFinite(history.history.loss[0] as number), `training loss ${history.history.loss[0]}`);
        assert.ok(Number.isFinite(after) && after < before, `loss before ${before}, after ${after}`);
        model.dispose();
        x.dispose();
        y.dispose();
      });
    }
  }
});
