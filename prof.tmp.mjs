import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { fit, loadMnist } from "./dist/index.js";
await tf.setBackend("wasm");
const L = tf.layers;
const model = tf.sequential({ layers: [L.inputLayer({ inputShape: [28, 28, 1] }), L.conv2d({ filters: 32, kernelSize: 3, activation: "relu" }), L.maxPooling2d({ poolSize: 2 }), L.conv2d({ filters: 64, kernelSize: 3, activation: "relu" }), L.maxPooling2d({ poolSize: 2 }), L.flatten(), L.dropout({ rate: 0.5 }), L.dense({ units: 10, activation: "softmax" })] });
model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
const { x, y } = loadMnist({ normalize: true, limit: 1024 });
const xb = x.slice(0, 128).reshape([128, 28, 28, 1]), yb = y.slice(0, 128).cast("float32");
await model.trainOnBatch(xb, yb);
let t = performance.now(); for (let i = 0; i < 3; i++) await model.trainOnBatch(xb, yb); console.log("step ms", (performance.now() - t) / 3);
const profile = await tf.profile(async () => { await model.trainOnBatch(xb, yb); });
const by = {};
for (const k of profile.kernels) { const v = await k.kernelTimeMs; by[k.name] = (by[k.name] ?? 0) + (typeof v === "number" ? v : 0); }
console.log(Object.entries(by).sort((a, b) => b[1] - a[1]).slice(0, 14).map(([n, v]) => `${n} ${v.toFixed(1)}`).join("\n"));
