// What does Keras's GRU formulation (gruResetAfter) cost next to tfjs's own GRU (reset_after=False)?
// Same shapes, data and backend; one epoch of tslab-fit's fit each, runs alternate so machine noise hits both.
//   npm run build && node bench/gru-reset-after.mjs [repeats=5] [backend=wasm]
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { fit, gruResetAfter } from "../dist/index.js";

const repeats = Number(process.argv[2] ?? 5);
const backend = process.argv[3] ?? "wasm";
await tf.setBackend(backend);
const [n, steps, features, units] = [512, 20, 8, 32];
const x = tf.randomNormal([n, steps, features], 0, 1, "float32", 1);
const y = tf.randomNormal([n, 1], 0, 1, "float32", 2);

const layers = {
  "tf.layers.gru (reset_after=False)": () => tf.layers.gru({ units, inputShape: [steps, features], recurrentActivation: "sigmoid" }),
  "gruResetAfter (Keras default)": () => gruResetAfter({ units, inputShape: [steps, features] }),
  "gruResetAfter, dropout 0.2 + recurrentDropout 0.2": () => gruResetAfter({ units, inputShape: [steps, features], dropout: 0.2, recurrentDropout: 0.2 }),
};

function makeModel(layer) {
  const model = tf.sequential({ layers: [layer(), tf.layers.dense({ units: 1 })] });
  model.compile({ optimizer: "adam", loss: "meanSquaredError" });
  return model;
}

const times = Object.fromEntries(Object.keys(layers).map((k) => [k, []]));
for (const layer of Object.values(layers)) await fit(makeModel(layer), x, y, { epochs: 1, batchSize: 64, verbose: 0 });
for (let r = 0; r < repeats; r++) {
  for (const [name, layer] of Object.entries(layers)) {
    const model = makeModel(layer);
    const t0 = performance.now();
    await fit(model, x, y, { epochs: 1, batchSize: 64, verbose: 0 });
    times[name].push(performance.now() - t0);
    model.dispose();
  }
}
const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
const base = median(times["tf.layers.gru (reset_after=False)"]);
console.log(`backend ${backend}, GRU(${units}) over ${steps} steps of ${features} features, ${n} samples, batch 64, 1 epoch of fit, ${repeats} runs each`);
console.log("layer".padEnd(52), "median ms".padStart(10), "ratio".padStart(7));
for (const [name, t] of Object.entries(times)) {
  console.log(name.padEnd(52), median(t).toFixed(0).padStart(10), (median(t) / base).toFixed(2).padStart(7));
}
