import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ensureBuilt, kernelSkipReason, makeKernelEnv, PYTHON, REPO } from "./kernel-env.js";

const VL = "application/vnd.vegalite.v5+json";

/** Runs notebooks/mnist-walkthrough.ipynb top to bottom with nbconvert and checks what it saved. */
test("mnist-walkthrough.ipynb executes under nbconvert with the tslab kernel", { timeout: 300_000 }, async (t) => {
  const reason = kernelSkipReason(["jupyter_client", "IPython", "nbconvert", "nbclient"]);
  if (reason) return t.skip(reason);
  ensureBuilt();
  const env = makeKernelEnv();
  const input = join(env.notebookDir, "mnist-walkthrough.ipynb");
  copyFileSync(join(REPO, "notebooks", "mnist-walkthrough.ipynb"), input);
  const run = spawnSync(
    PYTHON,
    ["-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.kernel_name=tslab",
      "--ExecutePreprocessor.timeout=600", "--output", "executed.ipynb", input],
    { cwd: env.notebookDir, env: env.env, encoding: "utf8", timeout: 280_000 },
  );
  assert.equal(run.status, 0, `nbconvert failed:\n${run.stderr.slice(-6000)}`);
  const nb = JSON.parse(readFileSync(join(env.notebookDir, "executed.ipynb"), "utf8"));
  const code = nb.cells.filter((c: any) => c.cell_type === "code");
  const text = (c: any) => c.outputs.filter((o: any) => o.output_type === "stream").map((o: any) => [].concat(o.text).join("")).join("");
  const cellWith = (s: string) => code.find((c: any) => [].concat(c.source).join("").includes(s));

  assert.match(text(cellWith("loadMnist(")), /\[ 10000, 784 \] \[ 10000 \]/);

  // The training cell keeps exactly its final state: one progress display and one chart, both updated in place.
  const train = cellWith("await fit(");
  const displays = train.outputs.filter((o: any) => o.output_type === "display_data");
  const chart = displays.filter((o: any) => VL in o.data);
  assert.equal(chart.length, 1, "one chart output");
  assert.deepEqual(Object.keys(chart[0].data).sort(), [VL, "image/png", "text/plain"]);
  assert.ok(chart[0].metadata["image/png"].width > 300);
  const spec = chart[0].data[VL];
  const epochsRun = spec.datasets.history.length;
  assert.ok(epochsRun >= 4 && epochsRun <= 10, `${epochsRun} epochs`);
  const last = spec.datasets.history.at(-1);
  assert.ok(last.val_accuracy > 0.8, `val_accuracy ${last.val_accuracy}`);
  assert.ok(spec.datasets.marks.some((m: any) => m.kind === "checkpoint"), "checkpoint saves marked");
  assert.ok(spec.datasets.marks.some((m: any) => m.kind === "best"), "best epoch marked");
  if (epochsRun < 10) assert.ok(spec.datasets.marks.some((m: any) => m.kind === "early_stopping"), "early stop marked");
  const progress = displays.filter((o: any) => "text/html" in o.data);
  assert.equal(progress.length, 1, "one progress output");
  assert.match([].concat(progress[0].data["text/plain"]).join(""), new RegExp(`Epoch ${epochsRun}/10 - .*val_accuracy`));
  assert.ok(!/ms\/step/.test(text(train)), "no progress lines in the stream");

  // history.plot of accuracy vs val_accuracy.
  const plot = cellWith("history.plot(").outputs.filter((o: any) => o.output_type === "display_data");
  assert.equal(plot.length, 1);
  assert.deepEqual(plot[0].data[VL].vconcat.map((p: any) => p.title.text), ["accuracy"]);
  assert.ok("image/png" in plot[0].data);

  // Files the callbacks and toHTML wrote, relative to the notebook.
  assert.ok(statSync(join(env.notebookDir, "models", "best_model.keras")).size > 10_000);
  const runs = readdirSync(join(env.notebookDir, "logs", "fit"));
  assert.equal(runs.length, 1);
  assert.ok(readdirSync(join(env.notebookDir, "logs", "fit", runs[0], "train")).some((f) => f.startsWith("events.out.tfevents")));
  assert.ok(existsSync(join(env.notebookDir, "reports", "mnist-history.html")));
  assert.match(text(cellWith("toHTML(")), /best val_loss 0\.\d{4} — report: /);

  // The best checkpoint loads back with loadKeras and reproduces the best epoch's val_loss.
  const reloaded = /reloaded best model: val_loss (\d\.\d{4}), val_accuracy (\d\.\d{4})/.exec(text(cellWith("loadKeras(")));
  assert.ok(reloaded, text(cellWith("loadKeras(")));
  const bestValLoss = Math.min(...spec.datasets.history.map((r: any) => r.val_loss));
  assert.ok(Math.abs(Number(reloaded[1]) - bestValLoss) < 2e-4, `reloaded ${reloaded[1]} vs best ${bestValLoss}`);

  // The evaluation at the end: evaluate on the test digits (int32 labels), a confusion matrix, the per-class report
  // and the misclassified digits, each one output in its cell.
  const tested = /test accuracy (\d+\.\d\d)% on 1667 digits, loss (\d\.\d{4})/.exec(text(cellWith("await evaluate(best, xTest")));
  assert.ok(tested, text(cellWith("await evaluate(best, xTest")));
  assert.ok(Number(tested[1]) > 85, `test accuracy ${tested[1]}%`);
  const single = (snippet: string) => {
    const shown = cellWith(snippet).outputs.filter((o: any) => o.output_type === "display_data");
    assert.equal(shown.length, 1, `${snippet}: one output`);
    return shown[0];
  };
  const cm = single("plotConfusionMatrix(");
  assert.deepEqual(Object.keys(cm.data).sort(), [VL, "image/png", "text/plain"]);
  const cells = cm.data[VL].data.values;
  const right = cells.filter((c: any) => c.diagonal).reduce((s: number, c: any) => s + c.value, 0);
  assert.equal(cells.reduce((s: number, c: any) => s + c.value, 0), 1667);
  assert.ok(Math.abs((100 * right) / 1667 - Number(tested[1])) < 0.01, "the matrix agrees with evaluate's accuracy");
  const report = single("classificationReport(");
  assert.deepEqual(Object.keys(report.data).sort(), ["text/html", "text/plain"]);
  assert.match([].concat(report.data["text/plain"]).join(""), /weighted avg +0\.\d\d +0\.\d\d +0\.\d\d +1667/);
  assert.match(text(cellWith("classificationReport(")), /hardest digit: \d \(F1 0\.\d{3}, \d+ test digits\)/);
  const grid = single("plotSamples(");
  assert.ok("image/png" in grid.data);
  const tiles = grid.data[VL].data.values;
  assert.equal(tiles.length, 24);
  assert.ok(tiles.every((t: any) => t.wrong), "all 24 shown are misclassified (there are more than 24)");

  // plotRuns draws the TensorBoard runs in one chart.
  const runsChart = cellWith("plotRuns(").outputs.filter((o: any) => o.output_type === "display_data");
  assert.equal(runsChart.length, 1);
  assert.ok(VL in runsChart[0].data && "image/png" in runsChart[0].data);
});
