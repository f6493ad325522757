// Target 4 of issue 13, through a real tslab kernel (Jupyter protocol): time to the first chart in a fresh kernel,
// and to the final chart, for the seed MLP with LivePlot on 2,000 digits; then, in the first kernel, LivePlot's
// share of a 10-epoch seed run (10,000 digits) and the time per update, as a notebook user gets them. Run through
// tsx (it reuses the kernel tests' set-up):
//   npm run build && node --import tsx bench/first-chart.ts [runs=3]
import { kernelSkipReason, makeKernelEnv, runKernelCells } from "../test/display/kernel-env.js";

const VL = "application/vnd.vegalite.v5+json";
const CELL = `import * as tf from "@tensorflow/tfjs";
import { fit, LivePlot, loadMnist, useBestBackend } from "tslab-fit";
await useBestBackend();
const { x, y } = loadMnist({ flatten: true, normalize: true, limit: 2000 });
const model = tf.sequential({ layers: [tf.layers.dense({ units: 64, activation: "relu", inputShape: [784] }), tf.layers.dense({ units: 10, activation: "softmax" })] });
model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
await fit(model, x, y, { epochs: 3, validationSplit: 0.2, verbose: 0, callbacks: [new LivePlot()] });`;

// The seed run: 10,000 digits, 10 epochs. Every LivePlot hook is timed as the callback list calls it.
const SEED_CELL = `const seed = loadMnist({ flatten: true, normalize: true, limit: 10000 });
const seedModel = tf.sequential({ layers: [tf.layers.dense({ units: 64, activation: "relu", inputShape: [784] }), tf.layers.dense({ units: 10, activation: "softmax" })] });
seedModel.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
const live = new LivePlot();
let hookMs = 0;
for (const hook of ["onTrainBegin", "onEpochBegin", "onEpochEnd", "onTrainEnd"] as const) {
  const own = (live as any)[hook];
  (live as any)[hook] = async (...args: unknown[]) => { const t0 = performance.now(); try { return await own.apply(live, args); } finally { hookMs += performance.now() - t0; } };
}
const t0 = performance.now();
await fit(seedModel, seed.x, seed.y, { epochs: 10, validationSplit: 0.2, verbose: 0, callbacks: [live] });
console.log("SEED " + JSON.stringify({ fitMs: performance.now() - t0, hookMs, stats: live.stats }));`;

interface Msg {
  t: number;
  msg_type: string;
  content: { data?: Record<string, unknown>; execution_state?: string; text?: string };
}
interface Seed {
  fitMs: number;
  hookMs: number;
  stats: { updates: number; pngs: number; specMs: number; pngMs: number; fixedMs: number };
}

const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];

function once(withSeed: boolean): { first: number; final: number; idle: number; seed?: Seed } {
  const env = makeKernelEnv();
  const cells = runKernelCells<{ messages: Msg[] }>(withSeed ? [CELL, SEED_CELL] : [CELL], env, { timeoutMs: 600_000 });
  const msgs = cells[0].messages;
  const charts = msgs.filter((m) => (m.msg_type === "display_data" || m.msg_type === "update_display_data") && m.content.data && VL in m.content.data);
  const idle = msgs.find((m) => m.msg_type === "status" && m.content.execution_state === "idle");
  if (charts.length === 0 || !idle) throw new Error("no chart in the cell's output");
  const line = cells[1]?.messages.map((m) => m.content.text ?? "").join("").split("\n").find((l) => l.startsWith("SEED "));
  if (withSeed && !line) throw new Error(`the seed cell printed no stats:\n${JSON.stringify(cells[1]?.messages).slice(-2000)}`);
  return { first: charts[0].t, final: charts.at(-1)!.t, idle: idle.t, seed: line ? (JSON.parse(line.slice(5)) as Seed) : undefined };
}

export function main(runs = 3): string {
  const reason = kernelSkipReason();
  if (reason) return `### Time to the first chart in a fresh tslab kernel (target 4)\n\nNot measured: ${reason}`;
  const r = Array.from({ length: runs }, (_, i) => once(i === 0));
  const seed = r[0].seed!;
  const s = seed.stats;
  return [
    `### Time to the first chart in a fresh tslab kernel (target 4, ≤ 3 s): ${runs} fresh kernels, one cell each`,
    "",
    "The cell imports tfjs and tslab-fit, picks the backend, loads 2,000 digits and fits the seed MLP for 3 epochs with LivePlot. Seconds from sending the cell (median):",
    "",
    "| first chart shown | final chart (with PNG) | cell done |",
    "|---:|---:|---:|",
    `| ${median(r.map((x) => x.first)).toFixed(2)} | ${median(r.map((x) => x.final)).toFixed(2)} | ${median(r.map((x) => x.idle)).toFixed(2)} |`,
    "",
    "### LivePlot in a 10-epoch seed run (target 4): the next cell of the first kernel, 10,000 digits (8,000 train), batch 32",
    "",
    "| fit s | LivePlot hooks ms | share of the fit | updates (with PNG) | spec + send ms per update | first display + final PNG ms |",
    "|---:|---:|---:|---:|---:|---:|",
    `| ${(seed.fitMs / 1000).toFixed(1)} | ${seed.hookMs.toFixed(0)} | ${((100 * seed.hookMs) / seed.fitMs).toFixed(2)} % | ${s.updates} (${s.pngs}) | ${(s.specMs / Math.max(1, s.updates - 1)).toFixed(1)} | ${s.fixedMs.toFixed(0)} |`,
  ].join("\n");
}

if (require.main === module) console.log(main(Number(process.argv[2] ?? 3)));
