// Outside a notebook LivePlot's default chart file (a PNG in the temp folder) is drawn after `fit` has returned:
// nothing displays it, and drawing it (vega's first load, the SVG, the PNG) would otherwise be most of what the
// callbacks cost a short fit. The file is still complete before the process ends: a pending write keeps Node's event
// loop alive, and a `process.exit()` that comes first finishes it in a child process from the 'exit' handler.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { VegaLiteSpec } from "./types.js";
import { writeChart } from "./write-chart.js";

interface Job {
  spec: VegaLiteSpec;
  path: string;
}

const pending = new Set<Job>();
let exitHookInstalled = false;

/** Whether this runtime can finish a late chart at exit (plain Node; Deno scripts keep writing it before fit returns). */
export function canWriteChartLater(): boolean {
  return typeof (globalThis as { Deno?: unknown }).Deno === "undefined" && childScript() !== undefined;
}

/**
 * Writes `spec` to `path` once the caller's current task is over (after `fit` resolves); resolves with the absolute
 * path and the milliseconds the drawing and writing took. The process does not end before the file is complete.
 */
export function writeChartLater(spec: VegaLiteSpec, path: string): Promise<{ file: string; ms: number }> {
  const job: Job = { spec, path };
  pending.add(job);
  installExitHook();
  const keepAlive = setInterval(() => undefined, 1 << 30); // ref'd: a script that ends here waits for the file
  return new Promise<void>((resolve) => setImmediate(resolve))
    .then(async () => {
      const t0 = performance.now();
      const file = await writeChart(spec, path);
      return { file, ms: performance.now() - t0 };
    })
    .finally(() => {
      pending.delete(job);
      clearInterval(keepAlive);
    });
}

/** How many late chart files are not written yet (tests). */
export function chartsPending(): number {
  return pending.size;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", finishAtExit);
}

/** `process.exit()` ran before a late chart was written: nothing asynchronous runs any more, so a child draws it. */
function finishAtExit(): void {
  const script = childScript();
  for (const job of pending) {
    pending.delete(job);
    const args = script!.endsWith(".ts") ? ["--import", "tsx", script!] : [script!];
    const run = spawnSync(process.execPath, args, {
      input: JSON.stringify(job),
      stdio: ["pipe", "inherit", "inherit"],
      timeout: 120_000,
    });
    if (run.status !== 0) {
      process.stderr.write(`tslab-fit: LivePlot could not write its chart to ${job.path} before the process exited\n`);
    }
  }
}

/** The child's entry point: compiled beside this file, or the TypeScript source when tests run from src/ (tsx). */
function childScript(): string | undefined {
  for (const name of ["chart-file-cli.js", "chart-file-cli.ts"]) {
    const file = join(__dirname, name);
    if (existsSync(file)) return file;
  }
  return undefined;
}
