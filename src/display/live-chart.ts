import type { TrainingEvent } from "../fit/callback.js";
import { BatchCurve } from "./batch-curve.js";
import { chartBundle } from "./bundle.js";
import { chartSpec, epochAxis } from "./history-spec.js";
import { checkChartPath, tempChartPath, writeChart } from "./write-chart.js";
import { canWriteChartLater, writeChartLater } from "./chart-file-later.js";
import { placeholderPng, renderChart, type PngResult } from "./render.js";
import { summaryText } from "./summary.js";
import { inNotebook, NotebookOutput, outputsDelivered } from "./notebook.js";
import type { ChartOptions, HistoryRow, VegaLiteSpec } from "./types.js";

export interface LiveChartOptions extends ChartOptions {
  /** Most chart updates per second (default 1). The final update always goes out. */
  maxUpdatesPerSecond?: number;
  /** Share of the elapsed training time that chart work may use (default 0.02, i.e. 2 %). */
  budget?: number;
  /** Draw a smoothed per-batch training curve: `true`, or the EMA smoothing factor in [0, 1) (default 0.9). */
  batches?: boolean | number;
  /** Also write the final chart here (.png, .svg, .html or .json). Outside a notebook: default a temp PNG. */
  path?: string;
}

/** Where a live chart's time went (milliseconds). `fraction` = (spec + PNG time) / training time. */
export interface LiveChartStats {
  /** Bundles sent after the first display (including the final one). */
  updates: number;
  /** PNGs rendered during training (the final one not counted). */
  pngs: number;
  /** Update chances passed over by the throttle or the budget. */
  skipped: number;
  /** Building specs and sending them, over the whole fit. */
  specMs: number;
  /** Rendering PNGs during training (vega → SVG → PNG, including loading vega the first time). */
  pngMs: number;
  /** The first display (placeholder PNG) and the final full render, which always happen. */
  fixedMs: number;
  /** Writing the final chart file, when one is written (not in `fraction`: see `LiveChart.written`). */
  fileMs: number;
  elapsedMs: number;
  fraction: number;
}

/**
 * A chart that follows a fit: shown once, then replaced in place (one display id) at most `maxUpdatesPerSecond`
 * times a second. Updates carry the spec (cheap: no vega needed) and text; a PNG is added only while the PNG time
 * stays within `budget` of the training time, and always in the final update. The first display carries a small
 * placeholder PNG for front ends that cannot draw Vega-Lite, drawn without vega or resvg: neither is loaded before
 * training starts.
 */
export class LiveChart {
  readonly rows: HistoryRow[] = [];
  readonly output = new NotebookOutput();
  readonly stats: LiveChartStats = { updates: 0, pngs: 0, skipped: 0, specMs: 0, pngMs: 0, fixedMs: 0, fileMs: 0, elapsedMs: 0, fraction: 0 };
  private readonly curve: BatchCurve | undefined;
  private readonly minIntervalMs: number;
  private readonly budget: number;
  private events: TrainingEvent[] = [];
  private epochs: number | undefined;
  private metricsFromParams: string[] | undefined;
  private lastEpochBatches: number | undefined;
  private batchesThisEpoch = 0;
  private startedAt = 0;
  private lastUpdateAt = 0;
  /** Cost estimate of the next PNG: high until measured, since the first one also loads vega. */
  private nextPngMs = 800;
  private readonly warned = new Set<string>();
  /**
   * The final chart's file (absolute path) once it is complete; undefined when none is written (in a notebook
   * without `path`) or writing failed. Outside a notebook without `path`, the temp PNG is drawn after the fit has
   * returned (nothing displays it): await this to read it in the same script; the process never ends before it.
   */
  written: Promise<string | undefined> = Promise.resolve(undefined);

  constructor(private readonly options: LiveChartOptions = {}) {
    const ups = options.maxUpdatesPerSecond ?? 1;
    if (!(ups > 0)) throw new Error(`maxUpdatesPerSecond must be > 0, got ${String(ups)}`);
    this.minIntervalMs = 1000 / ups;
    this.budget = options.budget ?? 0.02;
    if (!(this.budget >= 0)) throw new Error(`budget must be >= 0, got ${String(options.budget)}`);
    if (options.path !== undefined) checkChartPath(options.path);
    const b = options.batches;
    this.curve = b === undefined || b === false ? undefined : new BatchCurve(typeof b === "number" ? b : 0.9);
  }

  /** Shows the (empty) chart with every panel it will have; `events` is the fit's shared events list. */
  async begin(context: { epochs?: number; metrics?: string[]; events?: TrainingEvent[] }): Promise<void> {
    this.startedAt = Date.now();
    this.epochs = context.epochs;
    this.events = context.events ?? [];
    this.metricsFromParams = context.metrics;
    if (!inNotebook()) return;
    const t0 = performance.now();
    const spec = this.spec(true);
    const panels = (spec.vconcat as unknown[]).length;
    const png = placeholderPng((this.options.width ?? 420) + 60, panels * ((this.options.height ?? 160) + 70) + 40);
    this.output.show(chartBundle(spec, summaryText(this.rows, { note: "training started…" }), png));
    this.stats.fixedMs += performance.now() - t0;
    this.lastUpdateAt = Date.now();
  }

  epochBegin(): void {
    this.curve?.epochBegin();
  }

  /** Records a batch for the batch curve (a no-op without `batches`), and updates when one is due. */
  async batchEnd(epoch: number, batch: number, steps: number | null, logs: Record<string, number>): Promise<void> {
    if (!this.curve) return;
    this.curve.add(epoch, batch, steps ?? this.lastEpochBatches ?? batch + 1, logs);
    this.batchesThisEpoch = batch + 1;
    await this.update();
  }

  /** Records an epoch (0-based) and its logs; updates the chart when due. */
  async epochEnd(epoch: number, logs: Record<string, number>, update = true): Promise<void> {
    this.rows.push({ ...logs, epoch: epoch + 1 } as HistoryRow);
    if (this.batchesThisEpoch > 0) this.lastEpochBatches = this.batchesThisEpoch;
    this.batchesThisEpoch = 0;
    if (update) await this.update();
  }

  /** A throttled update: skipped inside 1 / maxUpdatesPerSecond of the last one, or when over budget. */
  async update(): Promise<void> {
    if (!this.output.isShown) return;
    const now = Date.now();
    const allowed = this.budget * (now - this.startedAt);
    if (now - this.lastUpdateAt < this.minIntervalMs || this.stats.specMs > allowed) {
      this.stats.skipped++;
      return;
    }
    let png: PngResult | undefined;
    const t0 = performance.now();
    const spec = this.spec(true);
    if (this.stats.specMs + this.stats.pngMs + this.nextPngMs <= allowed) {
      png = await this.safely("render the chart PNG", () => renderChart(spec));
      this.nextPngMs = performance.now() - t0;
      this.stats.pngMs += this.nextPngMs;
      this.stats.pngs++;
    }
    const t1 = performance.now();
    this.output.show(chartBundle(spec, summaryText(this.rows), png));
    this.stats.specMs += performance.now() - t1 + (png ? 0 : t1 - t0);
    this.stats.updates++;
    this.lastUpdateAt = Date.now();
    // Let the kernel's sockets, timers and a pending SIGINT run between training steps.
    await new Promise<void>((r) => setImmediate(r));
  }

  /**
   * The final update, always sent, always with a PNG. Outside a notebook the chart goes to a file instead: `path`,
   * written before this resolves, or by default a temp PNG written just after (see `written`).
   */
  async finish(note?: string): Promise<void> {
    const t0 = performance.now();
    const spec = this.spec(false);
    let rendered: Awaited<ReturnType<typeof renderChart>> | undefined;
    if (this.output.isShown || inNotebook()) {
      rendered = await this.safely("render the chart PNG", () => renderChart(spec));
      this.output.show(chartBundle(spec, summaryText(this.rows, { note }), rendered));
      this.stats.updates++;
    }
    this.stats.fixedMs += performance.now() - t0;
    const wantsFile = this.options.path !== undefined || !inNotebook();
    if (!wantsFile) this.written = Promise.resolve(undefined);
    else if (this.options.path === undefined && canWriteChartLater()) this.written = this.writeLater(spec);
    else {
      this.written = this.writeNow(spec, rendered);
      await this.written;
    }
    this.stats.elapsedMs = Date.now() - this.startedAt;
    const used = this.stats.specMs + this.stats.pngMs + this.stats.fixedMs;
    this.stats.fraction = this.stats.elapsedMs > 0 ? used / this.stats.elapsedMs : 0;
    await outputsDelivered(); // not chart work: the time Deno's kernel may need to publish the final update
  }

  /** The file the user named (or, where a late write cannot be finished at exit, the temp PNG): complete when fit returns. */
  private async writeNow(spec: VegaLiteSpec, rendered: { svg: string; png: Uint8Array } | undefined): Promise<string | undefined> {
    const t0 = performance.now();
    const path = this.options.path ?? tempChartPath("live");
    const written = await this.safely("write the chart file", () => writeChart(spec, path, undefined, rendered));
    this.stats.fileMs = performance.now() - t0;
    if (written && !inNotebook()) console.log(`tslab-fit: chart written to ${written}`);
    return written;
  }

  /** The default temp PNG outside a notebook: drawn after fit returns, complete before the process ends. */
  private writeLater(spec: VegaLiteSpec): Promise<string | undefined> {
    return this.safely("write the chart file", () => writeChartLater(spec, tempChartPath("live"))).then((done) => {
      if (!done) return undefined;
      this.stats.fileMs = done.ms;
      console.log(`tslab-fit: chart written to ${done.file}`);
      return done.file;
    });
  }

  /**
   * Chart work must never cost the user a finished training: a PNG that cannot be rendered (no native resvg build,
   * say) or a file that cannot be written is reported once, and the chart goes on without it.
   */
  private async safely<T>(what: string, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      if (!this.warned.has(what)) {
        this.warned.add(what);
        console.warn(`tslab-fit: LivePlot could not ${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
      return undefined;
    }
  }

  /** The current spec; while live, the x axis spans every planned epoch so progress reads at a glance. */
  spec(live: boolean): VegaLiteSpec {
    const { maxUpdatesPerSecond: _u, budget: _b, batches: _c, path: _p, ...chart } = this.options;
    const metrics = chart.metrics ?? (this.rows.length === 0 ? baseNames(this.metricsFromParams) : undefined);
    const spec = chartSpec({ rows: this.rows, events: this.events, batches: this.curve?.points }, { ...chart, metrics });
    if (live && this.epochs) fixEpochAxis(spec, this.epochs, (this.curve?.points.length ?? 0) > 0 ? 0 : 1);
    return spec;
  }
}

/** Base metric names from fit's `params.metrics` (`["loss", "accuracy", "val_loss", …]`). */
function baseNames(keys: string[] | undefined): string[] | undefined {
  if (!keys || keys.length === 0) return undefined;
  const bases = [...new Set(keys.map((k) => k.replace(/^val_/, "")))].filter((k) => k !== "learning_rate" && k !== "lr");
  return bases.sort((a, b) => (a === "loss" ? -1 : b === "loss" ? 1 : 0));
}

/**
 * Pins every panel's x domain to [from, epochs] so the live chart does not rescale at each epoch; from 0 when the
 * batch curve is drawn, since the first epoch's batches lie between 0 and 1.
 */
function fixEpochAxis(spec: VegaLiteSpec, epochs: number, from: number): void {
  const panels = spec.vconcat as { encoding?: { x?: { scale?: unknown; axis?: unknown } } }[];
  const to = Math.max(from + 1, epochs);
  for (const p of panels) {
    if (!p.encoding?.x) continue;
    p.encoding.x.scale = { domain: [from, to] };
    p.encoding.x.axis = epochAxis([from, to]);
  }
}
