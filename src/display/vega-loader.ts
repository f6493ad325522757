// The only file that loads vega, vega-lite and resvg. Each is imported lazily with a native `import()` (kept native
// by `module: node16`), so importing tslab-fit stays cheap and a notebook never has to load vega itself.
// The shapes below are the few members used, typed here so no public type depends on vega's own typings.

export interface VegaView {
  toSVG(scaleFactor?: number): Promise<string>;
  finalize(): void;
}
export interface VegaModule {
  parse(spec: unknown): unknown;
  View: new (runtime: unknown, options: { renderer: "none"; logger?: VegaLiteLogger }) => VegaView;
  textMetrics: { width: (item: { fontSize?: number; fontWeight?: string | number }, text: string) => number };
  version: string;
}
export interface VegaLiteLogger {
  level(): number;
  level(level: number): VegaLiteLogger;
  info(...args: unknown[]): VegaLiteLogger;
  warn(...args: unknown[]): VegaLiteLogger;
  debug(...args: unknown[]): VegaLiteLogger;
  error(...args: unknown[]): VegaLiteLogger;
}
export interface VegaLiteModule {
  compile(spec: unknown, options?: { logger?: VegaLiteLogger }): { spec: unknown };
  version: string;
}
export interface ResvgRenderOptions {
  background?: string;
  fitTo?: { mode: "zoom"; value: number };
  font?: {
    fontFiles?: string[];
    loadSystemFonts?: boolean;
    defaultFontFamily?: string;
    sansSerifFamily?: string;
  };
}
/** A rendered image: RGBA `pixels` (resvg-js 2.x), or only its own PNG encoding. */
export interface ResvgImage {
  asPng(): Uint8Array;
  readonly pixels?: Uint8Array;
  width: number;
  height: number;
}
export interface ResvgModule {
  renderAsync?(svg: string, options?: ResvgRenderOptions): Promise<ResvgImage>;
  Resvg: new (svg: string, options?: ResvgRenderOptions) => { render(): ResvgImage };
}

let vega: Promise<VegaModule> | undefined;
let vegaLite: Promise<VegaLiteModule> | undefined;
let resvg: Promise<ResvgModule> | undefined;

/** A CommonJS package imported natively arrives as `{default: module.exports, …}`. */
async function importCjs<T>(name: string): Promise<T> {
  const mod = (await import(name)) as { default?: T } & T;
  return (mod.default ?? mod) as T;
}

export function loadVega(): Promise<VegaModule> {
  return (vega ??= importCjs<VegaModule>("vega").catch((e) => {
    vega = undefined;
    throw new Error(`tslab-fit charts need the "vega" package (5.x): ${String(e)}`);
  }));
}

export function loadVegaLite(): Promise<VegaLiteModule> {
  return (vegaLite ??= importCjs<VegaLiteModule>("vega-lite").catch((e) => {
    vegaLite = undefined;
    throw new Error(`tslab-fit charts need the "vega-lite" package (5.x): ${String(e)}`);
  }));
}

export function loadResvg(): Promise<ResvgModule> {
  return (resvg ??= importCjs<ResvgModule>("@resvg/resvg-js").catch((e) => {
    resvg = undefined;
    throw new Error(`tslab-fit PNG charts need "@resvg/resvg-js": ${String(e)}`);
  }));
}
