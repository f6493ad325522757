// The walkthrough notebook, unchanged, run top to bottom by nbconvert (nbclient) under Deno's Jupyter kernel.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ensureBuilt, PYTHON, REPO } from "../display/kernel-env.js";
import { denoSkipReason, KERNEL_NAME, makeDenoKernelEnv } from "./deno-env.js";

const VL = "application/vnd.vegalite.v5+json";

test("mnist-walkthrough.ipynb executes under Deno's kernel with inline charts and in-place updates", { timeout: 300_000 }, async (t) => {
  const reason = denoSkipReason(["jupyter_client", "nbconvert", "nbclient"]);
  if (reason) return t.skip(reason);
  ensureBuilt();
  const env = makeDenoKernelEnv();
  const input = join(env.notebookDir, "mnist-walkthrough.ipynb");
  copyFileSync(join(REPO, "notebooks", "mnist-walkthrough.ipynb"), input);
  const run = spawnSync(
    PYTHON,
    ["-m", "nbconvert", "--to", "notebook", "--execute", `--ExecutePreprocessor.kernel_name=${KERNEL_NAME}`,
      "--ExecutePreprocessor.timeout=600", "--output", "executed.ipynb", input],
    { cwd: env.notebookDir, env: env.env, encoding: "utf8", timeout: 280_000 },
  );
  assert.equal(run.status, 0, `nbconvert failed:\n${run.stderr.slice(-6000)}`);
  const nb = JSON.parse(readFileSync(join(env.notebookDir, "executed.ipynb"), "utf8"));
  const code = nb.cells.filter((c: any) => c.cell_type === "code");
  const source = (c: any) => [].concat(c.source).join("");
  const text = (c: any) => c.outputs.filter((o: any) => o.output_type === "stream").map((o: any) => [].concat(o.text).join("")).join("");
  const cellWith = (s: string) => code.find((c: any) => source(c).includes(s));
  for (const c of code) {
    assert.ok(!c.outputs.some((o: any) => o.output_type === "error"), `cell failed: ${source(c).slice(0, 80)}`);
    assert.doesNotMatch(text(c), /chart written to/, "no chart fell back to a file");
  }

  // The training cell keeps its final state: one chart and one progress display, each updated in place.
  const train = cellWith("await fit(");
  const displays = train.outputs.filter((o: any) => o.output_type === "display_data");
  const chart = displays.filter((o: any) => VL in o.data);
  assert.equal(chart.length, 1, "one chart output");
  assert.deepEqual(Object.keys(chart[0].data).sort(), [VL, "image/png", "text/plain"]);
  assert.ok(chart[0].metadata["image/png"].width > 300, "the PNG keeps its logical width");
  const spec = chart[0].data[VL];
  const epochsRun = spec.datasets.history.length;
  assert.ok(epochsRun >= 3, `${epochsRun} epochs`);
  assert.ok(spec.datasets.history.at(-1).val_accuracy > 0.8, "the model learned");
  assert.ok(spec.datasets.marks.some((m: any) => m.kind === "best"), "best epoch marked");
  const progress = displays.filter((o: any) => "text/html" in o.data);
  assert.equal(progress.length, 1, "one progress output");
  assert.match([].concat(progress[0].data["text/plain"]).join(""), new RegExp(`Epoch ${epochsRun}/\\d+ - .*val_accuracy`));

  // Every other chart of the walkthrough: the same three-format bundle.
  for (const call of ["history.plot(", "plotRuns("]) {
    const out = cellWith(call).outputs.filter((o: any) => o.output_type === "display_data");
    assert.equal(out.length, 1, call);
    assert.deepEqual(Object.keys(out[0].data).sort(), [VL, "image/png", "text/plain"], call);
  }
  // Files the callbacks wrote, relative to the notebook, and the best model read back.
  assert.ok(statSync(join(env.notebookDir, "models", "best_model.keras")).size > 10_000);
  // The reload cell shows its numbers as its value: Deno's kernel may publish a cell's last console.log after the
  // cell ended (or, under load, drop it), but a result comes with the cell's reply.
  const result = cellWith("loadKeras(").outputs.filter((o: any) => o.output_type === "execute_result").map((o: any) => [].concat(o.data["text/plain"]).join("")).join("");
  assert.match(result, /val_loss: \d\.\d+,\s+val_accuracy: \d\.\d+/);
});
