import { encodePng } from "../tensorboard/png.js";
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
 * A plain "chart coming" PNG drawn without vega (just resvg), for the first display of a live chart: front ends that
 * cannot draw Vega-Lite show it until the final PNG replaces it, and training does not wait for vega to load.
 */
export async function placeholderPng(width: number, height: number, message: string): Promise<PngResult> {
  const key = `${width}x${height}:${message}`;
  let png = placeholders.get(key);
  if (!png) {
    png = drawPlaceholder(width, height, message);
    placeholders.set(key, png);
    png.catch(() => placeholders.delete(key));
  }
  return png;
}

/** Placeholders are the same for every fit with the same panels; drawn once per kernel. */
const placeholders = new Map<string, Promise<PngResult>>();

function drawPlaceholder(width: number, height: number, message: string): Promise<PngResult> {
  const esc = message.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c] as string);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect x="0.5" y="0.5" width="${width - 1}" height="${height - 1}" fill="#fafafa" stroke="#dddddd"/>` +
    `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-family="sans-serif" font-size="13" fill="#777777">${esc}</text>` +
    `</svg>`;
  return svgToPng(svg);
}
