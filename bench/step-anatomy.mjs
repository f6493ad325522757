// Target 2 of issue 13: one training step of the seed MLP (784-64-10, adam, batch 32) on the backend, kernel by
// kernel, with tf.profile: which kernels run, how many, and where the time goes. Also the step time by batch size.
//   npm run build && node bench/step-anatomy.mjs [steps=20]
import * as tf from "@tensorflow/tfjs";
import { digits, makeMlp, median, setBackend } from "./common.mjs";
import { useFasterWasmKernels, useStockWasmKernels } from "../dist/kernels/wasm/faster.js";

function trainFunction(model) {
  const core = model.model ?? model;
  return core.makeTrainFunction();
}

export async function main({ steps = 20 } = {}) {
  const backend = await setBackend();
  const { x, y, yFloat } = digits(2000);
  const model = makeMlp(1);
  const train = trainFunction(model);
  const batch = (size, i = 0) => [x.slice([i * size, 0], [size, 784]), yFloat.slice([i * size], [size])];
  const step = (size, i) => {
    const inputs = batch(size, i);
    tf.dispose(train(inputs));
    tf.dispose(inputs);
  };
  for (let i = 0; i < 5; i++) step(32, i); // warm-up
  // Kernel by kernel over `steps` steps (tf.profile times each kernel; on wasm, wall time of the call).
  const profile = async () => {
  // Per kernel name: calls and summed time in each profiled step; medians over the steps (the machine may be shared).
  // Names ending in "__op" are custom ops wrapping a kernel listed too (fusedMatMul__op → _FusedMatMul): not counted.
  const perKernel = new Map();
  let kernels = 0;
  for (let s = 0; s < steps; s++) {
    const inputs = batch(32, s % 50);
    const info = await tf.profile(() => tf.dispose(train(inputs)));
    tf.dispose(inputs);
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
  for (const e of perKernel.values()) e.ms = median(e.ms) * steps;
  return { perKernel, kernels };
  };
  useStockWasmKernels();
  const stock = await profile();
  useFasterWasmKernels();
  const faster = await profile();
  // Wall time of a step (no profiler) by batch size: blocks of 5 steps per variant, alternating, each block after one
  // uncounted step (the kernel was just swapped), 8 rounds; medians of the 40 steps each.
  const sizes = [32, 128, 512];
  const wall = { stock: {}, faster: {} };
  for (const size of sizes) {
    const t = { stock: [], faster: [] };
    const batches = Math.floor(2000 / size);
    for (let round = 0; round < 8; round++) {
      for (const variant of round % 2 === 0 ? ["stock", "faster"] : ["faster", "stock"]) {
        (variant === "stock" ? useStockWasmKernels : useFasterWasmKernels)();
        step(size, round % batches);
        for (let s = 0; s < 5; s++) {
          const t0 = performance.now();
          step(size, (round * 5 + s) % batches);
          t[variant].push(performance.now() - t0);
        }
      }
    }
    wall.stock[size] = median(t.stock);
    wall.faster[size] = median(t.faster);
  }
  useFasterWasmKernels();
  model.dispose();
  tf.dispose([x, y, yFloat]);
  const table = ({ perKernel, kernels }, label) => {
    const total = [...perKernel.values()].reduce((a, e) => a + e.ms, 0);
    const rows = [...perKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
    return [
      `${label}: ${kernels} kernels per step; sum of per-kernel median times ${(total / steps).toFixed(2)} ms per step.`,
      "",
      "| kernel | calls per step | median ms per step | share |",
      "|---|---:|---:|---:|",
      ...rows.map(([name, e]) => `| ${name} | ${e.count.toFixed(0)} | ${(e.ms / steps).toFixed(3)} | ${((100 * e.ms) / total).toFixed(1)} % |`),
    ].join("\n");
  };
  return [
    `### One training step, kernel by kernel (target 2): seed MLP, adam, batch 32, ${backend}, ${steps} profiled steps per variant`,
    "",
    "Wall time per step without the profiler (median of 40 steps each, stock and faster BatchMatMul alternating in blocks of 5):",
    "",
    "| batch | stock ms | faster ms | ratio | faster µs/sample |",
    "|---:|---:|---:|---:|---:|",
    ...sizes.map((s) => `| ${s} | ${wall.stock[s].toFixed(2)} | ${wall.faster[s].toFixed(2)} | ${(wall.faster[s] / wall.stock[s]).toFixed(2)} | ${((wall.faster[s] / s) * 1000).toFixed(0)} |`),
    "",
    table(stock, "Stock tfjs-backend-wasm kernels"),
    "",
    table(faster, "With tslab-fit's BatchMatMul (transposed A made explicit)"),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [steps] = process.argv.slice(2).map(Number);
  console.log(await main({ steps: steps || undefined }));
}
