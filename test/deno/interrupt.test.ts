// An interrupt while `fit` runs in Deno's Jupyter kernel. Deno's kernelspec has no interrupt_mode, so Jupyter
// interrupts by sending the kernel process SIGINT; with no listener Deno exits. tslab-fit listens while fit runs
// (stopOnInterrupt defaults to true in a notebook): training stops at the next batch boundary, onTrainEnd runs, fit
// resolves, the cell ends normally and the next cell runs clean. Outside fit, the interrupt still ends the kernel.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ensureBuilt, runKernelCells } from "../display/kernel-env.js";
import { denoSkipReason, KERNEL_NAME, makeDenoKernelEnv } from "./deno-env.js";

const VL = "application/vnd.vegalite.v5+json";

interface Msg {
  t: number;
  msg_type: string;
  content: any;
}
interface Cell {
  reply: any;
  messages: Msg[];
  interrupted_at: number | null;
  alive: boolean;
}

const setup = `import * as tf from "@tensorflow/tfjs";
import { fit, LambdaCallback, LivePlot, useBestBackend } from "tslab-fit";
await useBestBackend({ quiet: true });
const x = tf.randomNormal([2048, 16]);
const y = tf.randomUniform([2048], 0, 4, "int32");
const model = tf.sequential({ layers: [tf.layers.dense({ units: 64, activation: "relu", inputShape: [16] }), tf.layers.dense({ units: 4, activation: "softmax" })] });
model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
const state = { batchesAfterEnd: 0, trainEnded: false, epochs: 0, resolvedEpochs: -1 };
console.log("ready");`;

const train = `const probe = new LambdaCallback({
  onEpochEnd: (epoch) => { state.epochs = epoch + 1; console.log("EPOCH " + epoch); },
  onTrainBatchEnd: () => { if (state.trainEnded) state.batchesAfterEnd++; },
  onTrainEnd: () => { state.trainEnded = true; console.log("TRAIN_END"); },
});
const history = await fit(model, x, y, { epochs: 500, batchSize: 16, callbacks: [new LivePlot(), probe] });
state.resolvedEpochs = history.epoch.length;
console.log("RESOLVED " + history.epoch.length);`;

const after = `await new Promise((r) => setTimeout(r, 1500));
const again = await fit(model, x.slice(0, 64), y.slice(0, 64), { epochs: 1, verbose: 0 });
console.log(JSON.stringify({ ...state, fitAgain: again.epoch.length }));`;

const idle = `await new Promise((r) => setTimeout(r, 20000));`;

test("Deno kernel: an interrupt during fit stops at a batch boundary, runs onTrainEnd, and the next cell runs clean", { timeout: 300_000 }, async (t) => {
  const reason = denoSkipReason();
  if (reason) return t.skip(reason);
  ensureBuilt();
  const env = makeDenoKernelEnv();
  const cells = [
    setup,
    { code: train, interrupt_when: "EPOCH 1", late: 1 },
    { code: after, late: 1 },
    { code: idle, interrupt_after: 1 },
  ];
  const [ready, trained, next, outside] = runKernelCells<Cell>(cells, env, { kernelName: KERNEL_NAME, timeoutMs: 280_000 });
  const text = (c: Cell) => c.messages.filter((m) => m.msg_type === "stream").map((m) => m.content.text).join("");
  assert.match(text(ready), /ready/, text(ready));

  // The interrupted cell: fit resolves, so Deno ends the cell normally, and the kernel lives on.
  assert.notEqual(trained.interrupted_at, null, "training printed EPOCH 1, so the interrupt was sent");
  assert.equal(trained.alive, true, "the kernel survived the interrupt");
  assert.equal(trained.reply.status, "ok", text(trained));
  assert.match(text(trained), /interrupted — stopping at the next batch boundary[\s\S]*TRAIN_END[\s\S]*RESOLVED \d+/);
  const stoppedAt = trained.messages.find((m) => m.msg_type === "stream" && /interrupted —/.test(m.content.text))!.t;
  t.diagnostic(`stop noticed ${(stoppedAt - trained.interrupted_at!).toFixed(2)} s after the interrupt`);
  assert.ok(stoppedAt - trained.interrupted_at! < 20, `stop noticed ${stoppedAt - trained.interrupted_at!}s after the interrupt`);
  // LivePlot's final update: the PNG, the interrupt marked.
  const chart = trained.messages.filter((m) => (m.msg_type === "display_data" || m.msg_type === "update_display_data") && VL in m.content.data);
  assert.equal(new Set(chart.map((m) => m.content.transient.display_id)).size, 1);
  const final = chart.at(-1)!.content;
  assert.ok("image/png" in final.data, "final chart has the PNG");
  assert.ok(final.data[VL].datasets.marks.some((m: any) => m.kind === "interrupted"), "interrupt marked on the chart");
  assert.match(final.data["text/plain"], /training interrupted/);
  const progress = trained.messages.filter((m) => m.content.data?.["text/html"] !== undefined);
  assert.ok(progress.length >= 2 && new Set(progress.map((m) => m.content.transient.display_id)).size === 1, "one progress display");

  // The next cell: nothing of the training leaks into it, no batch ran after onTrainEnd, the model trains again.
  assert.equal(next.reply.status, "ok", text(next));
  assert.doesNotMatch(text(next), /EPOCH|TRAIN_END|RESOLVED|interrupted/);
  const state = JSON.parse(text(next).trim().split("\n").at(-1)!);
  assert.equal(state.trainEnded, true);
  assert.equal(state.batchesAfterEnd, 0, "no batch ran after onTrainEnd");
  assert.ok(state.epochs >= 2 && state.epochs < 500, `stopped early, after ${state.epochs} epochs`);
  assert.equal(state.resolvedEpochs, state.epochs, "fit resolved with the History of the epochs that ran");
  assert.equal(state.fitAgain, 1, "a new fit on the same model runs");

  // Deno's own behaviour outside fit, as the README says: no SIGINT listener, so the kernel process exits.
  assert.notEqual(outside.interrupted_at, null);
  assert.equal(outside.alive, false, "Deno's kernel exits on an interrupt when no fit is running");
});
