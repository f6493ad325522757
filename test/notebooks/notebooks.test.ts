// Executes every tutorial notebook top to bottom with the real tslab kernel (nbclient), fails on any error output,
// checks what each must show, and opens nbconvert's HTML of it in headless Chromium.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ensureBuilt, kernelSkipReason, makeKernelEnv } from "../display/kernel-env.js";
import { tempDir } from "../helpers.js";
import { CHECKS, checkEveryChart, DRAFTS } from "./checks.js";
import { chromiumSkipReason, launchViewer, type Viewer } from "./html-view.js";
import { executeNotebook, NOTEBOOKS, problemsOf, provideInputs } from "./notebook-run.js";

const kernelSkip = kernelSkipReason(["jupyter_client", "IPython", "nbclient", "nbconvert"]);
let viewer: Viewer | undefined;

before(async () => {
  if (!kernelSkip && !chromiumSkipReason) viewer = await launchViewer(tempDir("tslab-fit-notebook-html-"));
});
after(async () => viewer?.close());

test("every notebook in notebooks/ is executed here or listed as a draft with its reason", () => {
  const onDisk = readdirSync(NOTEBOOKS).filter((n) => n.endsWith(".ipynb")).sort();
  assert.deepEqual(onDisk, [...Object.keys(CHECKS), ...Object.keys(DRAFTS)].sort());
});

for (const [name, reason] of Object.entries(DRAFTS)) test(`${name} (draft)`, (t) => t.skip(reason));

for (const [name, check] of Object.entries(CHECKS)) {
  test(`${name} runs clean with the tslab kernel and shows what it should`, { timeout: 600_000 }, async (t) => {
    if (kernelSkip) return t.skip(kernelSkip);
    ensureBuilt();
    const env = makeKernelEnv();
    const missing = provideInputs(name, env.notebookDir);
    if (missing) return t.skip(missing);
    const run = executeNotebook(name, env.notebookDir, env.env);
    t.diagnostic(`${name}: executed in ${run.seconds.toFixed(0)} s (shared 2-core machine)`);
    assert.equal(run.failure, "", `${name} stopped with an error:\n${run.failure}`);
    assert.deepEqual(problemsOf(run.notebook), [], "no error or stderr output");
    const charts = checkEveryChart(run);
    assert.ok(charts > 0, "at least one chart");
    await check(run);

    if (!viewer) return t.diagnostic(`HTML not opened: ${chromiumSkipReason}`);
    const html = await viewer.open(run.htmlPath, join(env.root, name.replace(/\.ipynb$/, ".png")));
    assert.deepEqual(html.errors, [], "nbconvert's HTML opens without script errors");
    assert.equal(html.visibleCharts, charts, `every chart visible in the HTML (${html.images} images)`);
  });
}
