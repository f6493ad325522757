import type { HistoryRow } from "./types.js";

/**
 * The per-batch training curve LivePlot draws under the epoch lines. Batch logs are running means over the epoch so
 * far, so each batch's own value is recovered first (`n·mₙ − (n−1)·mₙ₋₁`), then smoothed with TensorBoard's
 * de-biased exponential moving average. Points are x = fractional epoch (1-based: batch b of n in epoch e sits at
 * e + (b+1)/n). Past `maxPoints`, every other stored point is dropped so the spec stays small.
 */
export class BatchCurve {
  readonly points: HistoryRow[] = [];
  private readonly ema: Record<string, number> = {};
  private debias = 0;
  private prevMeans: Record<string, number> = {};
  private stride = 1;
  private seen = 0;

  constructor(
    private readonly smoothing = 0.9,
    private readonly maxPoints = 1000,
  ) {
    if (!(smoothing >= 0 && smoothing < 1)) throw new Error(`smoothing must be in [0, 1), got ${String(smoothing)}`);
  }

  /** Starts a new epoch: running means restart. */
  epochBegin(): void {
    this.prevMeans = {};
  }

  /** Adds batch `batch` (0-based) of an epoch with `steps` batches (or an estimate), from its running-mean logs. */
  add(epoch: number, batch: number, steps: number, means: Record<string, number>): void {
    this.debias = this.smoothing * this.debias + (1 - this.smoothing);
    const row = { epoch: epoch + Math.min(1, (batch + 1) / Math.max(steps, batch + 1)) } as HistoryRow;
    for (const [key, mean] of Object.entries(means)) {
      if (!Number.isFinite(mean) || key === "batch" || key === "size") continue;
      const prev = this.prevMeans[key];
      const value = batch > 0 && prev !== undefined ? (batch + 1) * mean - batch * prev : mean;
      this.prevMeans[key] = mean;
      this.ema[key] = this.smoothing * (this.ema[key] ?? 0) + (1 - this.smoothing) * value;
      row[key] = this.ema[key] / this.debias;
    }
    if (this.seen++ % this.stride !== 0) return;
    this.points.push(row);
    if (this.points.length > this.maxPoints) {
      const kept = this.points.filter((_, i) => i % 2 === 0);
      this.points.length = 0;
      this.points.push(...kept);
      this.stride *= 2;
    }
  }
}
