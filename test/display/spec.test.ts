import assert from "node:assert/strict";
import { test } from "node:test";
import { compareSpec } from "../../src/display/compare-spec.js";
import { chartSpec, historySpec, VEGA_LITE_SCHEMA } from "../../src/display/history-spec.js";
import { compileSpec, renderSvg } from "../../src/display/render.js";
import { historyRows } from "../../src/display/rows.js";
import type { HistoryLike } from "../../src/display/types.js";

function sampleHistory(epochs = 6, withVal = true): HistoryLike {
  const loss = Array.from({ length: epochs }, (_, i) => 1.2 * Math.exp(-i / 3) + 0.1);
  const history: Record<string, number[]> = { loss, accuracy: loss.map((v) => 1 - v / 1.5) };
  if (withVal) {
    // Validation loss bottoms out at epoch index 3 (4th epoch), then rises.
    history.val_loss = loss.map((v, i) => v + 0.05 + (i > 3 ? (i - 3) * 0.2 : 0));
    history.val_accuracy = history.accuracy.map((v) => v - 0.02);
  }
  return { history, epoch: loss.map((_, i) => i) };
}

type Json = Record<string, any>;
const panels = (spec: Json): Json[] => spec.vconcat;
const marks = (spec: Json): Json[] => spec.datasets.marks;

test("one panel per base metric, loss first, v5 schema, inline named data", () => {
  const spec = historySpec(sampleHistory()) as Json;
  assert.equal(spec.$schema, VEGA_LITE_SCHEMA);
  assert.deepEqual(panels(spec).map((p) => p.title.text), ["loss", "accuracy"]);
  assert.equal(spec.data.name, "history");
  assert.equal(spec.datasets.history.length, 6);
  assert.deepEqual(spec.datasets.history[0].epoch, 1, "epochs are 1-based as Keras prints them");
  // Folding both train and validation series, coloured and dashed by split with a fixed domain.
  const line = panels(spec)[0].layer.find((l: Json) => l.mark.type === "line");
  assert.deepEqual(line.transform[0].fold, ["loss", "val_loss"]);
  assert.deepEqual(line.encoding.color.scale.domain, ["train", "validation"]);
  assert.deepEqual(line.encoding.strokeDash.scale.domain, ["train", "validation"]);
  assert.ok(line.encoding.tooltip.length >= 3);
});

test("best epoch is argmin of val_loss by default, argmax for an accuracy monitor", () => {
  const h = sampleHistory();
  const best = marks(historySpec(h) as Json).find((m) => m.kind === "best");
  assert.equal(best?.epoch, 4);
  assert.match(String(best?.label), /val_loss/);
  const bestAcc = marks(historySpec(h, { monitor: "val_accuracy" }) as Json).find((m) => m.kind === "best");
  assert.equal(bestAcc?.epoch, 6);
  const noVal = marks(historySpec(sampleHistory(5, false)) as Json).find((m) => m.kind === "best");
  assert.equal(noVal?.epoch, 5, "falls back to loss, which keeps falling");
});

test("events become marks: early stop rule and checkpoint saves", () => {
  const h = sampleHistory();
  h.events = [
    { kind: "checkpoint", epoch: 0, message: "saved", path: "a.keras" },
    { kind: "checkpoint", epoch: 3, message: "saved", path: "a.keras" },
    { kind: "early_stopping", epoch: 5, message: "Epoch 6: early stopping" },
    { kind: "learning_rate", epoch: 2, message: "lr", value: 0.1 },
  ];
  const spec = historySpec(h) as Json;
  const kinds = marks(spec).map((m) => `${m.kind}@${m.epoch}`);
  assert.deepEqual(kinds, ["best@4", "checkpoint@1", "checkpoint@4", "early_stopping@6"]);
  assert.match(spec.title.text, /early stop after epoch 6/);
  assert.match(spec.title.text, /checkpoint saved \(2×\)/);
});

test("metrics option, log scale and accuracy capped at 1", () => {
  const spec = historySpec(sampleHistory(), { metrics: ["loss"], logScale: true }) as Json;
  assert.equal(panels(spec).length, 1);
  const line = panels(spec)[0].layer.find((l: Json) => l.mark.type === "line");
  assert.equal(line.encoding.y.scale.type, "log");
  assert.match(line.transform[1].filter, /datum.value > 0/, "log panels drop non-positive values");
  const acc = panels(historySpec(sampleHistory()) as Json)[1].layer.find((l: Json) => l.mark.type === "line");
  assert.equal(acc.encoding.y.scale.domainMax, 1);
  assert.equal(acc.encoding.y.scale.zero, false);
});

test("validationFreq-style shorter val keys land on the validated epochs", () => {
  const rows = historyRows({ history: { loss: [4, 3, 2, 1], val_loss: [3.5, 1.5] }, epoch: [0, 1, 2, 3] });
  assert.deepEqual(rows.map((r) => r.val_loss), [undefined, 3.5, undefined, 1.5]);
});

/** Every shape of spec the library produces, for the compile and runtime checks. */
function variants(): [string, Json][] {
  const long = sampleHistory(220);
  const dotted: HistoryLike = { history: { loss: [1, 0.5], "out.a_loss": [2, 1], val_loss: [1.1, 0.6] }, epoch: [0, 1] };
  return [
    ["default", historySpec(sampleHistory())],
    ["no validation", historySpec(sampleHistory(4, false))],
    ["log + title", historySpec(sampleHistory(), { logScale: true, title: "run" })],
    ["events", historySpec({ ...sampleHistory(), events: [{ kind: "early_stopping", epoch: 2, message: "stop" }] })],
    ["220 epochs", historySpec(long)],
    ["dotted names", historySpec(dotted)],
    ["empty", historySpec({ history: {}, epoch: [] })],
    ["no epochs yet", chartSpec({ rows: [] }, { metrics: ["loss", "accuracy"] })],
    ["no epochs yet, log", chartSpec({ rows: [] }, { metrics: ["loss"], logScale: true })],
    ["batches", chartSpec({ rows: historyRows(sampleHistory()), batches: [{ epoch: 0.5, loss: 1 }, { epoch: 1, loss: 0.9 }] })],
    ["comparison", compareSpec({ a: sampleHistory(), b: sampleHistory(3, false) }, { logScale: true })],
  ];
}

test("every variant compiles and runs without warnings under vega-lite 5 / vega 5", async () => {
  const all = variants();
  for (const [name, spec] of all) {
    const { warnings, vega } = await compileSpec(spec);
    assert.deepEqual(warnings, [], `${name}: ${warnings.join("; ")}`);
    assert.ok(vega && typeof vega === "object", name);
    const run = await renderSvg(spec);
    assert.deepEqual(run.warnings, [], `${name} (vega runtime): ${run.warnings.join("; ")}`);
  }
  const longLine = panels(all.find(([n]) => n === "220 epochs")![1])[0].layer.find((l: Json) => l.mark.type === "line");
  assert.equal(longLine.mark.point, false, "no point marks past 150 epochs");
});

test("run comparison: a panel per metric, a fixed colour per run, validation dashed; compiles and runs cleanly", async () => {
  const a = sampleHistory(6);
  const b = sampleHistory(4, false);
  const spec = compareSpec({ adam: a, sgd: b }) as Json;
  assert.deepEqual(panels(spec).map((p) => p.title.text), ["loss", "accuracy"]);
  const enc = panels(spec)[0].encoding;
  assert.deepEqual(enc.color.scale.domain, ["adam", "sgd"]);
  assert.deepEqual(enc.strokeDash.scale.domain, ["train", "validation"]);
  const runs = spec.datasets.runs as Json[];
  assert.equal(runs.filter((r) => r.run === "adam").length, 6 * 4);
  assert.equal(runs.filter((r) => r.run === "sgd" && r.split === "validation").length, 0);
  assert.deepEqual((await compileSpec(spec)).warnings, []);
  assert.deepEqual((await renderSvg(spec)).warnings, []);
});

test("short epoch axes list whole-number ticks (Vega's tickMinStep alone printed 1 2 2 3 3)", () => {
  const spec = historySpec({ history: { loss: [1, 0.7, 0.6] }, epoch: [0, 1, 2] }) as Json;
  assert.deepEqual(panels(spec)[0].encoding.x.axis.values, [1, 2, 3]);
  const long = historySpec(sampleHistory(60)) as Json;
  assert.equal(panels(long)[0].encoding.x.axis.values, undefined, "long axes keep Vega's own tick choice");
});

test("every variant also compiles without warnings under vega-lite 5.6.1, the version JupyterLab 4 renders with", (t) => {
  let vl: { version: string; compile(spec: unknown, o: unknown): { spec: unknown } };
  try {
    // The devDependency alias vega-lite-jupyterlab@npm:vega-lite@5.6.1.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    vl = require("vega-lite-jupyterlab");
  } catch {
    return t.skip("devDependency vega-lite-jupyterlab (npm:vega-lite@5.6.1) not installed");
  }
  assert.equal(vl.version, "5.6.1");
  for (const [name, spec] of variants()) {
    const warnings: string[] = [];
    const logger: any = { level: () => logger, info: () => logger, debug: () => logger };
    logger.warn = (...a: unknown[]) => (warnings.push(a.join(" ")), logger);
    logger.error = (...a: unknown[]) => (warnings.push(`error: ${a.join(" ")}`), logger);
    assert.ok(vl.compile(spec, { logger }).spec, name);
    assert.deepEqual(warnings, [], `${name}: ${warnings.join("; ")}`);
  }
});

test("compareSpec: a val_ metric draws that series of every run; a metric no run has is refused by name", async () => {
  const run = (offset: number): HistoryLike => ({ epoch: [0, 1, 2], history: { loss: [1, 0.5, 0.3].map((v) => v + offset), val_loss: [1.1, 0.7, 0.6].map((v) => v + offset) } });
  const runs = { adam: run(0), sgd: run(0.2) };
  // Line paths in the SVG: the legends' symbols plus one per drawn series and run.
  const linePaths = async (metrics: string[]) => ((await renderSvg(compareSpec(runs, { metrics }))).svg.match(/<path[^>]*d="M[^"]*L/g) ?? []).length;
  const legend = (await linePaths(["loss"])) - 4; // loss panel: 2 runs × (train, validation)
  assert.equal((await linePaths(["val_loss"])) - legend, 2, "val_loss: one validation line per run");
  assert.throws(() => compareSpec(runs, { metrics: ["val_acc"] }), /metrics: "val_acc" is in no run's history; the runs have loss, val_loss/);
});
