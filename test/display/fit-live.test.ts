import assert from "node:assert/strict";
import { afterEach, before, beforeEach, test } from "node:test";
import { EarlyStopping, fit, LivePlot, ModelCheckpoint } from "../../src/index.js";
import { tempDir, tinyModel, toyData, useCpu } from "../helpers.js";
import { installFakeTslab, type FakeTslab } from "./fake-tslab.js";

const VL = "application/vnd.vegalite.v5+json";
let fake: FakeTslab;
before(useCpu);
beforeEach(() => (fake = installFakeTslab()));
afterEach(() => fake.uninstall());

test("fit + LivePlot + EarlyStopping + ModelCheckpoint + ProgressBar inside (fake) tslab", async () => {
  const { x, y } = toyData(96);
  const model = tinyModel();
  const live = new LivePlot({ maxUpdatesPerSecond: 1000, budget: 1 });
  const dir = tempDir();
  const history = await fit(model, x, y, {
    epochs: 8,
    batchSize: 16,
    validationSplit: 0.25,
    verbose: 1,
    callbacks: [
      live,
      new EarlyStopping({ monitor: "val_loss", patience: 1, minDelta: 10 }), // stops after epoch 2
      new ModelCheckpoint({ filepath: `${dir}/best`, saveBestOnly: true, monitor: "val_loss" }),
    ],
  });
  x.dispose();
  y.dispose();
  const byId = new Map<string, typeof fake.sent>();
  for (const s of fake.sent) byId.set(s.displayData.transient.display_id, [...(byId.get(s.displayData.transient.display_id) ?? []), s]);
  const chartMsgs = [...byId.values()].find((msgs) => VL in msgs[0].displayData.data)!;
  const progressMsgs = [...byId.values()].find((msgs) => "text/html" in msgs[0].displayData.data)!;
  assert.ok(chartMsgs, "a chart output");
  assert.ok(progressMsgs, "a progress output (ProgressBar's notebook sink)");
  assert.equal(byId.size, 2, "exactly one chart and one progress display for the fit");
  assert.deepEqual(chartMsgs.map((m) => m.update), [false, ...chartMsgs.slice(1).map(() => true)]);
  const final = chartMsgs.at(-1)!.displayData.data[VL] as any;
  assert.equal(final.datasets.history.length, history.epoch.length);
  const kinds = final.datasets.marks.map((m: any) => m.kind);
  assert.ok(kinds.includes("early_stopping"), kinds.join());
  assert.ok(kinds.includes("checkpoint"), kinds.join());
  assert.ok("image/png" in chartMsgs.at(-1)!.displayData.data);
  const progressText = progressMsgs.at(-1)!.displayData.data["text/plain"] as string;
  assert.match(progressText, /Epoch 1\/8 - .*loss: /);
  assert.ok(!("text/html" in chartMsgs[0].displayData.data), "never html in a chart bundle");
});

test("with the default 2 % budget, live rendering during training stays within budget (PNGs are skipped first)", async () => {
  const { LambdaCallback } = await import("../../src/index.js");
  const { x, y } = toyData(32);
  // Epochs of about 40 ms: a PNG (tens of ms, more for the first, which loads vega) is far over 2 % of that.
  const slow = new LambdaCallback({ onEpochEnd: () => new Promise<void>((r) => setTimeout(r, 40)) });
  const live = new LivePlot({ maxUpdatesPerSecond: 1000 });
  await fit(tinyModel(), x, y, { epochs: 30, batchSize: 16, verbose: 0, callbacks: [slow, live] });
  const s = live.stats!;
  assert.ok(s.updates >= 2, `some live updates were sent (${s.updates})`);
  assert.ok(s.skipped > 0 || s.pngs < 30, "the budget held some work back");
  // A PNG (estimated at 800 ms before the first one is measured) never fits 2 % of a ~3 s fit: none is rendered
  // during training; without the budget, every epoch would render one.
  assert.equal(s.pngs, 0, "no PNG during training");
  // Spec updates stop once they use the budget; the check runs before each update, so allow a little overshoot
  // on a loaded machine. The first display and the final full render are fixed costs outside the budget.
  assert.ok(s.specMs + s.pngMs <= 0.1 * s.elapsedMs, `live work ${(s.specMs + s.pngMs).toFixed(1)} ms of ${s.elapsedMs} ms`);
  const last = fake.sent.at(-1)!.displayData;
  assert.ok("image/png" in last.data, "the final update always has its PNG");
});
