// What one in-place chart update costs to send, in tslab and in Deno's kernel: the same NotebookOutput.show of a
// 50-epoch history spec (the size a long LivePlot reaches), timed inside each real kernel. Kernels alternate per
// round so machine noise hits both. Prints the median per round and kernel.
//   npm run build && node --import tsx bench/notebook-send.ts [rounds=3]
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { kernelSkipReason, makeKernelEnv, PYTHON } from "../test/display/kernel-env.js";
import { denoSkipReason, KERNEL_NAME, makeDenoKernelEnv } from "../test/deno/deno-env.js";

const rounds = Number(process.argv[2] ?? 3);
const CELL = `import { historySpec, NotebookOutput } from "tslab-fit";
const n = 50, series = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
const spec = historySpec({
  history: { loss: series((i) => 1 / (i + 1)), val_loss: series((i) => 1.1 / (i + 1)), accuracy: series((i) => i / n), val_accuracy: series((i) => i / n) },
  epoch: series((i) => i),
});
const out = new NotebookOutput();
const bundle = { data: { "application/vnd.vegalite.v5+json": spec, "text/plain": "chart" } };
out.show(bundle);
const times: number[] = [];
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) out.show(bundle);
  times.push((performance.now() - t0) / 20);
}
times.sort((a, b) => a - b);
console.log("RESULT " + JSON.stringify({ bytes: JSON.stringify(spec).length, ms: times[2] }));`;

const skip = kernelSkipReason() ?? denoSkipReason();
if (skip) throw new Error(skip);
const results: Record<string, number[]> = { tslab: [], deno: [] };
let bytes = 0;
for (let round = 0; round < rounds; round++) {
  for (const kernel of ["tslab", "deno"] as const) {
    const env = kernel === "tslab" ? makeKernelEnv() : makeDenoKernelEnv();
    const cells = join(env.root, "cells.json");
    const out = join(env.root, "out.json");
    writeFileSync(cells, JSON.stringify([{ code: CELL, late: 1 }]));
    const driver = join(__dirname, "..", "test", "display", "kernel_driver.py");
    const r = spawnSync(PYTHON, [driver, cells, env.notebookDir, out, kernel === "tslab" ? "tslab" : KERNEL_NAME], { env: env.env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr.slice(-2000));
    const msgs = JSON.parse(readFileSync(out, "utf8")).cells[0].messages as { msg_type: string; content: { text?: string } }[];
    const line = msgs.map((m) => m.content.text ?? "").join("").match(/RESULT (.*)/);
    if (!line) throw new Error(`${kernel}: no result`);
    const result = JSON.parse(line[1]) as { bytes: number; ms: number };
    bytes = result.bytes;
    results[kernel].push(result.ms);
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
console.log(`one update of a ${bytes}-byte spec, median over ${rounds} rounds (each the median of 5 × 20 sends):`);
for (const [kernel, v] of Object.entries(results)) console.log(`  ${kernel}: ${median(v).toFixed(2)} ms  (rounds: ${v.map((x) => x.toFixed(2)).join(", ")})`);
