// Shared setup for the tests that run Deno's Jupyter kernel: the native Deno binary from the npm package `deno`, a
// private kernelspec under a temp prefix, and a notebook folder where `tslab-fit` is this repo, linked from outside
// node_modules (as `npm link` / `npm install ../tslab-fit` leave it), beside a deno.json that uses that node_modules.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers.js";
import { jupyterEnv, kernelSkipReason, makeNotebookFolder, REPO } from "../display/kernel-env.js";

export const KERNEL_NAME = "deno-tslab-fit-test";

/**
 * The native Deno binary that the npm package `deno` ships in its platform package (`@deno/linux-x64-glibc`, …).
 * Not `node_modules/.bin/deno`: that is a Node wrapper script, which dies on the SIGINT a kernel interrupt sends.
 */
export function denoBinary(): string | undefined {
  const exe = process.platform === "win32" ? "deno.exe" : "deno";
  const target = `${process.platform}-${process.arch}${process.platform === "linux" ? "-glibc" : ""}`;
  const candidates = [join(REPO, "node_modules", "@deno", target, exe), join(REPO, "node_modules", "deno", exe)];
  return candidates.find((p) => existsSync(p));
}

/** Why the Deno kernel tests cannot run here, or undefined when they can. */
export function denoSkipReason(pythonModules?: string[]): string | undefined {
  const jupyter = kernelSkipReason(pythonModules);
  if (jupyter) return jupyter;
  if (!denoBinary()) return `no Deno binary under node_modules/@deno/ (the npm package "deno" ships it: npm install)`;
  return undefined;
}

export interface DenoKernelEnv {
  root: string;
  notebookDir: string;
  env: NodeJS.ProcessEnv;
}

/** Writes the Deno kernelspec under a temp prefix (as `deno jupyter --install` would) and prepares a notebook folder. */
export function makeDenoKernelEnv(): DenoKernelEnv {
  const root = tempDir("tslab-fit-deno-");
  const jupyterPath = join(root, "jupyter");
  const spec = join(jupyterPath, "kernels", KERNEL_NAME);
  mkdirSync(spec, { recursive: true });
  const kernel = { argv: [denoBinary(), "jupyter", "--kernel", "--conn", "{connection_file}"], display_name: "Deno", language: "typescript" };
  writeFileSync(join(spec, "kernel.json"), JSON.stringify(kernel, null, 2));
  const notebookDir = makeNotebookFolder(root);
  // Deno resolves bare and npm: imports from the node_modules npm made; nothing is downloaded.
  writeFileSync(join(notebookDir, "deno.json"), JSON.stringify({ nodeModulesDir: "manual" }, null, 2));
  const env = { ...jupyterEnv(root, jupyterPath), DENO_DIR: join(root, "deno-cache"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
  return { root, notebookDir, env };
}
