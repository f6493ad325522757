// Compiling a Vega-Lite spec and parsing it into a Vega view is most of a chart render (measured in
// bench/charts.mjs). A live chart's updates, and the final chart of a re-run cell, differ from an earlier render only
// in their data: reuse that render's view and swap the datasets in, which draws the same SVG.
import { compileSpec } from "./render.js";
import type { VegaLiteLogger, VegaModule, VegaView } from "./vega-loader.js";
import type { VegaLiteSpec } from "./types.js";

export interface DataView extends VegaView {
  data(name: string, values: unknown[]): DataView;
  signal(name: string, value: unknown): DataView;
  runAsync(): Promise<DataView>;
}

interface Entry {
  view: DataView;
  /** The datasets the compiled spec reads (vega-lite drops unused ones). */
  names: Set<string>;
  /** Where the view's logger writes during the current render. */
  warnings: { into: string[] };
  /** Renders of one view run one at a time: each swaps the data in, then draws. */
  queue: Promise<unknown>;
}

const MAX_VIEWS = 8;
const views = new Map<string, Entry>();

/**
 * Runs `draw` on a view of `spec` holding `spec`'s data; views are kept per spec shape (the spec without its
 * `datasets`), least recently used dropped beyond a few.
 */
export async function withView<T>(
  vega: VegaModule,
  spec: VegaLiteSpec,
  makeLogger: (into: { into: string[] }) => VegaLiteLogger,
  warnings: string[],
  draw: (view: DataView) => Promise<T>,
): Promise<T> {
  const { datasets, ...rest } = spec as VegaLiteSpec & { datasets?: Record<string, unknown[]> };
  const { shape, signals } = asSignals(rest);
  // The parameters' values are this render's, set again on every render: not part of the shape.
  const key = JSON.stringify({ ...shape, params: signals.length > 0 ? signals.map(([name]) => name) : shape.params });
  let entry = views.get(key);
  const fresh = !entry;
  if (!entry) {
    const { vega: vgSpec } = await compileSpec({ ...shape, datasets } as VegaLiteSpec);
    const sink = { into: warnings };
    const view = new vega.View(vega.parse(vgSpec), { renderer: "none", logger: makeLogger(sink) }) as DataView;
    const names = new Set(((vgSpec as { data?: { name: string }[] }).data ?? []).map((d) => d.name));
    entry = { view, names, warnings: sink, queue: Promise.resolve() };
    views.set(key, entry);
    while (views.size > MAX_VIEWS) {
      const oldest = views.keys().next().value as string;
      const old = views.get(oldest)!;
      views.delete(oldest);
      void old.queue.then(() => old.view.finalize());
    }
  } else {
    views.delete(key); // re-insert: most recently used last
    views.set(key, entry);
  }
  const e = entry;
  const run = e.queue.then(async () => {
    e.warnings.into = warnings;
    for (const [name, value] of signals) e.view.signal(name, value);
    if (!fresh) {
      // Rows are copied: vega tags the objects it ingests, and the caller's spec must stay untouched.
      for (const [name, rows] of Object.entries(datasets ?? {})) {
        if (e.names.has(name)) e.view.data(name, rows.map((r) => (typeof r === "object" && r !== null ? { ...r } : r)));
      }
    }
    return draw(e.view);
  });
  e.queue = run.catch(() => undefined);
  return run;
}

const TITLE_SIGNAL = "tslab_fit_title";

/**
 * What changes with the data but not the chart's structure becomes a parameter, set per render, so that charts of
 * one shape share a view; the drawing is the same. The title names the best epoch and its value; the epoch axes list
 * one tick per epoch (and a live chart pins its x domain to the planned epochs), so without this every epoch count
 * would be a shape of its own and compile afresh.
 */
function asSignals(spec: Record<string, unknown>): { shape: Record<string, unknown>; signals: [string, unknown][] } {
  if (spec.params !== undefined) return { shape: spec, signals: [] };
  const signals: [string, unknown][] = [];
  let shape = spec;
  const title = spec.title;
  const text = typeof title === "string" ? title : (title as { text?: unknown } | undefined)?.text;
  if (typeof text === "string" || Array.isArray(text)) {
    const base = typeof title === "string" ? {} : (title as object);
    shape = { ...shape, title: { ...base, text: { expr: TITLE_SIGNAL } } };
    signals.push([TITLE_SIGNAL, text]);
  }
  if (Array.isArray(spec.vconcat)) {
    shape = { ...shape, vconcat: spec.vconcat.map((panel, i) => epochAxisAsSignals(panel, i, signals)) };
  }
  if (signals.length === 0) return { shape: spec, signals };
  return { shape: { ...shape, params: signals.map(([name, value]) => ({ name, value })) }, signals };
}

const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "number");

/** A panel whose x is the epoch: its tick list and pinned domain (when given as numbers) become signals. */
function epochAxisAsSignals(panel: unknown, index: number, signals: [string, unknown][]): unknown {
  const x = (panel as { encoding?: { x?: Record<string, unknown> } })?.encoding?.x;
  if (!x || x.field !== "epoch") return panel;
  const next = { ...x };
  const axis = x.axis as Record<string, unknown> | undefined;
  if (axis && isNumbers(axis.values)) {
    const name = `tslab_fit_ticks_${index}`;
    next.axis = { ...axis, values: { expr: name } };
    signals.push([name, axis.values]);
  }
  const scale = x.scale as Record<string, unknown> | undefined;
  if (scale && isNumbers(scale.domain)) {
    const name = `tslab_fit_domain_${index}`;
    next.scale = { ...scale, domain: { expr: name } };
    signals.push([name, scale.domain]);
  }
  const p = panel as { encoding: Record<string, unknown> };
  return { ...p, encoding: { ...p.encoding, x: next } };
}

/** How many views are kept (tests). */
export function keptViews(): number {
  return views.size;
}

/** Forgets every kept view (tests; or to free memory). */
export function clearViewCache(): void {
  for (const e of views.values()) void e.queue.then(() => e.view.finalize());
  views.clear();
}
