// What does a crash-safe checkpoint cost? One save of the MNIST MLP (784-64-10, ~51k weights) per variant, runs
// interleaved so machine noise hits all alike. Prints medians and the ratio to a plain, unsafe write of the same bytes.
//   npm run build && node bench/checkpoint-save.mjs [repeats=15] [backend=wasm]
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { saveModel } from "../dist/index.js";
import { mkdtempSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const repeats = Number(process.argv[2] ?? 15);
const backend = process.argv[3] ?? "wasm";
await tf.setBackend(backend);
const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 64, activation: "relu", inputShape: [784] }),
    tf.layers.dense({ units: 10, activation: "softmax" }),
  ],
});
model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
await model.trainOnBatch(tf.zeros([2, 784]), tf.tensor2d([[1, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0, 0, 0]]).argMax(1).expandDims(1).cast("float32"));
const dir = mkdtempSync(join(tmpdir(), "bench-save-"));

const variants = {
  // The unsafe baseline: the same two files written in place, no fsync, no rename (what a crash can tear).
  "plain writeFile, no fsync (unsafe)": async () => {
    const d = join(dir, "plain");
    await mkdir(d, { recursive: true });
    await model.save(tf.io.withSaveHandler(async (a) => {
      await writeFile(join(d, "weights.bin"), new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData)));
      await writeFile(join(d, "model.json"), JSON.stringify({ modelTopology: a.modelTopology, weightsManifest: [{ paths: ["./weights.bin"], weights: a.weightSpecs }] }));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }));
  },
  "TF.js layers folder (fsync + two renames)": () => saveModel(model, join(dir, "best")),
  ".keras archive (fsync + one rename)": () => saveModel(model, join(dir, "best.keras")),
};

const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (const run of Object.values(variants)) await run(); // warm-up (and the first save has nothing to replace)
for (let r = 0; r < repeats; r++) {
  for (const [name, run] of Object.entries(variants)) {
    const t0 = performance.now();
    await run();
    times[name].push(performance.now() - t0);
  }
}
rmSync(dir, { recursive: true, force: true });
const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
const base = median(times["plain writeFile, no fsync (unsafe)"]);
console.log(`backend ${backend}, MNIST MLP 784-64-10 with Adam state, one save, ${repeats} runs each, medians`);
console.log("variant".padEnd(45), "median ms".padStart(10), "ratio".padStart(7));
for (const [name, t] of Object.entries(times)) {
  console.log(name.padEnd(45), median(t).toFixed(1).padStart(10), (median(t) / base).toFixed(2).padStart(7));
}
