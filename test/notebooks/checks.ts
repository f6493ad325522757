// What each tutorial notebook must show once executed: its charts, the files it wrote, the TensorBoard tags.
// Every notebook in notebooks/ is either listed in CHECKS (and executed by the tests) or in DRAFTS with the reason.
import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { readRuns } from "../../src/tensorboard/reader.js";
import { allCharts, cellWith, chartsOf, type NotebookRun, type Output, resultOf, stdoutOf, VL } from "./notebook-run.js";

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
  assert.match(stdoutOf(cellWith(nb, "const { x, y } = loadMnist(")), /\[ 10000, 784 \] \[ 10000 \]/);

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
  // Shown as the cell's value (tslab prints it to stdout, Deno sends it as the cell's result).
  const shown = stdoutOf(cellWith(nb, "loadKeras(")) + resultOf(cellWith(nb, "loadKeras("));
  const reloaded = /val_loss: (\d\.\d+),\s+val_accuracy: (\d\.\d+)/.exec(shown);
  assert.ok(reloaded, shown);
  const bestValLoss = Math.min(...spec.datasets.history.map((r: any) => r.val_loss));
  assert.ok(Math.abs(Number(reloaded[1]) - bestValLoss) < 2e-4, `reloaded ${reloaded[1]} vs best ${bestValLoss}`);

  chartIn(run, "plotRuns(");

  // The evaluation at the end: evaluate on the test digits (int32 labels), a confusion matrix, the per-class report
  // and the misclassified digits, each one output in its cell.
  const evaluated = stdoutOf(cellWith(nb, "await evaluate(best, xTest"));
  const tested = /test accuracy (\d+\.\d\d)% on 1667 digits, loss (\d\.\d{4})/.exec(evaluated);
  assert.ok(tested, evaluated);
  assert.ok(Number(tested[1]) > 85, `test accuracy ${tested[1]}%`);
  const cells = chartIn(run, "plotConfusionMatrix(").data.values;
  const right = cells.filter((c: any) => c.diagonal).reduce((sum: number, c: any) => sum + c.value, 0);
  assert.equal(cells.reduce((sum: number, c: any) => sum + c.value, 0), 1667);
  assert.ok(Math.abs((100 * right) / 1667 - Number(tested[1])) < 0.01, "the matrix agrees with evaluate's accuracy");
  const reportCell = cellWith(nb, "classificationReport(");
  const tables = (reportCell.outputs ?? []).filter((o) => o.output_type === "display_data");
  assert.equal(tables.length, 1, "the report is one output");
  assert.deepEqual(Object.keys(tables[0].data!).sort(), ["text/html", "text/plain"]);
  assert.match(([] as string[]).concat(tables[0].data!["text/plain"]).join(""), /weighted avg +0\.\d\d +0\.\d\d +0\.\d\d +1667/);
  assert.match(stdoutOf(reportCell), /hardest digit: \d \(F1 0\.\d{3}, \d+ test digits\)/);
  const tiles = chartIn(run, "plotSamples(").data.values;
  assert.equal(tiles.length, 24);
  assert.ok(tiles.every((t: any) => t.wrong), "all 24 shown are misclassified (there are more than 24)");
}

async function mnistConvnet(run: NotebookRun): Promise<void> {
  const nb = run.notebook;
  assert.match(stdoutOf(cellWith(nb, "loadMnist(")), /train \[ 8333, 28, 28, 1 \] test \[ 1667, 28, 28, 1 \]/);
  const summary = (cellWith(nb, "showModel(model)").outputs ?? []).filter((o) => o.output_type === "display_data");
  assert.equal(summary.length, 1, "showModel is one output");
  const summaryText = ([] as string[]).concat(summary[0].data!["text/plain"]).join("");
  assert.match(summaryText, /\(Conv2D\) +│ \(None, 26, 26, 32\) +│ +320 │/);
  assert.match(summaryText, /Total params: 34,826/);

  const history = chartIn(run, "await fit(").datasets.history;
  assert.equal(history.length, 3, "3 epochs");
  assert.ok(history.at(-1).val_accuracy > 0.9, `val_accuracy ${history.at(-1).val_accuracy}`);
  assertFile(run, "models/convnet-best.keras", 100_000);

  // One TensorBoard run (train + validation): curves, a histogram and an image of every weight tensor.
  const tags = tensorBoardTags(run, "logs/convnet");
  assert.deepEqual([...tags.keys()].map((r) => r.split("/").at(-1)).sort(), ["train", "validation"]);
  for (const [name, set] of tags) for (const t of ["epoch_loss", "epoch_accuracy"]) assert.ok(set.has(`scalar:${t}`), `${name} has ${t}`);
  const train = [...tags.entries()].find(([name]) => name.endsWith("train"))![1];
  const histograms = [...train].filter((t) => t.startsWith("histogram:"));
  const images = [...train].filter((t) => t.startsWith("image:"));
  assert.ok(histograms.length >= 6, `a histogram per weight (3 layers × kernel and bias): ${histograms}`);
  assert.ok(images.some((t) => /conv2d.*kernel/i.test(t)), `the first filters as an image: ${images}`);

  const evaluated = stdoutOf(cellWith(nb, "await evaluate(best, xTest"));
  const tested = /test accuracy (\d+\.\d\d)% on 1667 digits, loss (\d\.\d{4})/.exec(evaluated);
  assert.ok(tested, evaluated);
  assert.ok(Number(tested[1]) > 90, `test accuracy ${tested[1]}%`);
  const cells = chartIn(run, "plotConfusionMatrix(").data.values;
  const right = cells.filter((c: any) => c.diagonal).reduce((sum: number, c: any) => sum + c.value, 0);
  assert.equal(cells.reduce((sum: number, c: any) => sum + c.value, 0), 1667);
  assert.ok(Math.abs((100 * right) / 1667 - Number(tested[1])) < 0.01, "the matrix agrees with evaluate's accuracy");
  const tiles = chartIn(run, "plotSamples(").data.values;
  assert.equal(tiles.length, 16);
  assert.ok(tiles.every((t: any) => t.wrong), "all 16 shown are misclassified (there are more than 16)");
}

function textClassification(run: NotebookRun): void {
  const nb = run.notebook;
  assert.match(stdoutOf(cellWith(nb, "loadWordNetGlosses(")), /3200 training and 800 test definitions, classes: noun\.animal, noun\.plant, noun\.food, noun\.artifact/);
  assert.match(stdoutOf(cellWith(nb, "vectorize.adapt(")), /words: a \| raised \| shelter .*\n +ids: +3 \d+ \d+ 7 .* 0 0\n/);
  const summary = (cellWith(nb, "showModel(model)").outputs ?? []).filter((o) => o.output_type === "display_data");
  assert.equal(summary.length, 1, "showModel is one output");
  assert.match(([] as string[]).concat(summary[0].data!["text/plain"]).join(""), /\(Embedding\) +│ \(None, 20, 16\) +│ +80,000 │/);

  // EarlyStopping stops before the 20 epochs and puts back the best epoch's weights: scored again on the validation
  // part, the model gives the best epoch's val_loss, not the last one's.
  const history = chartIn(run, "new EarlyStopping(").datasets.history;
  assert.ok(history.length >= 3 && history.length < 20, `${history.length} epochs: stopped early`);
  const valLosses = history.map((r: any) => r.val_loss);
  const best = Math.min(...valLosses);
  assert.ok(valLosses.at(-1) > best, "the last epoch is not the best one");
  assert.ok(history.at(-1).val_accuracy > 0.75, `val_accuracy ${history.at(-1).val_accuracy}`);
  assert.deepEqual(chartIn(run, "history.plot(").datasets.history, history, "history.plot draws the same run");
  const restored = /val_loss now (\d\.\d{4}); best epoch (\d+): (\d\.\d{4}), last epoch (\d+): (\d\.\d{4})/.exec(stdoutOf(cellWith(nb, "const restored")));
  assert.ok(restored, stdoutOf(cellWith(nb, "const restored")));
  assert.equal(Number(restored[3]), Number(best.toFixed(4)), "the printed best val_loss is the chart's");
  assert.equal(Number(restored[2]), valLosses.indexOf(best) + 1);
  assert.equal(Number(restored[4]), history.length);
  assert.ok(Math.abs(Number(restored[1]) - best) < 2e-4, `weights restored: val_loss ${restored[1]} after fit, best epoch ${best}`);

  const tested = /test accuracy (\d+\.\d)% on 800 definitions, loss (\d\.\d{4})/.exec(stdoutOf(cellWith(nb, "await evaluate(model, xTest")));
  assert.ok(tested, stdoutOf(cellWith(nb, "await evaluate(model, xTest")));
  assert.ok(Number(tested[1]) > 75, `test accuracy ${tested[1]}% (chance 25%)`);
  const cells = chartIn(run, "plotConfusionMatrix(").data.values;
  assert.equal(cells.reduce((sum: number, c: any) => sum + c.value, 0), 800);
  const right = cells.filter((c: any) => c.diagonal).reduce((sum: number, c: any) => sum + c.value, 0);
  assert.ok(Math.abs(right / 8 - Number(tested[1])) < 0.06, "the matrix agrees with evaluate's accuracy");
  const reportCell = cellWith(nb, "classificationReport(");
  const tables = (reportCell.outputs ?? []).filter((o) => o.output_type === "display_data");
  assert.equal(tables.length, 1, "the report is one output");
  assert.match(([] as string[]).concat(tables[0].data!["text/plain"]).join(""), /artifact +0\.\d\d +0\.\d\d +0\.\d\d +\d+\n/);
  assert.match(stdoutOf(reportCell), /hardest category: (animal|plant|food|artifact) \(F1 0\.\d{3}, \d+ test definitions\)/);
  assert.equal(stdoutOf(cellWith(nb, "const mine")).trim().split("\n").length, 4, "one answer per definition");
}

function callbacksTour(run: NotebookRun): void {
  const nb = run.notebook;
  // List order: both train-begin hooks in order, the key the first callback adds reaches the second and History.
  const order = stdoutOf(cellWith(nb, "const first = new LambdaCallback")).split("\n").filter(Boolean);
  assert.deepEqual(order.slice(0, 4).map((l) => l.replace(/ = .*/, "")), [
    "train begin: first", "train begin: second", "epoch 1 end: first (added val_gap)", "epoch 1 end: second sees val_gap",
  ]);
  assert.equal(order.at(-1), "History keys: accuracy, loss, val_accuracy, val_gap, val_loss");

  // The custom callback halves the rate exactly when val_loss did not improve, and History records the rates.
  const custom = stdoutOf(cellWith(nb, "class HalveOnWorseValLoss"));
  const rates = /learning_rate per epoch: (.*)/.exec(custom)![1].split(", ").map(Number);
  assert.equal(rates.length, 6);
  const halvings = [...custom.matchAll(/epoch (\d+): val_loss .* learning rate ([\d.e-]+) -> ([\d.e-]+)/g)];
  for (const h of halvings) assert.equal(Number(h[3]), Number(h[2]) / 2);
  for (let e = 1; e < 6; e++) assert.equal(rates[e], rates[e - 1] / (halvings.some((h) => Number(h[1]) === e + 1) ? 2 : 1), `epoch ${e + 1} rate`);

  // ReduceLROnPlateau vs LearningRateScheduler: both runs, loss and learning_rate panels, the schedule's decay.
  const cmp = chartIn(run, "new ReduceLROnPlateau(");
  assert.deepEqual(panelTitles(cmp), ["loss", "learning_rate"]);
  assert.deepEqual(cmp.vconcat[0].encoding.color.scale.domain, ["ReduceLROnPlateau", "LearningRateScheduler"]);
  const lr = (name: string) =>
    cmp.datasets.runs.filter((r: any) => r.run === name && r.series === "learning_rate").sort((a: any, b: any) => a.epoch - b.epoch).map((r: any) => r.value);
  const scheduled = lr("LearningRateScheduler");
  assert.equal(scheduled.length, 8);
  assert.ok(Math.abs(scheduled[7] - 0.05 * 0.7 ** 6) < 1e-6, `scheduled rate ${scheduled[7]}`);
  assert.ok(lr("ReduceLROnPlateau").every((v: number, i: number, a: number[]) => i === 0 || v <= a[i - 1]), "plateau rate never rises");

  // The fit with every callback: chart with marks, the CSV, the checkpoint, TensorBoard tags.
  const live = chartIn(run, "new CSVLogger(");
  const epochs = live.datasets.history.length;
  assert.ok(epochs >= 3 && epochs <= 15, `${epochs} epochs`);
  const marks = live.datasets.marks.map((m: any) => m.kind);
  assert.ok(marks.includes("best") && marks.includes("checkpoint"), `marks ${marks}`);
  if (epochs < 15) assert.ok(marks.includes("early_stopping"), "early stop marked");
  const csv = stdoutOf(cellWith(nb, 'readFileSync("logs/tour.csv"')).trim().split("\n");
  assert.equal(csv[0], "epoch,accuracy,loss,val_accuracy,val_loss");
  assert.equal(csv.length, epochs + 1, "one CSV row per epoch");
  assertFile(run, "models/tour-best.keras", 10_000);
  for (const [name, tags] of tensorBoardTags(run, "logs/tour")) {
    for (const t of ["epoch_loss", "epoch_accuracy"]) assert.ok(tags.has(`scalar:${t}`), `${name} has ${t}`);
  }

  assert.match(stdoutOf(cellWith(nb, "new TerminateOnNaN()] }")), /Batch 1: Invalid loss, terminating training\nepochs run: 1 of 5, loss NaN/);

  const crash = stdoutOf(cellWith(nb, "crashAfterEpoch(3)"));
  // fit names the callback that threw (CallbackError) before its message.
  assert.match(crash, /fit failed: LambdaCallback\.onEpochEnd threw: simulated crash after epoch 3\nbackup on disk: true/);
  const resumed = stdoutOf(cellWith(nb, "const resumed"));
  assert.match(resumed, /resuming at epoch 4/);
  assert.match(resumed, /epochs run after the restart: 4, 5, 6\n/);
  assert.match(resumed, /backup on disk: false/);
  assert.ok(!existsSync(join(run.dir, "backups", "tour", "latest")), "backup deleted after the finished run");
}

function tensorboardRuns(run: NotebookRun): void {
  const nb = run.notebook;
  const trials = ["units-16-lr-0.001", "units-16-lr-0.01", "units-64-lr-0.001", "units-64-lr-0.01"];
  const printed = stdoutOf(cellWith(nb, "for (const units of grid.units)"));
  for (const t of trials) assert.match(printed, new RegExp(`${t.replace(/\./g, "\\.")}\\s+val_accuracy 0\\.\\d{4}`));

  const spec = chartIn(run, "plotRuns(");
  const runs = new Set(spec.data?.values?.map((r: any) => r.run) ?? spec.datasets?.[Object.keys(spec.datasets)[0]]?.map((r: any) => r.run));
  assert.deepEqual([...runs].sort(), trials.flatMap((t) => [`${t}/train`, `${t}/validation`]));
  assert.match(stdoutOf(cellWith(nb, "plotRuns(")), /best trial: units-\d+-lr-[\d.]+ \(val_accuracy 0\.\d{4} after 5 epochs\)/);

  const tags = tensorBoardTags(run, "logs/hparams");
  assert.ok(tags.get(".")?.has("hparams:_hparams_/experiment"), "the experiment description in the parent folder");
  for (const t of trials) {
    assert.ok(tags.get(t)?.has("hparams:_hparams_/session_start_info"), `${t}: hparams session`);
    assert.ok(tags.get(t)?.has("hparams:_hparams_/session_end_info"), `${t}: hparams session ended`);
    for (const sub of ["train", "validation"]) {
      for (const tag of ["epoch_loss", "epoch_accuracy"]) assert.ok(tags.get(`${t}/${sub}`)?.has(`scalar:${tag}`), `${t}/${sub} ${tag}`);
    }
  }
  assert.match(stdoutOf(cellWith(nb, "readRuns(LOG_DIR)")), /units-16-lr-0\.001\/train: .*epoch_loss \(scalar\)/);
}

function kerasInterop(run: NotebookRun): void {
  const nb = run.notebook;
  assert.match(stdoutOf(cellWith(nb, "loadKeras(FROM_PYTHON)")), /Total params: 30634\n/);
  assert.match(stdoutOf(cellWith(nb, "getClassName()")), /optimizer: SGD, learning rate 0\.150; loss: categoricalCrossentropy/);
  const predicted = stdoutOf(cellWith(nb, "const accuracyBefore"));
  const before = Number(/test accuracy of the Python-trained model: (\d\.\d{4})/.exec(predicted)![1]);
  assert.ok(before > 0.85, `Python-trained model on real digits: ${before}`);
  const after = Number(/(\d\.\d{4}) after fine-tuning/.exec(stdoutOf(cellWith(nb, "tf.oneHot(")))![1]);
  assert.ok(after > before - 0.02, `fine-tuning kept the accuracy: ${before} -> ${after}`);
  const fineTune = chartIn(run, "tf.oneHot(").datasets.history;
  assert.equal(fineTune.length, 3);
  assert.ok(fineTune[0].val_accuracy > 0.9, `fine-tuning starts from the trained model: ${fineTune[0].val_accuracy}`);
  assertFile(run, "models/mnist-mlp-finetuned.keras", 10_000);
  assert.match(stdoutOf(cellWith(nb, "saveKeras(")), /largest prediction difference after reloading: 0\n/);
}

export const CHECKS: Record<string, NotebookCheck> = {
  "mnist-walkthrough.ipynb": mnistWalkthrough,
  "mnist-convnet.ipynb": mnistConvnet,
  "text-classification.ipynb": textClassification,
  "callbacks-tour.ipynb": callbacksTour,
  "tensorboard-runs.ipynb": tensorboardRuns,
  "keras-interop.ipynb": kerasInterop,
};

/** Checks every notebook gets: each chart output is complete. */
export function checkEveryChart(run: NotebookRun): number {
  const charts = allCharts(run.notebook);
  charts.forEach((c, i) => assertChart(c, `${run.name} chart ${i + 1}`));
  return charts.length;
}
