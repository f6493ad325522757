// What do tslab-fit's evaluate and predict cost compared with tfjs's own model.evaluate / model.predict?
// Same model, 10,000 MNIST digits, batch size 32 and backend; variants alternate so machine noise hits all of them.
//   npm run build && node bench/evaluate-overhead.mjs [repeats=7] [backend=wasm]
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { evaluate, predict, loadMnist } from "../dist/index.js";

const repeats = Number(process.argv[2] ?? 7);
const backend = process.argv[3] ?? "wasm";
await tf.setBackend(backend);
const { x, y } = loadMnist({ flatten: true, normalize: true });
const yFloat = y.cast("float32");
const model = tf.sequential({ layers: [
  tf.layers.dense({ units: 64, activation: "relu", inputShape: [784] }),
  tf.layers.dense({ units: 10, activation: "softmax" }),
] });
model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });

// The bar goes to stdout; keep the table readable.
const quiet = { write: () => true };
const read = async (out) => {
  const list = Array.isArray(out) ? out : [out];
  for (const t of list) await t.data();
  tf.dispose(list);
};
const variants = {
  "tfjs model.evaluate (float labels)": () => read(model.evaluate(x, yFloat, { batchSize: 32 })),
  "tslab-fit evaluate, verbose 0 (int32 labels)": () => evaluate(model, x, y, { batchSize: 32, verbose: 0 }),
  "tslab-fit evaluate, verbose 1 (bar, batch hooks)": async () => {
    const write = process.stdout.write;
    process.stdout.write = quiet.write;
    try {
      await evaluate(model, x, y, { batchSize: 32, verbose: 1 });
    } finally {
      process.stdout.write = write;
    }
  },
  "tfjs model.predict": () => read(model.predict(x, { batchSize: 32 })),
  "tslab-fit predict, verbose 0": async () => read(await predict(model, x, { batchSize: 32, verbose: 0 })),
};

const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (const run of Object.values(variants)) await run(); // warm-up: kernels compiled, functions built
for (let r = 0; r < repeats; r++) {
  for (const [name, run] of Object.entries(variants)) {
    const t0 = performance.now();
    await run();
    times[name].push(performance.now() - t0);
  }
}
const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
const base = { evaluate: median(times["tfjs model.evaluate (float labels)"]), predict: median(times["tfjs model.predict"]) };
console.log(`backend ${tf.getBackend()}, ${repeats} alternating runs, 10,000 samples, batch 32 (medians)`);
for (const [name, list] of Object.entries(times)) {
  const ref = name.includes("predict") ? base.predict : base.evaluate;
  console.log(`${name.padEnd(50)} ${median(list).toFixed(0).padStart(6)} ms  ×${(median(list) / ref).toFixed(2)}`);
}
