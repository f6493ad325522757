import { inflateSync } from "node:zlib";
import { encodePng } from "../tensorboard/png.js";
import { PLACEHOLDER_TEXT } from "./placeholder-text.js";
import { chartFont, textWidth } from "./fonts.js";
import type { VegaLiteSpec } from "./types.js";
import { loadResvg, loadVega, loadVegaLite, type VegaLiteLogger } from "./vega-loader.js";
import { withView } from "./view-cache.js";

export interface CompileResult {
  /** The Vega spec vega-lite produced. */
  vega: unknown;
  /** Everything vega-lite warned about; a good spec has none. */
  warnings: string[];
}

export interface SvgResult {
  svg: string;
  /** What Vega warned about while running the chart (e.g. an empty layer's infinite extent); none for a good spec. */
  warnings: string[];
  /** Logical size in CSS pixels. */
  width: number;
  height: number;
}

export interface PngResult {
  png: Uint8Array;
  /** Logical size in CSS pixels (the PNG itself is `scale` times larger, for sharp display). */
  width: number;
  height: number;
}

/** Compiles a Vega-Lite spec with vega-lite 5, collecting its warnings instead of printing them. */
export async function compileSpec(spec: VegaLiteSpec): Promise<CompileResult> {
  const vl = await loadVegaLite();
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  const compiled = vl.compile(spec, { logger });
  return { vega: compiled.spec, warnings };
}

/** A Vega logger that keeps warnings and errors instead of printing them. */
function collectingLogger(target: string[] | { into: string[] }): VegaLiteLogger {
  const into = () => (Array.isArray(target) ? target : target.into);
  let level = 2;
  const logger: VegaLiteLogger = {
    level(l?: number) {
      if (l === undefined) return level as never;
      level = l;
      return logger;
    },
    warn: (...args) => (into().push(args.map(String).join(" ")), logger),
    error: (...args) => (into().push(`error: ${args.map(String).join(" ")}`), logger),
    info: () => logger,
    debug: () => logger,
  } as VegaLiteLogger;
  return logger;
}

const isBold = (weight: unknown) => weight === "bold" || weight === "bolder" || Number(weight) >= 600;

/** Vega-Lite → Vega → SVG in Node (no canvas; text widths approximated for a DejaVu/Arial-like sans-serif). */
export async function renderSvg(spec: VegaLiteSpec): Promise<SvgResult> {
  const vega = await loadVega();
  const warnings: string[] = [];
  const makeLogger = (sink: { into: string[] }) => collectingLogger(sink);
  return withView(vega, spec, makeLogger, warnings, async (view) => {
    const metrics = vega.textMetrics;
    const estimate = metrics.width;
    // Swapped in only for this render, so anyone else's vega use in the process keeps Vega's own behaviour.
    metrics.width = (item, text) => textWidth(String(text ?? ""), item.fontSize ?? 11, isBold(item.fontWeight));
    try {
      await view.runAsync();
      const svg = await view.toSVG();
      return { svg, warnings, ...svgSize(svg) };
    } finally {
      metrics.width = estimate;
    }
  });
}

/**
 * SVG → PNG with resvg, white background, `scale`× pixels (2 by default) and a real sans-serif font. resvg draws on
 * libuv's thread pool; the pixels are encoded by our own PNG writer: zlib's deflate takes a third of the time of
 * resvg's encoder (about 8 ms against 25 for a 2× chart, bench/charts.mjs) and the file is a quarter smaller.
 */
export async function svgToPng(svg: string, scale = 2): Promise<PngResult> {
  const resvg = await loadResvg();
  const font = chartFont();
  const options = {
    background: "white",
    fitTo: { mode: "zoom" as const, value: scale },
    font: {
      fontFiles: font.files,
      loadSystemFonts: font.files.length === 0,
      defaultFontFamily: font.family.split(",")[0].trim(),
      sansSerifFamily: font.family.split(",")[0].trim(),
    },
  };
  const rendered = resvg.renderAsync
    ? await resvg.renderAsync(svg, options)
    : new resvg.Resvg(svg, options).render();
  const { width, height } = rendered;
  // Opaque (white background), so RGBA pixels are the same premultiplied or not.
  const png = rendered.pixels ? encodePng(width, height, 4, rendered.pixels) : rendered.asPng();
  return { png, width: Math.round(width / scale), height: Math.round(height / scale) };
}

/** Both static forms of a chart. */
export async function renderChart(spec: VegaLiteSpec, scale = 2): Promise<SvgResult & { png: Uint8Array }> {
  const svg = await renderSvg(spec);
  const { png } = await svgToPng(svg.svg, scale);
  return { ...svg, png };
}

function svgSize(svg: string): { width: number; height: number } {
  const head = svg.slice(0, 400);
  const w = /\swidth="([\d.]+)"/.exec(head);
  const h = /\sheight="([\d.]+)"/.exec(head);
  return { width: w ? Math.round(Number(w[1])) : 0, height: h ? Math.round(Number(h[1])) : 0 };
}

/**
 * A plain "chart coming" PNG for the first display of a live chart: front ends that cannot draw Vega-Lite show it
 * until a PNG update replaces it. Drawn without vega and without resvg (a box, and the message's coverage drawn once
 * by resvg ahead of time: placeholder-text.ts), so the first chart waits for no renderer to load.
 */
export function placeholderPng(width: number, height: number): PngResult {
  const key = `${width}x${height}`;
  let png = placeholders.get(key);
  if (!png) {
    png = drawPlaceholder(width, height);
    placeholders.set(key, png);
  }
  return png;
}

/** Placeholders are the same for every fit with the same panels; drawn once per kernel. */
const placeholders = new Map<string, PngResult>();

const rgb = (hex: number) => [hex >> 16, (hex >> 8) & 0xff, hex & 0xff];

/** A #fafafa box with a 1 px #dddddd border and the message in #777777 centred on it, at the message's scale. */
function drawPlaceholder(width: number, height: number): PngResult {
  const s = PLACEHOLDER_TEXT.scale;
  const [w, h] = [Math.max(1, Math.round(width * s)), Math.max(1, Math.round(height * s))];
  const [fill, border, ink] = [rgb(0xfafafa), rgb(0xdddddd), rgb(0x777777)];
  const edgeRow = new Uint8Array(w * 3).fill(border[0]);
  const innerRow = new Uint8Array(w * 3);
  for (let x = 0; x < w; x++) innerRow.set(x < s || x >= w - s ? border : fill, x * 3);
  const pixels = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) pixels.set(y < s || y >= h - s ? edgeRow : innerRow, y * w * 3);
  const text = PLACEHOLDER_TEXT;
  const coverage = inflateSync(Buffer.from(text.coverage, "base64"));
  const left = Math.round(w / 2) + text.dx;
  const top = Math.round(h / 2) + text.dy;
  for (let ty = 0; ty < text.height; ty++) {
    const y = top + ty;
    if (y < s || y >= h - s) continue;
    for (let tx = 0; tx < text.width; tx++) {
      const x = left + tx;
      const a = coverage[ty * text.width + tx];
      if (a === 0 || x < s || x >= w - s) continue;
      const o = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) pixels[o + c] = Math.round(fill[c] + ((ink[c] - fill[c]) * a) / 255);
    }
  }
  // Flat colour: zlib level 1 deflates it about 20 times faster than level 6, for a file of some 20 kB instead of 10.
  return { png: encodePng(w, h, 3, pixels, 1), width, height };
}
