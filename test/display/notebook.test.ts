import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { LivePlot } from "../../src/callbacks/live-plot.js";
import { plotComparison, plotHistory } from "../../src/display/plot.js";
import { NotebookOutput } from "../../src/display/notebook.js";
import { NotebookProgress } from "../../src/display/progress.js";
import type { FitParams } from "../../src/fit/logs.js";
import { installFakeTslab, type FakeTslab } from "./fake-tslab.js";

const VL = "application/vnd.vegalite.v5+json";
let fake: FakeTslab;
beforeEach(() => (fake = installFakeTslab()));
afterEach(() => fake.uninstall());

const params: FitParams = {
  epochs: 6,
  steps: 4,
  verbose: 0,
  initialEpoch: 0,
  batchSize: 8,
  samples: 32,
  doValidation: true,
  metrics: ["loss", "accuracy", "val_loss", "val_accuracy"],
};

function epochLogs(e: number) {
  return { loss: 1 / (e + 1), accuracy: 0.5 + e * 0.05, val_loss: 1.1 / (e + 1) + (e > 3 ? 0.2 : 0), val_accuracy: 0.5 + e * 0.04 };
}

test("NotebookOutput: one display id, display_data then update_display_data, writer looked up per call", () => {
  const out = new NotebookOutput();
  out.show({ data: { "text/plain": "a" } });
  fake.newCell("cell-2");
  out.show({ data: { "text/plain": "b" }, metadata: { x: 1 } });
  assert.equal(fake.sent.length, 2);
  assert.deepEqual(fake.sent.map((s) => s.update), [false, true]);
  assert.deepEqual(fake.sent.map((s) => s.writer), ["cell-1", "cell-2"], "never a cached writer");
  assert.equal(fake.sent[0].displayData.transient.display_id, fake.sent[1].displayData.transient.display_id);
  assert.equal(fake.sent[0].displayData.transient.display_id, out.displayId);
  assert.deepEqual(fake.sent[1].displayData.metadata, { x: 1 });
  assert.equal(out.lastRoute, "bundle");
});

test("NotebookOutput falls back to tslab's public newDisplay().raw with the richest single MIME type", () => {
  fake.breakInternals();
  const out = new NotebookOutput();
  out.show({ data: { [VL]: { mark: "point" }, "image/png": "AAAA", "text/plain": "t" } });
  out.show({ data: { [VL]: { mark: "line" }, "text/plain": "t" } });
  assert.equal(fake.sent.length, 0);
  assert.deepEqual(fake.raw.map((r) => r.mime), [VL, VL]);
  assert.deepEqual(fake.raw[1].value, { mark: "line" }, "the spec goes as an object, not a string");
  assert.equal(fake.raw[0].id, fake.raw[1].id, "same public display, so updated in place");
  assert.equal(out.lastRoute, "single");
});

test("plotHistory in tslab: one bundle with spec, 2x PNG with width/height metadata and a text table", async () => {
  await plotHistory({ history: { loss: [1, 0.5, 0.4], val_loss: [1.2, 0.7, 0.6] }, epoch: [0, 1, 2] });
  assert.equal(fake.sent.length, 1);
  const { data, metadata } = fake.sent[0].displayData;
  assert.deepEqual(Object.keys(data).sort(), ["application/vnd.vegalite.v5+json", "image/png", "text/plain"]);
  assert.ok(!("text/html" in data));
  assert.equal(typeof data[VL], "object");
  const png = Buffer.from(data["image/png"] as string, "base64");
  assert.equal(png.subarray(1, 4).toString(), "PNG");
  const size = metadata["image/png"] as { width: number; height: number };
  assert.equal(png.readUInt32BE(16), size.width * 2);
  assert.match(data["text/plain"] as string, /epoch\s+loss\s+val_loss\n\s+1/);
});

test("LivePlot: display at train begin, in-place updates at epoch ends, final full update with marks", async () => {
  // Instant fake epochs: the 2 % budget would (rightly) skip updates, so lift it here.
  const live = new LivePlot({ maxUpdatesPerSecond: 1000, budget: 1 });
  live.setParams(params);
  const events = [{ kind: "checkpoint" as const, epoch: 0, message: "saved", path: "m.keras" }];
  live.events = events;
  await live.onTrainBegin({});
  const first = fake.sent[0];
  assert.equal(first.update, false);
  assert.deepEqual(Object.keys(first.displayData.data).sort(), [VL, "image/png", "text/plain"]);
  const spec0 = first.displayData.data[VL] as any;
  assert.deepEqual(spec0.vconcat.map((p: any) => p.title.text), ["loss", "accuracy"], "panels known before epoch 1");
  for (let e = 0; e < 6; e++) {
    live.onEpochBegin(e);
    await new Promise((r) => setTimeout(r, 5)); // an epoch takes time; the throttle counts milliseconds
    await live.onEpochEnd(e, epochLogs(e));
  }
  events.push({ kind: "early_stopping", epoch: 5, message: "Epoch 6: early stopping" });
  await live.onTrainEnd({});
  const ids = new Set(fake.sent.map((s) => s.displayData.transient.display_id));
  assert.equal(ids.size, 1, "one display id for the whole fit");
  assert.ok(fake.sent.slice(1).every((s) => s.update), "everything after the first is an update");
  assert.ok(fake.sent.length >= 3, `sent ${fake.sent.length}`);
  const last = fake.sent.at(-1)!.displayData;
  assert.ok("image/png" in last.data, "final update carries a PNG");
  const spec = last.data[VL] as any;
  assert.equal(spec.datasets.history.length, 6);
  assert.deepEqual(spec.datasets.marks.map((m: any) => m.kind).sort(), ["best", "checkpoint", "early_stopping"]);
  assert.equal(spec.datasets.marks.find((m: any) => m.kind === "best").epoch, 4);
  assert.equal(live.stats!.updates, fake.sent.length - 1);
});

test("LivePlot throttles to maxUpdatesPerSecond but always sends the final state", async () => {
  const live = new LivePlot({ maxUpdatesPerSecond: 0.001 });
  live.setParams(params);
  await live.onTrainBegin({});
  for (let e = 0; e < 6; e++) await live.onEpochEnd(e, epochLogs(e));
  assert.equal(fake.sent.length, 1, "no update inside the throttle window");
  await live.onTrainEnd({});
  assert.equal(fake.sent.length, 2);
  assert.equal((fake.sent[1].displayData.data[VL] as any).datasets.history.length, 6);
  assert.equal(live.stats!.skipped, 6);
});

test("LivePlot draws a smoothed batch curve and still finishes after a failure", async () => {
  const live = new LivePlot({ batches: 0.5, maxUpdatesPerSecond: 1000 });
  live.setParams(params);
  await live.onTrainBegin({});
  live.onEpochBegin(0);
  // Running means of per-batch losses 4, 2, 3, 1 (recovered exactly before smoothing).
  const means = [4, 3, 3, 2.5];
  for (let b = 0; b < 4; b++) await live.onTrainBatchEnd(b, { loss: means[b] });
  await live.onTrainFailure(new Error("boom"));
  const last = fake.sent.at(-1)!.displayData;
  const spec = last.data[VL] as any;
  assert.deepEqual(spec.datasets.batches.map((r: any) => r.epoch), [0.25, 0.5, 0.75, 1]);
  // De-biased EMA with factor 0.5 over 4, 2, 3, 1.
  const emaWant = [4, (0.25 * 4 + 0.5 * 2) / 0.75];
  assert.ok(Math.abs(spec.datasets.batches[1].loss - emaWant[1]) < 1e-9);
  assert.match(last.data["text/plain"] as string, /training failed: boom/);
  assert.ok("image/png" in last.data);
});

test("NotebookProgress: one in-place display, batches throttled, epoch lines kept", () => {
  const p = new NotebookProgress({ epochs: 2, initialEpoch: 0 }, 10_000);
  const base = { epochs: 2, steps: 100, elapsedMs: 50, logs: { loss: 0.5 } };
  p.update({ ...base, epoch: 0, batch: 0, phase: "epoch-begin" });
  for (let b = 1; b <= 100; b++) p.update({ ...base, epoch: 0, batch: b, phase: "batch", elapsedMs: b * 10 });
  p.update({ ...base, epoch: 0, batch: 100, phase: "epoch-end", elapsedMs: 1000 });
  p.update({ ...base, epoch: 1, batch: 100, phase: "train-end" });
  assert.equal(fake.sent.length, 3, "batch updates inside the interval are dropped");
  assert.equal(new Set(fake.sent.map((s) => s.displayData.transient.display_id)).size, 1);
  const last = fake.sent.at(-1)!.displayData.data;
  assert.match(last["text/plain"] as string, /^Epoch 1\/2 - 1s 10ms\/step - loss: 0\.5000$/);
  assert.match(last["text/html"] as string, /done<\/b> after 1 epoch/);
});

test("outside tslab: plotHistory writes the file it is given and prints its path; LivePlot writes its final chart", async () => {
  fake.uninstall();
  const dir = mkdtempSync(join(tmpdir(), "tslab-fit-plot-"));
  const logged: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => void logged.push(a.join(" "));
  try {
    const h = { history: { loss: [1, 0.5] }, epoch: [0, 1] };
    for (const ext of ["png", "svg", "html", "json"]) await plotHistory(h, { path: join(dir, `h.${ext}`) });
    const live = new LivePlot({ path: join(dir, "live.svg") });
    live.setParams(params);
    await live.onTrainBegin({});
    await live.onEpochEnd(0, epochLogs(0));
    await live.onTrainEnd({});
  } finally {
    console.log = orig;
  }
  assert.equal(readFileSync(join(dir, "h.png")).subarray(1, 4).toString(), "PNG");
  assert.match(readFileSync(join(dir, "h.svg"), "utf8"), /^<svg/);
  assert.match(readFileSync(join(dir, "h.html"), "utf8"), /vegaEmbed\(/);
  assert.equal(JSON.parse(readFileSync(join(dir, "h.json"), "utf8")).$schema, "https://vega.github.io/schema/vega-lite/v5.json");
  assert.ok(existsSync(join(dir, "live.svg")));
  assert.equal(logged.filter((l) => l.includes("chart written to")).length, 5);
  assert.equal(fake.sent.length, 0);
  fake = installFakeTslab(); // afterEach uninstalls
});

test("plotComparison in tslab: one bundle, a colour per run, text lists each run's last epoch", async () => {
  await plotComparison({ a: { history: { loss: [1, 0.5] }, epoch: [0, 1] }, b: { history: { loss: [2, 1, 0.7] }, epoch: [0, 1, 2] } });
  assert.equal(fake.sent.length, 1);
  const { data } = fake.sent[0].displayData;
  assert.deepEqual(Object.keys(data).sort(), [VL, "image/png", "text/plain"]);
  assert.deepEqual((data[VL] as any).vconcat[0].encoding.color.scale.domain, ["a", "b"]);
  assert.equal(data["text/plain"], "a: epoch 2, loss 0.5000\nb: epoch 3, loss 0.7000");
});

test("LivePlot refuses a chart path it cannot write before training, not after", () => {
  assert.throws(() => new LivePlot({ path: "chart.jpg" }), /path must end in .png, .svg, .html or .json, got "chart.jpg"/);
});
