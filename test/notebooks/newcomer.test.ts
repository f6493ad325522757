// A newcomer's first notebook, from a clean machine's point of view: tslab-fit packed (`npm pack` of a clean clone) or
// cloned (`npm install git+file://…`, which runs `prepare`), installed with @tensorflow/tfjs into an empty folder,
// the kernel installed globally and registered with Jupyter — all by running README's notebook set-up block as
// written, in a private HOME and npm prefix — then the walkthrough notebook it copies executed with nbclient.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { before, test } from "node:test";
import { kernelSkipReason, PYTHON, REPO } from "../display/kernel-env.js";
import { tempDir } from "../helpers.js";
import { CHECKS } from "./checks.js";
import { executeNotebook, problemsOf } from "./notebook-run.js";

const WALKTHROUGH = "mnist-walkthrough.ipynb";
const NETWORK = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|network/i;

/**
 * README's set-up block, run as written except its last line: `jupyter lab <notebook>` opens the notebook for a
 * person, and nbclient executes it instead, with the same kernelspec.
 */
export function readmeSetup(): { script: string; notebook: string } {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const block = /<!-- notebook-setup[^>]*-->\n```bash\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, "README has the notebook set-up block");
  const lines = block[1].trimEnd().split("\n");
  const open = /^jupyter lab (\S+\.ipynb)$/.exec(lines.at(-1)!);
  assert.ok(open, `the block ends by opening a notebook: ${lines.at(-1)}`);
  return { script: lines.slice(0, -1).join("\n"), notebook: open[1] };
}

const root = tempDir("tslab-fit-newcomer-");
const home = join(root, "home");
/** The user's machine: own HOME (so ~/.local/share/jupyter), global npm prefix, python3 = the Python with Jupyter. */
function userEnv(): NodeJS.ProcessEnv {
  const pybin = join(root, "pybin");
  mkdirSync(pybin, { recursive: true });
  try {
    symlinkSync(PYTHON, join(pybin, "python3"));
  } catch {}
  // Nothing of `npm test`'s own environment: no npm_* settings, no node_modules/.bin (which has this repo's tslab).
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_|^INIT_CWD$|^JUPYTER|^IPYTHONDIR$/i.test(k)) env[k] = v;
  const path = (process.env.PATH ?? "").split(delimiter).filter((p) => !p.includes("node_modules"));
  return {
    ...env,
    HOME: home,
    PATH: [pybin, join(root, "global", "bin"), ...path].join(delimiter),
    npm_config_prefix: join(root, "global"),
    npm_config_cache: process.env.npm_config_cache ?? join(homedir(), ".npm"), // the machine's download cache
    npm_config_prefer_offline: "true", // cached packages without revalidating each one: CI time, same files
    npm_config_update_notifier: "false",
    npm_config_audit: "false",
    npm_config_fund: "false",
  };
}

function sh(script: string, cwd: string, env: NodeJS.ProcessEnv): { status: number | null; output: string } {
  const r = spawnSync("bash", ["-euo", "pipefail", "-c", script], { cwd, env, encoding: "utf8", timeout: 300_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const kernelSkip = kernelSkipReason(["jupyter_client", "IPython", "nbclient", "nbconvert"]);
let clean = "";
let tarball = "";

before(() => {
  if (kernelSkip) return;
  mkdirSync(home, { recursive: true });
  // A clean clone of the working tree as it is now (tracked and new files, nothing ignored): commit it to a scratch
  // repository and clone that.
  const snapshot = join(root, "snapshot");
  const files = spawnSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: REPO, encoding: "utf8" }).stdout.split("\0").filter(Boolean);
  for (const f of files.filter((f) => existsSync(join(REPO, f)))) cpSync(join(REPO, f), join(snapshot, f), { recursive: true });
  const git = "git -c user.name=newcomer -c user.email=newcomer@example.com";
  const made = sh(`git init -q && ${git} add -A && ${git} commit -qm snapshot && git clone -q . ../clean`, snapshot, userEnv());
  assert.equal(made.status, 0, made.output);
  clean = join(root, "clean");
  // `npm pack` as a maintainer would after `npm ci` in the clone: the clone borrows this repo's node_modules.
  cpSync(clean, join(root, "pack"), { recursive: true });
  symlinkSync(join(REPO, "node_modules"), join(root, "pack", "node_modules"), "dir");
  const packed = sh(`npm pack --pack-destination ${JSON.stringify(root)}`, join(root, "pack"), userEnv());
  assert.equal(packed.status, 0, packed.output);
  tarball = join(root, readdirSync(root).find((f) => f.endsWith(".tgz"))!);
});

test("npm pack ships dist/ (built by prepare), docs, notebooks and README", (t) => {
  if (kernelSkip) return t.skip(kernelSkip);
  const list = spawnSync("tar", ["-tzf", tarball], { encoding: "utf8" }).stdout.split("\n");
  for (const f of ["package/dist/index.js", "package/dist/index.d.ts", "package/README.md", "package/package.json", "package/notebooks/mnist-walkthrough.ipynb"]) {
    assert.ok(list.includes(f), `${f} in the tarball`);
  }
  assert.ok(!list.some((f) => f.startsWith("package/test/") || f.startsWith("package/src/")), "no tests or sources");
});

for (const [how, source] of [
  ["a tarball from npm pack", () => tarball],
  ["a git install of a clean clone (prepare builds dist/)", () => `git+file://${clean}`],
] as const) {
  test(`README's notebook set-up works from ${how}: the walkthrough runs`, { timeout: 900_000 }, async (t) => {
    if (kernelSkip) return t.skip(kernelSkip);
    const { script, notebook } = readmeSetup();
    assert.equal(notebook, WALKTHROUGH);
    const project = join(root, how.startsWith("a tarball") ? "tarball-user" : "git-user");
    mkdirSync(project, { recursive: true });
    const env = { ...userEnv(), TSLAB_FIT: source() };
    const started = Date.now();
    const setup = sh(script, project, env);
    if (setup.status !== 0 && NETWORK.test(setup.output)) return t.skip(`npm registry unreachable:\n${setup.output.slice(-800)}`);
    assert.equal(setup.status, 0, `README's set-up failed:\n${setup.output.slice(-6000)}`);
    t.diagnostic(`set-up (global tslab, kernelspec, npm install) took ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const folder = join(project, "my-notebooks");
    const installed = JSON.parse(readFileSync(join(folder, "node_modules", "tslab-fit", "package.json"), "utf8"));
    assert.equal(installed.name, "tslab-fit");
    assert.ok(readdirSync(join(folder, "node_modules", "tslab-fit", "dist")).includes("index.js"), "dist/ installed");
    const kernel = JSON.parse(readFileSync(join(home, ".local", "share", "jupyter", "kernels", "tslab", "kernel.json"), "utf8"));
    assert.equal(kernel.argv[0], "tslab", "the kernelspec starts tslab from the PATH");
    assert.ok(existsSync(join(folder, WALKTHROUGH)), "the notebook was copied from the installed package");

    // What `jupyter lab` would run when the reader executes every cell, done by nbclient.
    const run = executeNotebook(WALKTHROUGH, folder, env, join(folder, WALKTHROUGH));
    t.diagnostic(`${WALKTHROUGH} executed in ${run.seconds.toFixed(0)} s (shared 2-core machine)`);
    assert.equal(run.failure, "", run.failure);
    assert.deepEqual(problemsOf(run.notebook), []);
    await CHECKS[WALKTHROUGH](run);
  });
}
