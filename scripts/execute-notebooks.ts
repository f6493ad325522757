// `npm run notebooks`: re-runs every notebook in notebooks/ top to bottom with the real tslab kernel (kernelspec under
// a temporary prefix, the notebook in a temporary folder where `tslab-fit` is this repo) and saves it back with its
// outputs, so readers (GitHub, nbviewer) see real results. A notebook that fails is left as it was. Drafts (see
// test/notebooks/checks.ts) run only when named: npm run notebooks -- some-draft.ipynb
import { copyFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ensureBuilt, kernelSkipReason, makeKernelEnv } from "../test/display/kernel-env.js";
import { DRAFTS } from "../test/notebooks/checks.js";
import { executeNotebook, NOTEBOOKS, problemsOf, provideInputs } from "../test/notebooks/notebook-run.js";

const reason = kernelSkipReason(["jupyter_client", "IPython", "nbclient", "nbconvert"]);
if (reason) throw new Error(reason);
ensureBuilt();
const wanted = process.argv.slice(2);
const names = readdirSync(NOTEBOOKS).filter((n) => n.endsWith(".ipynb") && (wanted.length === 0 ? !(n in DRAFTS) : wanted.includes(n)));
let failed = 0;
for (const name of names) {
  const env = makeKernelEnv();
  const missing = provideInputs(name, env.notebookDir);
  if (missing) {
    console.error(`skipped notebooks/${name}: ${missing}`);
    failed++;
    continue;
  }
  const run = executeNotebook(name, env.notebookDir, env.env);
  const problems = problemsOf(run.notebook);
  if (run.failure || problems.length > 0) {
    console.error(`notebooks/${name} failed (left unchanged; executed copy: ${run.executedPath}):\n${run.failure}${problems.join("\n")}`);
    failed++;
    continue;
  }
  copyFileSync(run.executedPath, join(NOTEBOOKS, name));
  console.log(`executed notebooks/${name} in ${run.seconds.toFixed(0)} s`);
}
process.exit(failed > 0 ? 1 : 0);
