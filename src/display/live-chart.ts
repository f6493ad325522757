import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TrainingEvent } from "../fit/callback.js";
import { BatchCurve } from "./batch-curve.js";
import { chartBundle } from "./bundle.js";
import { chartSpec } from "./history-spec.js";
import { writeChart } from "./plot.js";
import { renderChart, type SvgResult } from "./render.js";
import { summaryText } from "./summary.js";
import { inTslab, NotebookOutput } from "./tslab.js";
import type { ChartOptions, HistoryRow, VegaLiteSpec } from "./types.js";

export interface LiveChartOptions extends ChartOptions {
  /** Most chart updates per second (default 1). The final update always goes out. */
  maxUpdatesPerSecond?: number;
  /** Share of the elapsed training time that rendering may use (default 0.02, i.e. 2 %). */
  budget?: number;
  /** Draw a smoothed per-batch training curve: `true`, or the EMA smoothing factor in [0, 1) (default 0.9). */
  batches?: boolean | number;
  /** Also write the final chart here (.png, .svg, .html or .json). Outside tslab: default a PNG in the temp folder. */
  path?: string;
}

/** Where a live chart's time went; `fraction` is the share of the training time spent on the chart. */
export interface LiveChartStats {
  updates: number;
  pngs: number;
  skipped: number;
  /** Time spent on the chart after the first display (spec, PNG renders, sends). */
  renderMs: number;
  /** One-off cost of the first display: loading vega and the first PNG. */
  setupMs: number;
  elapsedMs: number;
  fraction: number;
}

/**
 * A chart that follows a fit: shown once, then replaced in place (one display id) at most `maxUpdatesPerSecond`
 * times a second. Updates carry the spec and text; a PNG is added only while the time spent rendering stays within
 * `budget` of the training time, and always in the final update.
 */
export class LiveChart {
  readonly rows: HistoryRow[] = [];
  readonly output = new NotebookOutput();
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
  private lastPngMs = 0;
  readonly stats: LiveChartStats = { updates: 0, pngs: 0, skipped: 0, renderMs: 0, setupMs: 0, elapsedMs: 0, fraction: 0 };

  constructor(private readonly options: LiveChartOptions = {}) {
    const ups = options.maxUpdatesPerSecond ?? 1;
    if (!(ups > 0)) throw new Error(`maxUpdatesPerSecond must be > 0, got ${String(ups)}`);
    this.minIntervalMs = 1000 / ups;
    this.budget = options.budget ?? 0.02;
    const b = options.batches;
    this.curve = b === undefined || b === false ? undefined : new BatchCurve(typeof b === "number" ? b : 0.9);
  }

  /** Shows the (empty) chart with every panel it will have; `events` is the fit's shared events list. */
  async begin(context: { epochs?: number; metrics?: string[]; events?: TrainingEvent[] }): Promise<void> {
    this.startedAt = Date.now();
    this.epochs = context.epochs;
    this.events = context.events ?? [];
    this.metricsFromParams = context.metrics;
    if (!inTslab()) return;
    const t0 = performance.now();
    const spec = this.spec(true);
    const chart = await renderChart(spec);
    this.output.show(chartBundle(spec, summaryText(this.rows, { note: "training started…" }), chart));
    this.stats.setupMs = performance.now() - t0;
    this.lastUpdateAt = Date.now();
  }

  epochBegin(): void {
    this.curve?.epochBegin();
  }

  /** Records a batch for the batch curve (a no-op without `batches`), and updates when one is due. */
  async batchEnd(epoch: number, batch: number, steps: number | null, logs: Record<string, number>): Promise<void> {
    if (!this.curve) return;
    const perEpoch = steps ?? this.lastEpochBatches ?? batch + 1;
    this.curve.add(epoch, batch, perEpoch, logs);
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

  /** A throttled update: skipped when one went out less than 1 / maxUpdatesPerSecond ago or the budget is spent. */
  async update(): Promise<void> {
    if (!this.output.isShown) return;
    const now = Date.now();
    const elapsed = now - this.startedAt;
    if (now - this.lastUpdateAt < this.minIntervalMs || this.stats.renderMs > this.budget * elapsed) {
      this.stats.skipped++;
      return;
    }
    const t0 = performance.now();
    const spec = this.spec(true);
    const withPng = this.stats.renderMs + Math.max(this.lastPngMs, 50) <= this.budget * elapsed;
    let png: (SvgResult & { png: Uint8Array }) | undefined;
    if (withPng) {
      const p0 = performance.now();
      png = await renderChart(spec);
      this.lastPngMs = performance.now() - p0;
      this.stats.pngs++;
    }
    this.output.show(chartBundle(spec, summaryText(this.rows), png));
    this.stats.updates++;
    this.stats.renderMs += performance.now() - t0;
    this.lastUpdateAt = Date.now();
    // Let the kernel's sockets, timers and a pending SIGINT run between training steps.
    await new Promise<void>((r) => setImmediate(r));
  }

  /** The final update, always sent, always with a PNG; outside tslab the chart is written to a file instead. */
  async finish(note?: string): Promise<void> {
    const spec = this.spec(false);
    if (this.output.isShown || inTslab()) {
      const t0 = performance.now();
      const png = await renderChart(spec);
      this.output.show(chartBundle(spec, summaryText(this.rows, { note }), png));
      this.stats.pngs++;
      this.stats.updates++;
      this.stats.renderMs += performance.now() - t0;
    }
    if (this.options.path || !inTslab()) {
      const path = resolve(this.options.path ?? join(tmpdir(), "tslab-fit", `live-${new Date().toISOString().replace(/[:.]/g, "-")}.png`));
      await writeChart(spec, path);
      if (!inTslab()) console.log(`tslab-fit: chart written to ${path}`);
    }
    this.stats.elapsedMs = Date.now() - this.startedAt;
    this.stats.fraction = this.stats.elapsedMs > 0 ? this.stats.renderMs / this.stats.elapsedMs : 0;
  }

  /** The current spec; while live, the x axis spans every planned epoch so progress reads at a glance. */
  spec(live: boolean): VegaLiteSpec {
    const { maxUpdatesPerSecond: _u, budget: _b, batches: _c, path: _p, ...chart } = this.options;
    const metrics = chart.metrics ?? (this.rows.length === 0 ? baseNames(this.metricsFromParams) : undefined);
    const spec = chartSpec(
      { rows: this.rows, events: this.events, batches: this.curve?.points },
      { ...chart, metrics },
    );
    if (live && this.epochs) fixEpochAxis(spec, this.epochs);
    return spec;
  }
}

/** Base metric names from fit's `params.metrics` (`["loss", "accuracy", "val_loss", …]`). */
function baseNames(keys: string[] | undefined): string[] | undefined {
  if (!keys || keys.length === 0) return undefined;
  const bases = [...new Set(keys.map((k) => k.replace(/^val_/, "")))].filter((k) => k !== "learning_rate" && k !== "lr");
  return bases.sort((a, b) => (a === "loss" ? -1 : b === "loss" ? 1 : 0));
}

/** Pins every panel's x domain to [1, epochs] so the live chart does not rescale at each epoch. */
function fixEpochAxis(spec: VegaLiteSpec, epochs: number): void {
  const panels = spec.vconcat as { encoding?: { x?: { scale?: Record<string, unknown> } } }[];
  for (const p of panels) if (p.encoding?.x?.scale) p.encoding.x.scale.domain = [1, Math.max(2, epochs)];
}
