// Convnets and embeddings on wasm (with tslab-fit's kernels) against the cpu backend, and where one training step's
// time goes. Variants alternate in one process; medians are printed.
//   npm run build && node bench/wasm-kernels.mjs [repeats=3] [cpuBatches=1] [sections=epochs,kernels,step]
// cpu is timed on `cpuBatches` batches per run and scaled to a full epoch (a whole cpu epoch of the convnet takes
// many minutes); wasm runs whole epochs.
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { fit, loadMnist } from "../dist/index.js";
import { nativeWasmKernel, wasmKernelReplacements } from "../dist/kernels/wasm/index.js";

const repeats = Number(process.argv[2] ?? 3);
const cpuBatches = Number(process.argv[3] ?? 1);
const sections = new Set((process.argv[4] ?? "epochs,kernels,step").split(","));
const batchSize = 128;
const samples = 8000;
const batchesPerEpoch = Math.ceil(samples / batchSize);

await tf.setBackend("wasm");
const mnist = loadMnist({ normalize: true });
const images = { x: mnist.x.slice(0, samples).arraySync(), y: mnist.y.slice(0, samples).arraySync() };

// Keras's "simple MNIST convnet" (keras.io/examples/vision/mnist_convnet).
function convnet() {
  const L = tf.layers;
  const model = tf.sequential({ layers: [
    L.inputLayer({ inputShape: [28, 28, 1] }),
    L.conv2d({ filters: 32, kernelSize: 3, activation: "relu" }),
    L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 64, kernelSize: 3, activation: "relu" }),
    L.maxPooling2d({ poolSize: 2 }),
    L.flatten(),
    L.dropout({ rate: 0.5 }),
    L.dense({ units: 10, activation: "softmax" }),
  ] });
  model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  return model;
}
const convData = () => ({ x: tf.tensor4d(images.x.flat(2).flat(), [samples, 28, 28, 1]), y: tf.tensor1d(images.y, "int32") });

// A bag-of-words sentiment-style model: Embedding → GlobalAveragePooling1D → Dense; labels depend on which half of
// the vocabulary dominates the sequence, so it is learnable.
const vocab = 2000, seqLen = 64;
const textIds = Array.from({ length: samples * seqLen }, (_, i) => Math.floor(((Math.sin(i * 12.9898) * 43758.5453) % 1 + 1) % 1 * vocab));
function textModel() {
  const L = tf.layers;
  const model = tf.sequential({ layers: [
    L.embedding({ inputDim: vocab, outputDim: 16, inputLength: seqLen }),
    L.globalAveragePooling1d({}),
    L.dense({ units: 1, activation: "sigmoid" }),
  ] });
  model.compile({ optimizer: "adam", loss: "binaryCrossentropy", metrics: ["accuracy"] });
  return model;
}
const textData = () => {
  const x = tf.tensor2d(textIds, [samples, seqLen]);
  return { x, y: tf.tidy(() => tf.cast(tf.greater(tf.mean(tf.cast(tf.less(x, vocab / 2), "float32"), 1), 0.5), "float32")) };
};

async function epochSeconds(backend, build, data) {
  await tf.setBackend(backend);
  const model = build();
  const { x, y } = data();
  const n = backend === "cpu" ? cpuBatches * batchSize : samples;
  const xs = x.slice(0, n), ys = y.slice(0, n);
  await fit(model, xs.slice(0, 8), ys.slice(0, 8), { epochs: 1, batchSize: 8, verbose: 0 }); // warm-up
  const t0 = performance.now();
  await fit(model, xs, ys, { epochs: 1, batchSize, verbose: 0, shuffle: false });
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([model, x, y, xs, ys]);
  return backend === "cpu" ? (seconds / cpuBatches) * batchesPerEpoch : seconds;
}

const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
const models = { "MNIST convnet": [convnet, convData], "Embedding → GAP1D → Dense": [textModel, textData] };
const times = {};
for (let r = 0; r < (sections.has("epochs") ? repeats : 0); r++) {
  for (const [name, [build, data]] of Object.entries(models)) {
    for (const backend of ["wasm", "cpu"]) {
      (times[`${name}|${backend}`] ??= []).push(await epochSeconds(backend, build, data));
    }
  }
}
if (sections.has("epochs")) {
console.log(`${samples} samples, batch ${batchSize}, one epoch through fit; medians of ${repeats} alternating runs (cpu: ${cpuBatches} batches scaled to ${batchesPerEpoch})`);
console.log("model".padEnd(28), "wasm s/epoch".padStart(13), "cpu s/epoch".padStart(12), "cpu / wasm".padStart(11));
for (const name of Object.keys(models)) {
  const w = median(times[`${name}|wasm`]), c = median(times[`${name}|cpu`]);
  console.log(name.padEnd(28), w.toFixed(1).padStart(13), c.toFixed(1).padStart(12), (c / w).toFixed(1).padStart(11));
}
}

// Each replacement kernel against wasm's own, at the convnet's shapes, interleaved.
await tf.setBackend("wasm");
const backend = tf.backend();
const replacementCases = {
  Conv2DBackpropInput: () => {
    const dy = tf.randomNormal([batchSize, 11, 11, 64]), filter = tf.randomNormal([3, 3, 32, 64]);
    return { inputs: { dy, filter }, attrs: { strides: 1, pad: "valid", dataFormat: "NHWC", inputShape: [batchSize, 13, 13, 32] }, dispose: () => tf.dispose([dy, filter]) };
  },
  MaxPoolGrad: () => {
    const input = tf.relu(tf.randomNormal([batchSize, 26, 26, 32])), output = tf.maxPool(input, 2, 2, "valid"), dy = tf.randomNormal(output.shape);
    return { inputs: { dy, input, output }, attrs: { filterSize: 2, strides: 2, pad: "valid" }, dispose: () => tf.dispose([dy, input, output]) };
  },
  // Replaced for correctness (wasm's own is wrong); timed at a small 3-D convnet's shapes for completeness.
  Conv3DBackpropInputV2: () => {
    const dy = tf.randomNormal([16, 8, 8, 8, 8]), filter = tf.randomNormal([3, 3, 3, 4, 8]);
    return { inputs: { dy, filter }, attrs: { strides: 1, pad: "same", inputShape: [16, 8, 8, 8, 4] }, dispose: () => tf.dispose([dy, filter]) };
  },
};
if (sections.has("kernels")) console.log("\nkernel (at a convnet's shapes)".padEnd(40), "wasm's own ms".padStart(14), "tslab-fit ms".padStart(13), "speed-up".padStart(9));
for (const { kernelName, kernelFunc } of sections.has("kernels") ? wasmKernelReplacements : []) {
  const c = replacementCases[kernelName]();
  // wasm's own kernel was displaced before the backend started, so its wasm function was never looked up.
  const native = nativeWasmKernel(kernelName);
  native.setupFunc?.(backend);
  const variants = { native: native.kernelFunc, ours: kernelFunc };
  const t = { native: [], ours: [] };
  for (let r = 0; r < 5; r++) {
    for (const [name, fn] of Object.entries(variants)) {
      const t0 = performance.now();
      const out = fn({ inputs: c.inputs, backend, attrs: c.attrs });
      t[name].push(performance.now() - t0);
      backend.disposeData(out.dataId);
    }
  }
  c.dispose();
  console.log(kernelName.padEnd(40), median(t.native).toFixed(0).padStart(14), median(t.ours).toFixed(0).padStart(13), `${(median(t.native) / median(t.ours)).toFixed(1)}×`.padStart(9));
}

// Where one wasm training step of the convnet goes: phases, then kernels (tf.profile over a whole step).
if (!sections.has("step")) process.exit(0);
await tf.setBackend("wasm");
const model = convnet();
const { x, y } = convData();
const xb = x.slice(0, batchSize), yb = y.slice(0, batchSize).cast("float32");
const yOneHot = tf.oneHot(y.slice(0, batchSize), 10);
const lossOf = () => tf.mean(tf.metrics.categoricalCrossentropy(yOneHot, model.apply(xb, { training: true })));
await model.trainOnBatch(xb, yb);
// Kernel times from tf.profile (each kernel waited for), less at the mercy of machine load than wall-clock phases:
// the loss alone (forward), Adam's update alone, and a whole trainOnBatch (the rest of which is the backward pass).
// Medians of 7 profiles each.
async function kernelTimes(run) {
  const runs = [];
  for (let r = 0; r < 7; r++) {
    const profile = await tf.profile(run);
    const byKernel = {};
    for (const k of profile.kernels) byKernel[k.name] = (byKernel[k.name] ?? 0) + (typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0);
    runs.push(byKernel);
  }
  const names = new Set(runs.flatMap((r) => Object.keys(r)));
  return Object.fromEntries([...names].map((n) => [n, median(runs.map((r) => r[n] ?? 0))]));
}
const forward = await kernelTimes(() => tf.tidy(() => { lossOf().dataSync(); }));
const step = await kernelTimes(async () => { await model.trainOnBatch(xb, yb); });
const { grads } = tf.variableGrads(lossOf);
const adam = tf.train.adam();
adam.applyGradients(grads); // creates its slots
const optimizer = await kernelTimes(() => adam.applyGradients(grads));
const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);
console.log(`\none wasm training step of the convnet (batch ${batchSize}), kernel ms (tf.profile, medians of 7): trainOnBatch ${sum(step).toFixed(0)} ≈ forward ${sum(forward).toFixed(0)} + Adam update ${sum(optimizer).toFixed(1)} + backward (the rest) ${(sum(step) - sum(forward) - sum(optimizer)).toFixed(0)}`);
console.log("kernel in one trainOnBatch".padEnd(28), "ms".padStart(7), "share".padStart(6));
for (const [k, ms] of Object.entries(step).sort((p, q) => q[1] - p[1]).slice(0, 12)) {
  console.log(k.padEnd(28), ms.toFixed(1).padStart(7), `${((ms / sum(step)) * 100).toFixed(0)}%`.padStart(6));
}
