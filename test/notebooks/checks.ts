// What each tutorial notebook must show once executed: its charts, the files it wrote, the TensorBoard tags.
// Every notebook in notebooks/ is either listed in CHECKS (and executed by the tests) or in DRAFTS with the reason.
import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { readRuns } from "../../src/tensorboard/reader.js";
import { allCharts, cellWith, chartsOf, type NotebookRun, type Output, stdoutOf, VL } from "./notebook-run.js";

export type NotebookCheck = (run: NotebookRun) => Promise<void> | void;

/** Notebooks that cannot run yet, and why: the tests list them as skipped. */
export const DRAFTS: Record<string, string> = {};

/** A chart as tslab-fit sends it: interactive Vega-Lite, a PNG for static viewers, a text summary. */
export function assertChart(chart: Output, what: string): any {
  assert.deepEqual(Object.keys(chart.data!).sort(), [VL, "image/png", "text/plain"], `${what}: Vega-Lite + PNG + text`);
  const png = Buffer.from(chart.data!["image/png"], "base64");
  assert.equal(png.subarray(1, 4).toString(), "PNG", `${what}: a PNG`);
  assert.ok(chart.metadata?.["image/png"]?.width > 300, `${what}: PNG width metadata`);
  return chart.data![VL];
}

/** The one chart a cell shows, checked, as its Vega-Lite spec. */
export function chartIn(run: NotebookRun, snippet: string): any {
  const charts = chartsOf(cellWith(run.notebook, snippet));
  assert.equal(charts.length, 1, `one chart in the cell with ${snippet}`);
  return assertChart(charts[0], snippet);
}

const panelTitles = (spec: any) => spec.vconcat.map((p: any) => p.title.text);

/** Each run under `logDir` (relative to the notebook) with the "kind:tag" of every record its event files hold. */
export function tensorBoardTags(run: NotebookRun, logDir: string): Map<string, Set<string>> {
  const tags = new Map<string, Set<string>>();
  for (const r of readRuns(join(run.dir, logDir))) {
    if (!tags.has(r.run)) tags.set(r.run, new Set());
    tags.get(r.run)!.add(`${r.kind}:${r.tag}`);
  }
  return tags;
}

function assertFile(run: NotebookRun, path: string, minBytes = 1): void {
  const full = join(run.dir, path);
  assert.ok(existsSync(full), `${run.name} wrote ${path}`);
  assert.ok(statSync(full).size >= minBytes, `${path} has at least ${minBytes} bytes`);
}

async function mnistWalkthrough(run: NotebookRun): Promise<void> {
  const nb = run.notebook;
  assert.match(stdoutOf(cellWith(nb, "loadMnist(")), /\[ 10000, 784 \] \[ 10000 \]/);

  // The training cell keeps exactly its final state: one progress display and one chart, both updated in place.
  const train = cellWith(nb, "await fit(");
  const spec = chartIn(run, "await fit(");
  const epochsRun = spec.datasets.history.length;
  assert.ok(epochsRun >= 4 && epochsRun <= 10, `${epochsRun} epochs`);
  assert.ok(spec.datasets.history.at(-1).val_accuracy > 0.8, `val_accuracy ${spec.datasets.history.at(-1).val_accuracy}`);
  const marks = spec.datasets.marks.map((m: any) => m.kind);
  assert.ok(marks.includes("checkpoint") && marks.includes("best"), `checkpoint and best epoch marked: ${marks}`);
  if (epochsRun < 10) assert.ok(marks.includes("early_stopping"), "early stop marked");
  const progress = (train.outputs ?? []).filter((o) => o.output_type === "display_data" && "text/html" in o.data!);
  assert.equal(progress.length, 1, "one progress output");
  assert.match(([] as string[]).concat(progress[0].data!["text/plain"]).join(""), new RegExp(`Epoch ${epochsRun}/10 - .*val_accuracy`));
  assert.ok(!/ms\/step/.test(stdoutOf(train)), "no progress lines in the stream");

  assert.deepEqual(panelTitles(chartIn(run, "history.plot(")), ["accuracy"]);

  assertFile(run, "models/best_model.keras", 10_000);
  assertFile(run, "reports/mnist-history.html");
  assert.match(stdoutOf(cellWith(nb, "toHTML(")), /best val_loss 0\.\d{4} — report: /);
  const tags = tensorBoardTags(run, "logs/fit");
  assert.deepEqual([...tags.keys()].map((r) => r.split("/").at(-1)), ["train", "validation"], "one run: train and validation");
  for (const [name, set] of tags) for (const t of ["epoch_loss", "epoch_accuracy"]) assert.ok(set.has(`scalar:${t}`), `${name} has ${t}`);
  const trainTags = [...tags.values()][0];
  assert.ok([...trainTags].some((t) => t.startsWith("histogram:")), `weight histograms (histogramFreq: 1): ${[...trainTags]}`);

  // The best checkpoint loads back with loadKeras and reproduces the best epoch's val_loss.
  const reloaded = /reloaded best model: val_loss (\d\.\d{4}), val_accuracy (\d\.\d{4})/.exec(stdoutOf(cellWith(nb, "loadKeras(")));
  assert.ok(reloaded, stdoutOf(cellWith(nb, "loadKeras(")));
  const bestValLoss = Math.min(...spec.datasets.history.map((r: any) => r.val_loss));
  assert.ok(Math.abs(Number(reloaded[1]) - bestValLoss) < 2e-4, `reloaded ${reloaded[1]} vs best ${bestValLoss}`);

  chartIn(run, "plotRuns(");
}

export const CHECKS: Record<string, NotebookCheck> = {
  "mnist-walkthrough.ipynb": mnistWalkthrough,
};

/** Checks every notebook gets: each chart output is complete. */
export function checkEveryChart(run: NotebookRun): number {
  const charts = allCharts(run.notebook);
  charts.forEach((c, i) => assertChart(c, `${run.name} chart ${i + 1}`));
  return charts.length;
}
