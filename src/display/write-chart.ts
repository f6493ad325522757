import { extname, resolve } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { chartsPage } from "./html.js";
import { renderChart, renderSvg } from "./render.js";
import type { VegaLiteSpec } from "./types.js";

/** Writes a spec in the format its extension names; returns the absolute path. */
export async function writeChart(spec: VegaLiteSpec, path: string, title = "Training history"): Promise<string> {
  const ext = extname(path).toLowerCase();
  const full = resolve(path);
  if (ext === ".png") await writeFileAtomic(full, (await renderChart(spec)).png);
  else if (ext === ".svg") await writeFileAtomic(full, (await renderSvg(spec)).svg);
  else if (ext === ".html" || ext === ".htm") await writeFileAtomic(full, await chartsPage(title, [{ spec }]));
  else if (ext === ".json") await writeFileAtomic(full, JSON.stringify(spec, null, 2));
  else throw new Error(`path must end in .png, .svg, .html or .json, got ${JSON.stringify(path)}`);
  return full;
}
