import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { chartsPage } from "./html.js";
import { renderChart, renderSvg } from "./render.js";
import type { VegaLiteSpec } from "./types.js";

const CHART_EXTENSIONS = [".png", ".svg", ".html", ".htm", ".json"];

/** Refuses a chart path whose extension names no format we write — before any work depends on it. */
export function checkChartPath(path: unknown, argName = "path"): void {
  if (typeof path !== "string" || !CHART_EXTENSIONS.includes(extname(path).toLowerCase())) {
    throw new Error(`${argName} must end in .png, .svg, .html or .json, got ${JSON.stringify(path)}`);
  }
}

/** A fresh PNG path in the temp folder, for charts drawn outside a notebook without a path of their own. */
export function tempChartPath(prefix: string): string {
  return join(tmpdir(), "tslab-fit", `${prefix}-${new Date().toISOString().replace(/[:.]/g, "-")}.png`);
}

/**
 * Writes a spec in the format its extension names; returns the absolute path. `rendered`: this spec's SVG and PNG
 * when the caller already drew them (not drawn twice).
 */
export async function writeChart(
  spec: VegaLiteSpec,
  path: string,
  title = "Training history",
  rendered?: { svg: string; png: Uint8Array },
): Promise<string> {
  checkChartPath(path);
  const ext = extname(path).toLowerCase();
  const full = resolve(path);
  if (ext === ".png") await writeFileAtomic(full, (rendered ?? (await renderChart(spec))).png);
  else if (ext === ".svg") await writeFileAtomic(full, (rendered ?? (await renderSvg(spec))).svg);
  else if (ext === ".json") await writeFileAtomic(full, JSON.stringify(spec, null, 2));
  else await writeFileAtomic(full, await chartsPage(title, [{ spec }]));
  return full;
}
