// Shared set-up of the benchmarks: the seed's MLP, MNIST, interleaved timing and medians.
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { loadMnist } from "../dist/index.js";

export async function setBackend(name = process.env.BENCH_BACKEND ?? "wasm") {
  await tf.setBackend(name);
  await tf.ready();
  return tf.getBackend();
}

/** The seed's MNIST MLP 784-64-10, adam, sparse categorical cross-entropy + accuracy. */
export function makeMlp(seed) {
  const init = (s) => (seed === undefined ? undefined : tf.initializers.glorotUniform({ seed: seed + s }));
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 64, activation: "relu", inputShape: [784], kernelInitializer: init(1) }),
      tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: init(2) }),
    ],
  });
  model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  return model;
}

export function digits(limit) {
  const { x, y } = loadMnist({ flatten: true, normalize: true, limit });
  return { x, y, yFloat: y.cast("float32") };
}

export const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];

/**
 * Runs every variant once as a warm-up, then `repeats` rounds in which each variant runs once, in a rotating order
 * so machine noise and ordering effects hit all of them alike. Returns name → list of ms.
 */
export async function interleave(variants, repeats, { setup, teardown } = {}) {
  const names = Object.keys(variants);
  const times = Object.fromEntries(names.map((k) => [k, []]));
  for (const name of names) {
    const ctx = await setup?.(name);
    await variants[name](ctx);
    await teardown?.(ctx);
  }
  for (let r = 0; r < repeats; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length]);
    for (const name of order) {
      const ctx = await setup?.(name);
      const t0 = performance.now();
      await variants[name](ctx);
      times[name].push(performance.now() - t0);
      await teardown?.(ctx);
    }
  }
  return times;
}

/** A markdown table of medians and ratios to `base`. */
export function ratioTable(times, base, unit = "ms") {
  const b = median(times[base]);
  const rows = [`| variant | median ${unit} | ratio to ${base} |`, "|---|---:|---:|"];
  for (const [name, t] of Object.entries(times)) rows.push(`| ${name} | ${median(t).toFixed(0)} | ${(median(t) / b).toFixed(3)} |`);
  return rows.join("\n");
}
