// Runs a notebook the way Jupyter does (nbclient + the real tslab kernel) and reads what it saved. Shared by the
// notebook tests, the newcomer test and scripts/execute-notebooks.ts.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PYTHON, REPO } from "../display/kernel-env.js";

export const VL = "application/vnd.vegalite.v5+json";
export const NOTEBOOKS = join(REPO, "notebooks");
export const SHARED = join(REPO, "..", "shared");

export interface Output {
  output_type: "stream" | "display_data" | "execute_result" | "error";
  name?: string;
  text?: string | string[];
  data?: Record<string, any>;
  metadata?: Record<string, any>;
  ename?: string;
  evalue?: string;
}
export interface Cell {
  cell_type: "code" | "markdown" | "raw";
  source: string | string[];
  outputs?: Output[];
}
export interface Notebook {
  cells: Cell[];
  metadata: Record<string, any>;
}

export interface NotebookRun {
  name: string;
  /** The folder the kernel ran in: files the notebook wrote are relative to it. */
  dir: string;
  notebook: Notebook;
  /** The executed notebook (.ipynb) and nbconvert's HTML of it. */
  executedPath: string;
  htmlPath: string;
  seconds: number;
  /** nbclient's report of the failing cell, empty when every cell ran. */
  failure: string;
}

/**
 * Files a notebook expects beside it that a reader provides themselves: keras-interop.ipynb loads a model Python
 * Keras wrote. Returns why they are missing here, or undefined once they are in place.
 */
export function provideInputs(name: string, dir: string): string | undefined {
  if (name !== "keras-interop.ipynb") return undefined;
  const fixture = join(SHARED, "fixtures", "keras", "mnist-mlp-784-k3.3.3.keras");
  if (!existsSync(fixture)) return `${fixture} not found: keras-interop.ipynb loads that Python-Keras-written model`;
  mkdirSync(join(dir, "models"), { recursive: true });
  copyFileSync(fixture, join(dir, "models", "mnist-mlp-784-k3.3.3.keras"));
  return undefined;
}

/** Copies notebooks/<name> (or `source`) into `dir`, executes it there with the kernel `env` finds, and writes its HTML. */
export function executeNotebook(name: string, dir: string, env: NodeJS.ProcessEnv, source = join(NOTEBOOKS, name)): NotebookRun {
  const input = join(dir, name);
  if (resolve(source) !== resolve(input)) copyFileSync(source, input);
  const executedPath = join(dir, name.replace(/\.ipynb$/, ".executed.ipynb"));
  const htmlPath = join(dir, name.replace(/\.ipynb$/, ".html"));
  const started = Date.now();
  const run = spawnSync(
    PYTHON,
    [join(__dirname, "execute_notebook.py"), input, executedPath, "--kernel", "tslab", "--timeout", "600", "--html", htmlPath],
    { cwd: dir, env, encoding: "utf8", timeout: 900_000 },
  );
  const seconds = (Date.now() - started) / 1000;
  if (!existsSync(executedPath)) throw new Error(`${name} did not run (status ${run.status}):\n${run.stderr}`);
  const notebook = JSON.parse(readFileSync(executedPath, "utf8")) as Notebook;
  return { name, dir, notebook, executedPath, htmlPath, seconds, failure: run.status === 0 ? "" : run.stderr.slice(-6000) || `status ${run.status}` };
}

export const sourceOf = (cell: Cell) => ([] as string[]).concat(cell.source).join("");
export const codeCells = (nb: Notebook) => nb.cells.filter((c) => c.cell_type === "code");
export const textOf = (o: Output) => ([] as string[]).concat(o.text ?? "").join("");

/** The one code cell whose source contains `snippet` (fails when none or several do). */
export function cellWith(nb: Notebook, snippet: string): Cell {
  const found = codeCells(nb).filter((c) => sourceOf(c).includes(snippet));
  if (found.length !== 1) throw new Error(`expected one code cell containing ${JSON.stringify(snippet)}, found ${found.length}`);
  return found[0];
}

/** Everything a cell printed to stdout. */
export function stdoutOf(cell: Cell): string {
  return (cell.outputs ?? []).filter((o) => o.output_type === "stream" && o.name === "stdout").map(textOf).join("");
}

/** The text of a cell's result (the value of its last expression). */
export function resultOf(cell: Cell): string {
  return (cell.outputs ?? []).filter((o) => o.output_type === "execute_result").map((o) => ([] as string[]).concat((o.data?.["text/plain"] as string | string[]) ?? []).join("")).join("");
}

/** The chart outputs of a cell: display data carrying a Vega-Lite spec. */
export function chartsOf(cell: Cell): Output[] {
  return (cell.outputs ?? []).filter((o) => o.output_type === "display_data" && o.data && VL in o.data);
}

/** Outputs a reader would see as something gone wrong: error outputs and anything written to stderr. */
export function problemsOf(nb: Notebook): string[] {
  return codeCells(nb).flatMap((cell, i) =>
    (cell.outputs ?? [])
      .filter((o) => o.output_type === "error" || (o.output_type === "stream" && o.name === "stderr"))
      .map((o) => `code cell ${i + 1}: ${o.output_type === "error" ? `${o.ename}: ${o.evalue}` : `stderr: ${textOf(o).slice(0, 500)}`}`),
  );
}

/** Every chart output in the notebook, in order. */
export function allCharts(nb: Notebook): Output[] {
  return codeCells(nb).flatMap(chartsOf);
}
