import type { VegaLiteSpec } from "./types.js";

/** A Jupyter MIME bundle: `data` keyed by MIME type, optional per-type `metadata` (e.g. PNG width/height). */
export interface MimeBundle {
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

/**
 * A chart output: the Vega-Lite spec (an object, never a string: vega-embed reads strings as URLs) for JupyterLab,
 * Notebook 7 and VS Code, a 2× PNG with its logical size for everything else (classic Notebook, nbconvert, GitHub),
 * and text. Never `text/html`: front ends rank it above the chart and sanitize it when untrusted.
 */
export function chartBundle(spec: VegaLiteSpec, text: string, png?: { png: Uint8Array; width: number; height: number }): MimeBundle {
  const data: Record<string, unknown> = { [VEGA_LITE_MIME]: spec };
  const metadata: Record<string, unknown> = {};
  if (png) {
    data["image/png"] = Buffer.from(png.png.buffer, png.png.byteOffset, png.png.byteLength).toString("base64");
    metadata["image/png"] = { width: png.width, height: png.height };
  }
  data["text/plain"] = text;
  return { data, metadata };
}
