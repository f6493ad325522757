// Measurements quoted in docs/tensorboard.md: `node --import tsx test/tensorboard/bench.ts [cpu|wasm]`.
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { SummaryWriter } from "../../src/tensorboard/writer.js";
import { encodeEvent } from "../../src/tensorboard/messages.js";
import { frameRecord } from "../../src/tensorboard/record.js";
import { scalarValue } from "../../src/tensorboard/summaries.js";
import { deviceHistograms, weightHistograms } from "../../src/tensorboard/device-histogram.js";
import { histogramBuckets } from "../../src/tensorboard/histogram.js";
import { weightImages } from "../../src/tensorboard/weight-images.js";
import { readEventFile } from "../../src/tensorboard/reader.js";
import { tempDir } from "./helpers.js";

async function main() {
  await tf.setBackend(process.argv[2] ?? "cpu");
  const n = 200_000;
  let t0 = performance.now();
  for (let i = 0; i < n; i++) frameRecord(encodeEvent({ wallTime: 1700000000 + i, step: i, summary: [scalarValue("epoch_loss", i / n)] }));
  let ms = performance.now() - t0;
  console.log(`encode+frame scalar events: ${((n / ms) * 1000).toFixed(0)}/s (${((ms * 1000) / n).toFixed(2)} µs each)`);

  const w = new SummaryWriter(tempDir());
  t0 = performance.now();
  for (let i = 0; i < n; i++) w.scalar("epoch_loss", i / n, i);
  w.close();
  ms = performance.now() - t0;
  console.log(`SummaryWriter.scalar to disk (incl. close+fsync): ${((n / ms) * 1000).toFixed(0)}/s`);
  t0 = performance.now();
  const back = readEventFile(w.file).records.length;
  console.log(`readEventFile: ${back} scalars in ${(performance.now() - t0).toFixed(0)} ms`);

  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 128, activation: "relu", inputShape: [784] }));
  model.add(tf.layers.dense({ units: 10, activation: "softmax" }));
  const weights = model.layers.flatMap((l) => l.weights.map((v) => v.read()));
  await deviceHistograms(weights); // warm-up
  const reps = 20;
  t0 = performance.now();
  for (let i = 0; i < reps; i++) await deviceHistograms(weights);
  const device = (performance.now() - t0) / reps;
  t0 = performance.now();
  for (let i = 0; i < reps; i++) for (const t of weights) histogramBuckets(await t.data());
  const js = (performance.now() - t0) / reps;
  t0 = performance.now();
  for (let i = 0; i < reps; i++) await weightHistograms(weights);
  const chosen = (performance.now() - t0) / reps;
  t0 = performance.now();
  for (const t of weights) await weightImages(t);
  const img = performance.now() - t0;
  const hw = new SummaryWriter(tempDir());
  const hs = await deviceHistograms(weights);
  t0 = performance.now();
  for (let e = 0; e < reps; e++) hs.forEach((h, i) => hw.histogram(`w${i}/histogram`, h, e));
  hw.close();
  const write = (performance.now() - t0) / reps;
  console.log(
    `MNIST MLP 784-128-10 (${weights.reduce((s, t) => s + t.size, 0)} weights, backend ${tf.getBackend()}): ` +
      `histograms per epoch ${device.toFixed(2)} ms with tf ops vs ${js.toFixed(2)} ms copying to JS ` +
      `(the callback's choice: ${chosen.toFixed(2)} ms); ` +
      `writing the 4 histogram events ${write.toFixed(3)} ms; weight images ${img.toFixed(1)} ms`,
  );
}
main();
