// Re-runs every notebook in notebooks/ top to bottom with the real tslab kernel and saves it with its outputs, so
// readers (GitHub, nbviewer) see real results: node --import tsx scripts/execute-notebooks.ts
import { spawnSync } from "node:child_process";
import { copyFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ensureBuilt, kernelSkipReason, makeKernelEnv, PYTHON, REPO } from "../test/display/kernel-env.js";

const reason = kernelSkipReason(["jupyter_client", "IPython", "nbconvert", "nbclient"]);
if (reason) throw new Error(reason);
ensureBuilt();
for (const name of readdirSync(join(REPO, "notebooks")).filter((n) => n.endsWith(".ipynb"))) {
  const env = makeKernelEnv();
  const input = join(env.notebookDir, name);
  copyFileSync(join(REPO, "notebooks", name), input);
  const run = spawnSync(
    PYTHON,
    ["-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.kernel_name=tslab", "--ExecutePreprocessor.timeout=600", "--inplace", input],
    { cwd: env.notebookDir, env: env.env, encoding: "utf8", stdio: "inherit" },
  );
  if (run.status !== 0) throw new Error(`${name} failed`);
  copyFileSync(input, join(REPO, "notebooks", name));
  console.log(`executed notebooks/${name}`);
}
