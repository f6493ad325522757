// How much does tslab-fit's Keras-faithful loop cost compared with tfjs's own model.fit? And what do tslab-fit's wasm
// speed-ups (wrapped BatchMatMul/GatherV2/Slice, fused Adam, fit's one-kernel loss; installed by default) give each loop against the stock
// kernels and AdamOptimizer? Same model, data, batch size and backend; runs alternate so machine noise hits all.
// Prints medians and ratios.
//   npm run build && node bench/fit-overhead.mjs [repeats=7] [backend=wasm]
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { fit, loadMnist, EarlyStopping, ModelCheckpoint } from "../dist/index.js";
import { useFasterWasmKernels, useStockWasmKernels } from "../dist/kernels/wasm/faster.js";
import { useFusedAdam, useStockAdam } from "../dist/optimizers/fused-adam.js";
import { useFusedLoss, useStockLoss } from "../dist/fit/fused-loss.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const repeats = Number(process.argv[2] ?? 7);
const backend = process.argv[3] ?? "wasm";
await tf.setBackend(backend);
const { x, y } = loadMnist({ flatten: true, normalize: true });
const yFloat = y.cast("float32");

function makeModel() {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 64, activation: "relu", inputShape: [784] }),
      tf.layers.dense({ units: 10, activation: "softmax" }),
    ],
  });
  model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  return model;
}

const stock = (run) => async (m) => {
  useStockWasmKernels();
  useStockAdam();
  useStockLoss();
  try {
    await run(m);
  } finally {
    useFasterWasmKernels();
    useFusedAdam();
    useFusedLoss();
  }
};
const tfjsFit = async (m) => m.fit(x, yFloat, { epochs: 1, batchSize: 32, validationSplit: 0.2, verbose: 0 });
const ourFit = async (m) => fit(m, x, y, { epochs: 1, batchSize: 32, validationSplit: 0.2, verbose: 0 });
const variants = {
  "tfjs model.fit": tfjsFit,
  "tslab-fit fit": ourFit,
  "tfjs model.fit, stock kernels + Adam + loss": stock(tfjsFit),
  "tslab-fit fit, stock kernels + Adam + loss": stock(ourFit),
  "tslab-fit fit + EarlyStopping + ModelCheckpoint": async (m) => {
    const dir = mkdtempSync(join(tmpdir(), "bench-"));
    await fit(m, x, y, {
      epochs: 1, batchSize: 32, validationSplit: 0.2, verbose: 0,
      callbacks: [new EarlyStopping({ patience: 3, restoreBestWeights: true }), new ModelCheckpoint({ filepath: join(dir, "best"), saveBestOnly: true })],
    });
    rmSync(dir, { recursive: true, force: true });
  },
};

const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
// One warm-up each (kernel compilation, allocations), then alternate.
for (const run of Object.values(variants)) await run(makeModel());
for (let r = 0; r < repeats; r++) {
  for (const [name, run] of Object.entries(variants)) {
    const model = makeModel();
    const t0 = performance.now();
    await run(model);
    times[name].push(performance.now() - t0);
    model.dispose();
  }
}
const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
const base = median(times["tfjs model.fit"]);
console.log(`backend ${backend}, MNIST MLP 784-64-10, 8,000 train + 2,000 val samples, batch 32, 1 epoch, ${repeats} runs each`);
console.log("variant".padEnd(50), "median ms".padStart(10), "ratio".padStart(7));
for (const [name, t] of Object.entries(times)) {
  console.log(name.padEnd(50), median(t).toFixed(0).padStart(10), (median(t) / base).toFixed(2).padStart(7));
}
