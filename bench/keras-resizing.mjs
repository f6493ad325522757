// What does kerasResizing (Keras's half-pixel resize: tfjs's resize kernel with halfPixelCenters forward, tslab-fit's
// own gradient) cost next to calling tfjs's kernel directly (same values forward; its gradient kernel ignores
// halfPixelCenters, so its gradient is wrong, but it is the cost to compare with)? Forward, and forward + input
// gradient, runs interleaved.
//   npm run build && node bench/keras-resizing.mjs [repeats=7] [backend=wasm]
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { kerasResizing } from "../dist/index.js";

const repeats = Number(process.argv[2] ?? 7);
const backend = process.argv[3] ?? "wasm";
await tf.setBackend(backend);
const x = tf.randomNormal([32, 64, 64, 3], 0, 1, "float32", 1);

const cases = [];
for (const [h, w] of [[32, 32], [128, 128]]) {
  const layer = kerasResizing({ height: h, width: w });
  const ours = (t) => layer.apply(t);
  const native = (t) => tf.image.resizeBilinear(t, [h, w], false, true);
  cases.push([`kerasResizing → ${h}×${w}`, ours], [`tf.image.resizeBilinear(halfPixelCenters) → ${h}×${w}`, native]);
  cases.push([`kerasResizing → ${h}×${w}, + gradient`, (t) => tf.grad((u) => ours(u).sum())(t)]);
  cases.push([`tf.image.resizeBilinear → ${h}×${w}, + gradient`, (t) => tf.grad((u) => native(u).sum())(t)]);
}

const times = Object.fromEntries(cases.map(([name]) => [name, []]));
const once = (fn) => {
  const t0 = performance.now();
  const y = tf.tidy(() => fn(x));
  y.dataSync();
  y.dispose();
  return performance.now() - t0;
};
for (const [, fn] of cases) once(fn);
for (let r = 0; r < repeats; r++) for (const [name, fn] of cases) times[name].push(once(fn));
const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
console.log(`backend ${backend}, batch 32 of 64×64×3, ${repeats} interleaved runs each, median ms`);
for (const [name] of cases) console.log(`${median(times[name]).toFixed(1).padStart(8)}  ${name}`);
