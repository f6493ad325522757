// Target 2 of issue 13: one training step of the seed MLP (784-64-10, adam, batch 32) on the backend, kernel by
// kernel, with tf.profile — stock tfjs-backend-wasm and tfjs's AdamOptimizer against tslab-fit's speed-ups (wrapped
// BatchMatMul, GatherV2 and Slice; the fused Adam step) — then the step's wall time by batch size and the seed's
// one-epoch fit (8,000 train + 2,000 validation digits), all variants interleaved.
//   npm run build && node bench/step-anatomy.mjs [steps=20] [epochRepeats=5]
import * as tf from "@tensorflow/tfjs";
import { digits, interleave, makeMlp, median, setBackend } from "./common.mjs";
import { fit } from "../dist/index.js";
import { useFasterWasmKernels, useStockWasmKernels } from "../dist/kernels/wasm/faster.js";
import { useFusedAdam, useStockAdam } from "../dist/optimizers/fused-adam.js";
import { fuseLossAndMetric, useFusedLoss, useStockLoss } from "../dist/fit/fused-loss.js";

// The step's model: `fit` swaps the one-kernel loss and metric into it for the length of a fit; here by hand.
let restoreLoss = () => {};
let stepModel;
const variants = {
  stock: () => {
    useStockWasmKernels();
    useStockAdam();
    useStockLoss();
    restoreLoss();
    restoreLoss = () => {};
  },
  "tslab-fit": () => {
    useFasterWasmKernels();
    useFusedAdam();
    useFusedLoss();
    restoreLoss();
    restoreLoss = stepModel ? fuseLossAndMetric(stepModel) : () => {};
  },
};

function trainFunction(model) {
  const core = model.model ?? model;
  return core.makeTrainFunction();
}

/** Per kernel name: calls per step and the median over `steps` profiled steps of its summed time in a step. */
async function profileSteps(train, batch, steps) {
  // Names ending in "__op" are custom ops wrapping a kernel listed too (fusedMatMul__op → _FusedMatMul): not counted.
  const perKernel = new Map();
  let kernels = 0;
  for (let s = 0; s < steps; s++) {
    const inputs = batch(32, s % 50);
    const info = await tf.profile(() => tf.dispose(train(inputs)));
    const own = info.kernels.filter((k) => !k.name.endsWith("__op"));
    kernels = own.length;
    const thisStep = new Map();
    for (const k of own) {
      const e = thisStep.get(k.name) ?? { count: 0, ms: 0 };
      e.count += 1;
      e.ms += typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
      thisStep.set(k.name, e);
    }
    for (const [name, e] of thisStep) {
      const all = perKernel.get(name) ?? { count: e.count, ms: [] };
      all.ms.push(e.ms);
      perKernel.set(name, all);
    }
  }
  for (const e of perKernel.values()) e.ms = median(e.ms);
  return { perKernel, kernels };
}

function kernelTable({ perKernel, kernels }, label) {
  const total = [...perKernel.values()].reduce((a, e) => a + e.ms, 0);
  const rows = [...perKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
  return [
    `${label}: ${kernels} kernels per step; sum of per-kernel median times ${total.toFixed(2)} ms per step.`,
    "",
    "| kernel | calls per step | median ms per step | share |",
    "|---|---:|---:|---:|",
    ...rows.map(([name, e]) => `| ${name} | ${e.count.toFixed(0)} | ${e.ms.toFixed(3)} | ${((100 * e.ms) / total).toFixed(1)} % |`),
  ].join("\n");
}

export async function main({ steps = 20, epochRepeats = 5 } = {}) {
  const backend = await setBackend();
  const { x, y, yFloat } = digits(10000);
  const model = makeMlp(1);
  stepModel = model;
  const train = trainFunction(model);
  // Batches cut once, before anything is timed: the step alone is measured (slicing is a kernel tslab-fit also speeds
  // up, and the epoch runs below include it).
  const pools = new Map();
  const batch = (size, i = 0) => {
    if (!pools.has(size)) pools.set(size, []);
    const pool = pools.get(size);
    const k = i % Math.floor(8000 / size);
    pool[k] ??= [x.slice([k * size, 0], [size, 784]), yFloat.slice([k * size], [size])];
    return pool[k];
  };
  const step = (size, i) => tf.dispose(train(batch(size, i)));
  for (const size of [32, 128, 512]) for (let i = 0; i < 8000 / size - 1; i++) batch(size, i);
  const profiles = {};
  for (const [name, use] of Object.entries(variants)) {
    use();
    for (let i = 0; i < 5; i++) step(32, i); // warm-up
    profiles[name] = await profileSteps(train, batch, steps);
  }
  // Wall time of a step (no profiler) by batch size: blocks of 5 steps per variant, alternating, each block after one
  // uncounted step (the kernels were just swapped), 8 rounds; medians of the 40 steps each.
  const sizes = [32, 128, 512];
  const names = Object.keys(variants);
  const wall = Object.fromEntries(names.map((n) => [n, {}]));
  for (const size of sizes) {
    const t = Object.fromEntries(names.map((n) => [n, []]));
    const batches = Math.floor(8000 / size);
    for (let round = 0; round < 8; round++) {
      for (const name of round % 2 === 0 ? names : [...names].reverse()) {
        variants[name]();
        step(size, round % batches);
        for (let s = 0; s < 5; s++) {
          const t0 = performance.now();
          step(size, (round * 5 + s) % batches);
          t[name].push(performance.now() - t0);
        }
      }
    }
    for (const name of names) wall[name][size] = median(t[name]);
  }
  variants.stock();
  stepModel = undefined;
  model.dispose();
  for (const pool of pools.values()) tf.dispose(pool.flat());
  // The seed's epoch: a fresh model per run, one epoch of tslab-fit's fit (and tfjs's model.fit for reference).
  const epochVariants = {
    "tfjs model.fit, stock": async () => { variants.stock(); await makeAndRun((m) => m.fit(x, yFloat, { epochs: 1, batchSize: 32, validationSplit: 0.2, verbose: 0 })); },
    "fit, stock": async () => { variants.stock(); await makeAndRun((m) => fit(m, x, y, { epochs: 1, batchSize: 32, validationSplit: 0.2, verbose: 0 })); },
    "fit, tslab-fit speed-ups": async () => { variants["tslab-fit"](); await makeAndRun((m) => fit(m, x, y, { epochs: 1, batchSize: 32, validationSplit: 0.2, verbose: 0 })); },
    "tfjs model.fit, tslab-fit speed-ups": async () => { variants["tslab-fit"](); await makeAndRun((m) => m.fit(x, yFloat, { epochs: 1, batchSize: 32, validationSplit: 0.2, verbose: 0 })); },
  };
  // Only the training call is timed: the model is built outside.
  let epochMs = 0;
  async function makeAndRun(run) {
    const m = makeMlp(1);
    const t0 = performance.now();
    await run(m);
    epochMs = performance.now() - t0;
    m.dispose();
  }
  const epochTimes = Object.fromEntries(Object.keys(epochVariants).map((k) => [k, []]));
  const raw = await interleave(Object.fromEntries(Object.entries(epochVariants).map(([k, run]) => [k, async () => { await run(); epochTimes[k].push(epochMs); }])), epochRepeats);
  for (const k of Object.keys(raw)) epochTimes[k] = epochTimes[k].slice(1); // the warm-up run
  variants["tslab-fit"]();
  tf.dispose([x, y, yFloat]);
  const base = median(epochTimes["fit, stock"]);
  const total = (p) => [...p.perKernel.values()].reduce((a, e) => a + e.ms, 0);
  return [
    `### Seed epoch (target 2): seed MLP, adam, batch 32, 8,000 train + 2,000 validation digits, ${backend}, ${epochRepeats} interleaved runs`,
    "",
    "\"stock\": tfjs-backend-wasm's own kernels, tfjs's AdamOptimizer, tfjs-layers' loss and metric and fit's generic running sums; \"speed-ups\": tslab-fit's wrapped BatchMatMul, GatherV2 and Slice, its fused Adam step, and fit's one-kernel loss, loss gradient, accuracy and running sums (the defaults).",
    "",
    "| variant | median s per epoch | ratio to fit, stock |",
    "|---|---:|---:|",
    ...Object.entries(epochTimes).map(([k, t]) => `| ${k} | ${(median(t) / 1000).toFixed(3)} | ${(median(t) / base).toFixed(2)} |`),
    "",
    `### One training step, kernel by kernel (target 2): seed MLP, adam, batch 32, ${backend}, ${steps} profiled steps per variant`,
    "",
    "Wall time per step without the profiler (median of 40 steps each, variants alternating in blocks of 5):",
    "",
    "| batch | stock ms | tslab-fit ms | ratio | tslab-fit µs/sample |",
    "|---:|---:|---:|---:|---:|",
    ...sizes.map((s) => `| ${s} | ${wall.stock[s].toFixed(2)} | ${wall["tslab-fit"][s].toFixed(2)} | ${(wall["tslab-fit"][s] / wall.stock[s]).toFixed(2)} | ${((wall["tslab-fit"][s] / s) * 1000).toFixed(0)} |`),
    "",
    `At batch 32 the kernels themselves take ${total(profiles.stock).toFixed(2)} ms (stock) and ${total(profiles["tslab-fit"]).toFixed(2)} ms (tslab-fit) of the step; the rest of the wall time is the engine's and tfjs-layers' bookkeeping around ${profiles.stock.kernels} and ${profiles["tslab-fit"].kernels} kernel calls.`,
    "",
    kernelTable(profiles.stock, "Stock tfjs-backend-wasm kernels, AdamOptimizer and tfjs-layers' loss and metric"),
    "",
    kernelTable(profiles["tslab-fit"], "With tslab-fit's speed-ups"),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [steps, epochRepeats] = process.argv.slice(2).map(Number);
  console.log(await main({ steps: steps || undefined, epochRepeats: epochRepeats || undefined }));
}
