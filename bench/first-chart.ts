// Target 4 of issue 13: time to the first chart in a fresh tslab kernel (Jupyter protocol, real kernel), and to the
// final chart, for the seed MLP with LivePlot on 2,000 digits. Run through tsx (it reuses the kernel tests' set-up):
//   npm run build && node --import tsx bench/first-chart.ts [runs=3]
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { kernelSkipReason, makeKernelEnv, PYTHON } from "../test/display/kernel-env.js";

const VL = "application/vnd.vegalite.v5+json";
const CELL = `import * as tf from "@tensorflow/tfjs";
import { fit, LivePlot, loadMnist, useBestBackend } from "tslab-fit";
await useBestBackend();
const { x, y } = loadMnist({ flatten: true, normalize: true, limit: 2000 });
const model = tf.sequential({ layers: [tf.layers.dense({ units: 64, activation: "relu", inputShape: [784] }), tf.layers.dense({ units: 10, activation: "softmax" })] });
model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
await fit(model, x, y, { epochs: 3, validationSplit: 0.2, verbose: 0, callbacks: [new LivePlot()] });`;

interface Msg {
  t: number;
  msg_type: string;
  content: { data?: Record<string, unknown>; execution_state?: string };
}

const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];

function once(): { first: number; final: number; idle: number } {
  const env = makeKernelEnv();
  const cells = join(env.root, "cells.json");
  writeFileSync(cells, JSON.stringify([CELL]));
  const out = join(env.root, "out.json");
  const run = spawnSync(PYTHON, [join(__dirname, "..", "test", "display", "kernel_driver.py"), cells, env.notebookDir, out], {
    env: env.env,
    encoding: "utf8",
    timeout: 300_000,
  });
  if (run.status !== 0) throw new Error(`kernel driver failed:\n${run.stderr.slice(-2000)}`);
  const msgs = (JSON.parse(readFileSync(out, "utf8")).cells[0].messages as Msg[]);
  const charts = msgs.filter((m) => (m.msg_type === "display_data" || m.msg_type === "update_display_data") && m.content.data && VL in m.content.data);
  const idle = msgs.find((m) => m.msg_type === "status" && m.content.execution_state === "idle");
  if (charts.length === 0 || !idle) throw new Error("no chart in the cell's output");
  return { first: charts[0].t, final: charts.at(-1)!.t, idle: idle.t };
}

export function main(runs = 3): string {
  const reason = kernelSkipReason();
  if (reason) return `### Time to the first chart in a fresh tslab kernel (target 4)\n\nNot measured: ${reason}`;
  const r = Array.from({ length: runs }, once);
  return [
    `### Time to the first chart in a fresh tslab kernel (target 4): ${runs} fresh kernels, one cell each`,
    "",
    "The cell imports tfjs and tslab-fit, picks the backend, loads 2,000 digits and fits the seed MLP for 3 epochs with LivePlot. Seconds from sending the cell (median):",
    "",
    "| first chart shown | final chart (with PNG) | cell done |",
    "|---:|---:|---:|",
    `| ${median(r.map((x) => x.first)).toFixed(2)} | ${median(r.map((x) => x.final)).toFixed(2)} | ${median(r.map((x) => x.idle)).toFixed(2)} |`,
  ].join("\n");
}

if (require.main === module) console.log(main(Number(process.argv[2] ?? 3)));
