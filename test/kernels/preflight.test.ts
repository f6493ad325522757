import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";

// A fresh process each: kernel registrations and the backend are global to tfjs.
function run(script: string) {
  return spawnSync(process.execPath, ["--import", "tsx", "-e", script], { encoding: "utf8", cwd: `${__dirname}/../..` });
}

describe("fit's kernel preflight", () => {
  it("names the layer, the missing kernel and what to do before the first batch, and trains nothing", () => {
    const r = run(`
      const tf = require("@tensorflow/tfjs");
      const { fit, useBestBackend } = require("./src/index.ts");
      (async () => {
        await useBestBackend({ quiet: true });
        tf.unregisterKernel("Conv3DBackpropFilterV2", "wasm"); // as on a backend that lacks it
        const model = tf.sequential({ layers: [
          tf.layers.conv3d({ filters: 2, kernelSize: 2, inputShape: [3, 3, 3, 1], name: "volumes" }),
          tf.layers.flatten(), tf.layers.dense({ units: 1 }),
        ] });
        model.compile({ optimizer: "adam", loss: "meanSquaredError" });
        const before = model.getWeights().map((w) => Array.from(w.dataSync()));
        let batches = 0;
        try {
          await fit(model, tf.ones([8, 3, 3, 3, 1]), tf.ones([8, 1]), { epochs: 1, verbose: 0, callbacks: [{ onTrainBatchBegin() { batches++; } }] });
          console.log("NO ERROR");
        } catch (e) { console.log("ERROR=" + e.message); }
        const same = model.getWeights().every((w, i) => Array.from(w.dataSync()).every((v, j) => v === before[i][j]));
        console.log("BATCHES=" + batches + " SAME=" + same);
      })();`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /ERROR=fit: the "wasm" backend cannot train this model: layer "volumes" \(Conv3D\) needs kernel 'Conv3DBackpropFilterV2'/);
    assert.match(r.stdout, /tf\.setBackend\("cpu"\)/);
    assert.match(r.stdout, /BATCHES=0 SAME=true/);
  });

  it("leaves BatchNormalization's moving statistics as they were", () => {
    const r = run(`
      const tf = require("@tensorflow/tfjs");
      const { findMissingKernels } = require("./src/kernels/preflight.ts");
      const { useBestBackend } = require("./src/index.ts");
      (async () => {
        await useBestBackend({ quiet: true });
        const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2], biasInitializer: "ones" }), tf.layers.batchNormalization({})] });
        const stats = () => model.layers[1].nonTrainableWeights.map((w) => Array.from(w.read().dataSync()).join(",")).join("|");
        const before = stats();
        console.log("MISSING=" + JSON.stringify(findMissingKernels(model)) + " SAME=" + (stats() === before));
      })();`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /MISSING=\[\] SAME=true/);
  });
});
