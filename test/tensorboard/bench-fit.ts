// Overhead of the TensorBoard callback on a real fit: `node --import tsx test/tensorboard/bench-fit.ts [cpu|wasm]`.
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { fit } from "../../src/fit/fit.js";
import { loadMnist } from "../../src/data/mnist.js";
import { TensorBoard } from "../../src/callbacks/tensorboard.js";
import { tempDir } from "./helpers.js";

async function run(withTb: boolean, opts: object): Promise<number> {
  tf.setRandomSeed?.(1);
  const { x, y } = loadMnist({ flatten: true, normalize: true, limit: 3000 });
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 128, activation: "relu", inputShape: [784] }));
  model.add(tf.layers.dense({ units: 10, activation: "softmax" }));
  model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  const t0 = performance.now();
  await fit(model, x, y, {
    epochs: 3, batchSize: 64, validationSplit: 0.2, verbose: 0,
    callbacks: withTb ? [new TensorBoard({ logDir: tempDir(), ...opts })] : [],
  });
  const ms = performance.now() - t0;
  tf.dispose([x, y]);
  model.dispose();
  return ms;
}

async function main() {
  await tf.setBackend(process.argv[2] ?? "cpu");
  await run(false, {}); // warm-up
  const base = await run(false, {});
  const epochOnly = await run(true, {});
  const full = await run(true, { histogramFreq: 1, writeImages: true, updateFreq: "batch", writeStepsPerSecond: true });
  console.log(
    `fit 2400 MNIST digits × 3 epochs, 784-128-10, backend ${tf.getBackend()}: ${base.toFixed(0)} ms without TensorBoard, ` +
      `${epochOnly.toFixed(0)} ms with TensorBoard(), ${full.toFixed(0)} ms with histograms + images + batch logging`,
  );
}
main();
