import assert from "node:assert/strict";
import { test } from "node:test";
import { ensureBuilt, kernelSkipReason, makeKernelEnv, runKernelCells } from "./kernel-env.js";

const VL = "application/vnd.vegalite.v5+json";

interface Msg {
  t: number;
  msg_type: string;
  content: any;
}

const CELLS = [
  `import * as tf from "@tensorflow/tfjs";
import { fit, LivePlot } from "tslab-fit";
await tf.setBackend("cpu");
const model = tf.sequential({ layers: [tf.layers.dense({ units: 8, activation: "relu", inputShape: [2] }), tf.layers.dense({ units: 1 })] });
model.compile({ optimizer: "adam", loss: "meanSquaredError" });
const x = tf.randomNormal([64, 2]);
const y = x.sum(1, true);
const live = new LivePlot({ maxUpdatesPerSecond: 20, budget: 1 });
// A slow-ish epoch so that several throttled updates go out while the cell runs.
const pause = { onEpochEnd: () => new Promise<void>((r) => setTimeout(r, 120)) };
const history = await fit(model, x, y, { epochs: 5, batchSize: 16, validationSplit: 0.25, verbose: 1, callbacks: [live, pause] });
console.log("fit done", history.epoch.length);`,
  `await history.plot({ metrics: ["loss"] });`,
];

test("real tslab kernel: LivePlot sends one multi-MIME display_data, then live updates with the same id", async (t) => {
  const reason = kernelSkipReason();
  if (reason) return t.skip(reason);
  ensureBuilt();
  const env = makeKernelEnv();
  const cells = runKernelCells<{ reply: any; messages: Msg[] }>(CELLS, env);
  const streams = (msgs: Msg[]) => msgs.filter((m) => m.msg_type === "stream").map((m) => m.content.text).join("");

  // Cell 1: training with LivePlot.
  const [train, plot] = cells;
  assert.equal(train.reply.status, "ok", `cell failed:\n${streams(train.messages)}`);
  const idleAt = train.messages.findIndex((m) => m.msg_type === "status" && m.content.execution_state === "idle");
  const displays = train.messages.filter((m) => m.msg_type === "display_data" || m.msg_type === "update_display_data");
  const chartId = displays.find((m) => m.msg_type === "display_data" && VL in m.content.data)?.content.transient.display_id;
  assert.ok(chartId, "a chart display_data");
  const chart = displays.filter((m) => m.content.transient?.display_id === chartId);
  assert.equal(chart[0].msg_type, "display_data");
  assert.deepEqual(Object.keys(chart[0].content.data).sort(), [VL, "image/png", "text/plain"]);
  assert.ok(chart[0].content.metadata["image/png"].width > 0, "PNG carries width/height metadata");
  assert.equal(typeof chart[0].content.data[VL], "object", "spec sent as a JSON object");
  const updates = chart.slice(1);
  assert.ok(updates.length >= 2, `expected live updates, got ${updates.length}`);
  assert.ok(updates.every((m) => m.msg_type === "update_display_data"));
  const lastChartIndex = train.messages.lastIndexOf(chart.at(-1)!);
  assert.ok(lastChartIndex < idleAt, "all chart messages arrive before the cell goes idle");
  // Live: the first update arrives well before the final one (not all bunched at the end).
  assert.ok(updates[0].t < chart.at(-1)!.t - 0.2, `first update at ${updates[0].t}s, last at ${chart.at(-1)!.t}s`);
  const final = chart.at(-1)!.content;
  assert.equal(final.data[VL].datasets.history.length, 5, "final spec has all 5 epochs");
  assert.ok("image/png" in final.data, "final update has the PNG");
  assert.match(final.data["text/plain"], /epoch\s+loss\s+val_loss/);
  assert.match(final.data["text/plain"], /\n\s+5\s/);
  // ProgressBar inside tslab: one in-place HTML display, not stream lines.
  const progress = displays.filter((m) => m.content.data?.["text/html"] !== undefined);
  assert.ok(progress.length >= 2, "progress display and its updates");
  assert.equal(new Set(progress.map((m) => m.content.transient.display_id)).size, 1);
  assert.match(progress.at(-1)!.content.data["text/plain"], /Epoch 5\/5/);
  assert.ok(!/ms\/step/.test(streams(train.messages)), "no progress lines on stdout");
  assert.match(streams(train.messages), /fit done 5/);

  // Cell 2: history.plot() shows a new chart (display_data) in that cell.
  assert.equal(plot.reply.status, "ok", `plot cell failed:\n${streams(plot.messages)}`);
  const shown = plot.messages.filter((m) => m.msg_type === "display_data");
  assert.equal(shown.length, 1);
  assert.deepEqual(Object.keys(shown[0].content.data).sort(), [VL, "image/png", "text/plain"]);
  assert.deepEqual(shown[0].content.data[VL].vconcat.map((p: any) => p.title.text), ["loss"]);
});

const INTERRUPT_CELLS = [
  // Loading tfjs and tslab-fit happens in a cell of its own, so that the interrupt timer below starts with training
  // (on a loaded machine the imports alone can take longer than the interrupt delay).
  `import * as tf from "@tensorflow/tfjs";
import { fit, LivePlot } from "tslab-fit";
await tf.setBackend("cpu");
const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [2] }), tf.layers.dense({ units: 1 })] });
model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
const x = tf.randomNormal([32, 2]);
const y = x.sum(1, true);
const live = new LivePlot({ maxUpdatesPerSecond: 10 });
(globalThis as any).live = live; // an interrupted cell's declarations are not kept for later cells
const pause = { onEpochEnd: (e: number) => { if (e === 3) console.log("EPOCH 3"); return new Promise<void>((r) => setTimeout(r, 100)); } };`,
  {
    code: `await fit(model, x, y, { epochs: 500, batchSize: 8, verbose: 0, callbacks: [live, pause] });`,
    // Interrupt once training runs (a fixed delay could fall into tslab's compile of the cell on a loaded machine).
    interrupt_when: "EPOCH 3",
    settle: 3,
  },
  `const stats = (globalThis as any).live.stats;
const before = stats.updates;
await new Promise((r) => setTimeout(r, 1000));
console.log(JSON.stringify({ before, after: stats.updates, finished: stats.elapsedMs > 0 }));`,
];

test("real tslab kernel: an interrupt stops fit and LivePlot still sends its final chart", async (t) => {
  const reason = kernelSkipReason();
  if (reason) return t.skip(reason);
  ensureBuilt();
  const env = makeKernelEnv();
  const cells = runKernelCells<{ reply: any; messages: Msg[]; after: Msg[] }>(INTERRUPT_CELLS, env);
  const [setup, train, check] = cells;
  assert.equal(setup.reply.status, "ok");
  assert.equal(train.reply.status, "error", "tslab ends an interrupted cell with an error");
  const all = [...train.messages, ...train.after];
  const chart = all.filter((m) => (m.msg_type === "display_data" || m.msg_type === "update_display_data") && VL in m.content.data);
  assert.ok(chart.length >= 2, `chart messages: ${chart.length}`);
  assert.equal(new Set(chart.map((m) => m.content.transient.display_id)).size, 1);
  const final = chart.at(-1)!.content;
  assert.ok("image/png" in final.data, "final update has the PNG");
  const spec = final.data[VL];
  assert.ok(spec.datasets.marks.some((m: any) => m.kind === "interrupted"), "interrupt marked on the chart");
  const epochs = spec.datasets.history.length;
  assert.ok(epochs > 3 && epochs < 500, `${epochs} epochs before the stop`);
  assert.match(final.data["text/plain"], /training interrupted/);
  // The fit really stopped: no chart updates while the next cell waits a second.
  assert.equal(check.reply.status, "ok");
  const printed = check.messages.filter((m) => m.msg_type === "stream").map((m) => m.content.text).join("");
  const counts = JSON.parse(printed.trim().split("\n").at(-1)!);
  assert.equal(counts.finished, true);
  assert.equal(counts.after, counts.before);
});
