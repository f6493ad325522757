// Shared setup for the tests that run the real tslab kernel: a private kernelspec, a notebook folder where
// `tslab-fit` resolves to this repo's dist/, and the reasons to skip when Jupyter is missing.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { tempDir } from "../helpers.js";

export const REPO = resolve(__dirname, "../..");
export const PYTHON = "/usr/bin/python3";

/** Why the kernel tests cannot run here, or undefined when they can. */
export function kernelSkipReason(pythonModules = ["jupyter_client", "IPython"]): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found: the tslab kernel tests drive Jupyter through Debian's Python`;
  const probe = spawnSync(PYTHON, ["-c", `import ${pythonModules.join(", ")}`], { encoding: "utf8" });
  if (probe.status !== 0) return `${PYTHON} lacks ${pythonModules.join("/")} (apt-get install python3-jupyter-client python3-nbclient jupyter-nbconvert python3-ipython)`;
  if (!existsSync(join(REPO, "node_modules", ".bin", "tslab"))) return "node_modules/.bin/tslab missing (npm install)";
  return undefined;
}

function isBuilt(): boolean {
  const distIndex = join(REPO, "dist", "index.js");
  const entry = join(REPO, "dist", "main.cjs");
  const built = existsSync(distIndex) ? statSync(distIndex).mtimeMs : 0;
  const entryWritten = existsSync(entry) && statSync(entry).mtimeMs >= built;
  return built > 0 && entryWritten && newestMtime(join(REPO, "src")) <= built;
}

/**
 * Builds dist/ when any file under src/ is newer than dist/index.js (npm test builds first anyway). Test files run
 * in parallel processes, so the build is guarded by a lock folder (mkdir is atomic).
 */
export function ensureBuilt(): void {
  if (isBuilt()) return;
  const lock = join(tmpdir(), "tslab-fit-build.lock");
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A build that died leaves its lock behind; take it over after 3 minutes.
      if (Date.now() > deadline || lockAge(lock) > 180_000) break;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    if (!isBuilt()) build();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function lockAge(lock: string): number {
  try {
    return Date.now() - statSync(lock).mtimeMs;
  } catch {
    return 0; // released meanwhile: retry
  }
}

function build(): void {
  const r = spawnSync(process.execPath, [join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", join(REPO, "tsconfig.json")], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}${r.stderr}`);
  // The package entry (dist/main.cjs) is written after tsc, as `npm run build` does.
  const entry = spawnSync(process.execPath, [join(REPO, "scripts", "write-entry.mjs")], { encoding: "utf8" });
  if (entry.status !== 0) throw new Error(`writing dist/main.cjs failed:\n${entry.stdout}${entry.stderr}`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

export interface KernelEnv {
  root: string;
  /** JUPYTER_PATH for the private kernelspec. */
  jupyterPath: string;
  /** A notebook folder whose node_modules has this repo as `tslab-fit` beside its dependencies. */
  notebookDir: string;
  env: NodeJS.ProcessEnv;
}

/** Installs the tslab kernelspec under a temp prefix and prepares a notebook folder. */
export function makeKernelEnv(): KernelEnv {
  const root = tempDir("tslab-fit-kernel-");
  const prefix = join(root, "jupyter");
  const install = spawnSync(
    join(REPO, "node_modules", ".bin", "tslab"),
    ["install", `--python=${PYTHON}`, `--binary=${join(REPO, "node_modules", ".bin", "tslab")}`, `--prefix=${prefix}`],
    { encoding: "utf8" },
  );
  if (install.status !== 0) throw new Error(`tslab install failed:\n${install.stdout}${install.stderr}`);
  const jupyterPath = join(prefix, "share", "jupyter");
  return { root, jupyterPath, notebookDir: makeNotebookFolder(root), env: jupyterEnv(root, jupyterPath) };
}

/**
 * A notebook folder under `root` whose node_modules holds the repo's packages (the same files, so tfjs is one
 * instance) and this repo as `tslab-fit`, linked from outside node_modules as `npm link` / `npm install ../path` do.
 */
export function makeNotebookFolder(root: string): string {
  const notebookDir = join(root, "nb");
  const modules = join(notebookDir, "node_modules");
  mkdirSync(modules, { recursive: true });
  for (const name of readdirSync(join(REPO, "node_modules"))) {
    if (name.startsWith(".")) continue;
    symlinkSync(join(REPO, "node_modules", name), join(modules, name));
  }
  symlinkSync(REPO, join(modules, "tslab-fit"));
  return notebookDir;
}

/** Environment for Jupyter with kernelspecs from `jupyterPath` and every other Jupyter folder private to `root`. */
export function jupyterEnv(root: string, jupyterPath: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    JUPYTER_PATH: jupyterPath,
    JUPYTER_CONFIG_DIR: join(root, "config"),
    JUPYTER_DATA_DIR: join(root, "data"),
    JUPYTER_RUNTIME_DIR: join(root, "runtime"),
    IPYTHONDIR: join(root, "ipython"),
    TF_CPP_MIN_LOG_LEVEL: "2",
  };
}

/** A cell for kernel_driver.py: its code, or its code with when to interrupt it and how long to wait for late output. */
export type DriverCell = string | { code: string; interrupt_after?: number; interrupt_when?: string; settle?: number; late?: number };

/**
 * Runs `cells` one after another in a fresh kernel through kernel_driver.py (jupyter_client) and returns, per cell,
 * its execute reply and the messages it published. Fails the test if the driver itself fails.
 */
export function runKernelCells<Cell = { reply: any; messages: any[]; after: any[] }>(
  cells: DriverCell[],
  where: { root: string; notebookDir: string; env: NodeJS.ProcessEnv },
  options: { kernelName?: string; timeoutMs?: number } = {},
): Cell[] {
  const cellsFile = join(where.root, "cells.json");
  const out = join(where.root, "out.json");
  writeFileSync(cellsFile, JSON.stringify(cells));
  const args = [join(__dirname, "kernel_driver.py"), cellsFile, where.notebookDir, out, ...(options.kernelName ? [options.kernelName] : [])];
  const run = spawnSync(PYTHON, args, { env: where.env, encoding: "utf8", timeout: options.timeoutMs ?? 240_000, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(run.status, 0, `driver failed:\n${run.stderr.slice(-4000)}`);
  return (JSON.parse(readFileSync(out, "utf8")) as { cells: Cell[] }).cells;
}
