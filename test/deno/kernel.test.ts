// Deno's Jupyter kernel (`deno jupyter`), driven through jupyter_client like the tslab kernel tests: charts are one
// multi-MIME display_data, LivePlot and the progress display update in place by display id, tfjs is one copy.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ensureBuilt, runKernelCells } from "../display/kernel-env.js";
import { denoSkipReason, KERNEL_NAME, makeDenoKernelEnv } from "./deno-env.js";

const VL = "application/vnd.vegalite.v5+json";

interface Msg {
  t: number;
  msg_type: string;
  content: any;
  late?: boolean;
}
interface Cell {
  reply: any;
  messages: Msg[];
  alive: boolean;
}

const CELLS = [
  // npm: and bare specifiers both resolve to the folder's node_modules (deno.json: nodeModulesDir "manual").
  {
    code: `import * as tf from "npm:@tensorflow/tfjs";
import { createRequire } from "node:module";
import { fit, LivePlot, TensorBoard, notebookHost } from "tslab-fit";
const nbRequire = createRequire(Deno.cwd() + "/");
const tfOfTslabFit = createRequire(nbRequire.resolve("tslab-fit"))("@tensorflow/tfjs");
console.log("host " + notebookHost() + ", one tfjs: " + (tfOfTslabFit.Tensor === tf.Tensor));
await tf.setBackend("cpu");
const model = tf.sequential({ layers: [tf.layers.dense({ units: 8, activation: "relu", inputShape: [2] }), tf.layers.dense({ units: 1 })] });
model.compile({ optimizer: "adam", loss: "meanSquaredError" });
const x = tf.randomNormal([64, 2]);
const y = x.sum(1, true);
const live = new LivePlot({ maxUpdatesPerSecond: 20, budget: 1 });
// A slow-ish epoch so that several throttled updates go out while the cell runs.
const pause = { onEpochEnd: () => new Promise<void>((r) => setTimeout(r, 120)) };
const history = await fit(model, x, y, {
  epochs: 5, batchSize: 16, validationSplit: 0.25, verbose: 1,
  callbacks: [live, pause, new TensorBoard({ logDir: "logs/run-a" })],
});
console.log("fit done " + history.epoch.length);`,
    late: 1,
  },
  { code: `await history.plot({ metrics: ["loss"] });`, late: 1 },
  { code: `import { plotRuns } from "tslab-fit";\nawait plotRuns("logs", { tags: ["epoch_loss"] });`, late: 1 },
];

const streams = (msgs: Msg[]) => msgs.filter((m) => m.msg_type === "stream").map((m) => m.content.text).join("");
const displays = (msgs: Msg[]) => msgs.filter((m) => m.msg_type === "display_data" || m.msg_type === "update_display_data");

test("Deno kernel: charts are one multi-MIME display_data; LivePlot and progress update in place by display id", { timeout: 300_000 }, async (t) => {
  const reason = denoSkipReason();
  if (reason) return t.skip(reason);
  ensureBuilt();
  const env = makeDenoKernelEnv();
  const cells = runKernelCells<Cell>(CELLS, env, { kernelName: KERNEL_NAME, timeoutMs: 280_000 });
  assert.equal(cells.length, 3, "every cell ran");
  const [train, plot, runs] = cells;

  // Cell 1: training with LivePlot and the progress display.
  assert.equal(train.reply.status, "ok", `cell failed:\n${streams(train.messages)}${JSON.stringify(train.reply)}`);
  assert.match(streams(train.messages), /host deno, one tfjs: true/);
  assert.match(streams(train.messages), /fit done 5/);
  const shown = displays(train.messages);
  const chartId = shown.find((m) => m.msg_type === "display_data" && VL in m.content.data)?.content.transient.display_id;
  assert.ok(chartId, "a chart display_data");
  const chart = shown.filter((m) => m.content.transient?.display_id === chartId);
  assert.equal(chart[0].msg_type, "display_data");
  assert.deepEqual(Object.keys(chart[0].content.data).sort(), [VL, "image/png", "text/plain"]);
  assert.ok(chart[0].content.metadata["image/png"].width > 0, "PNG carries width/height metadata");
  assert.equal(typeof chart[0].content.data[VL], "object", "spec sent as a JSON object");
  const updates = chart.slice(1);
  assert.ok(updates.length >= 2, `expected live updates, got ${updates.length}`);
  assert.ok(updates.every((m) => m.msg_type === "update_display_data"));
  assert.ok(updates[0].t < chart.at(-1)!.t - 0.2, `live: first update at ${updates[0].t}s, last at ${chart.at(-1)!.t}s`);
  assert.ok(!chart.at(-1)!.late, "the final chart update arrives within the cell (before its idle status)");
  const final = chart.at(-1)!.content;
  assert.equal(final.data[VL].datasets.history.length, 5, "final spec has all 5 epochs");
  assert.ok("image/png" in final.data, "final update has the PNG");
  assert.ok(final.metadata["image/png"].height > 0);
  assert.match(final.data["text/plain"], /epoch\s+loss\s+val_loss/);
  // ProgressBar: one in-place HTML display, not stream lines (Deno drops process.stdout.write anyway).
  const progress = shown.filter((m) => m.content.data?.["text/html"] !== undefined);
  assert.ok(progress.length >= 2, "progress display and its updates");
  assert.equal(progress[0].msg_type, "display_data");
  assert.ok(progress.slice(1).every((m) => m.msg_type === "update_display_data"));
  assert.equal(new Set(progress.map((m) => m.content.transient.display_id)).size, 1);
  assert.match(progress.at(-1)!.content.data["text/plain"], /Epoch 5\/5/);
  assert.ok(!progress.at(-1)!.late, "the last progress update arrives within the cell");
  assert.ok(!/ms\/step/.test(streams(train.messages)), "no progress lines on stdout");

  // Cell 2: history.plot() is a new output in its own cell.
  assert.equal(plot.reply.status, "ok", streams(plot.messages));
  const plotted = plot.messages.filter((m) => m.msg_type === "display_data");
  assert.equal(plotted.length, 1);
  assert.ok(!plotted[0].late, "history.plot's chart arrives within its cell");
  assert.deepEqual(Object.keys(plotted[0].content.data).sort(), [VL, "image/png", "text/plain"]);
  assert.deepEqual(plotted[0].content.data[VL].vconcat.map((p: any) => p.title.text), ["loss"]);
  assert.notEqual(plotted[0].content.transient.display_id, chartId);

  // Cell 3: plotRuns reads the TensorBoard run and shows it the same way.
  assert.equal(runs.reply.status, "ok", streams(runs.messages));
  const runsChart = runs.messages.filter((m) => m.msg_type === "display_data");
  assert.equal(runsChart.length, 1);
  assert.deepEqual(Object.keys(runsChart[0].content.data).sort(), [VL, "image/png", "text/plain"]);
  // train/ and validation/ of one training count as one run.
  assert.match(runsChart[0].content.data["text/plain"], /^1 run, 1 tag/);
  assert.ok(!/chart written to/.test(streams(cells.flatMap((c) => c.messages))), "nothing fell back to a file");
});
