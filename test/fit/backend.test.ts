import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";

describe("useBestBackend", () => {
  it("fit on a model built before any backend choice trains on cpu and hints once at useBestBackend", () => {
    // A fresh process: the backend choice is global to tfjs.
    const script = `
      const tf = require("@tensorflow/tfjs");
      const { fit } = require("./src/index.ts");
      (async () => {
        const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
        model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
        await fit(model, tf.ones([4, 2]), tf.ones([4, 1]), { epochs: 1, verbose: 0 });
        await fit(model, tf.ones([4, 2]), tf.ones([4, 1]), { epochs: 1, verbose: 0 });
        console.log("BACKEND=" + tf.getBackend());
      })();`;
    // The model is created before fit, so tfjs has already picked cpu by itself (wasm starts asynchronously).
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { encoding: "utf8", cwd: `${__dirname}/../..` });
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout;
    assert.ok(out.includes("BACKEND=cpu"), out);
    const hints = out.split("\n").filter((l) => l.includes("call `await useBestBackend()` before building the model"));
    assert.equal(hints.length, 1, out);
  });

  it("reports the chosen backend in one line with the tfjs-node hint", () => {
    const script = `
      const { useBestBackend } = require("./src/index.ts");
      const tf = require("@tensorflow/tfjs");
      useBestBackend().then((name) => console.log("NAME=" + name + " ACTIVE=" + tf.getBackend()));`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { encoding: "utf8", cwd: `${__dirname}/../..` });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^tslab-fit: TensorFlow.js backend "wasm" \(install @tensorflow\/tfjs-node for a faster native backend\)\nNAME=wasm ACTIVE=wasm\n$/);
  });
});
