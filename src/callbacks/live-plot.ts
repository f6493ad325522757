import { Callback } from "../fit/callback.js";
import type { Logs } from "../fit/logs.js";
import { LiveChart, type LiveChartStats } from "../display/live-chart.js";

export interface LivePlotOptions {
  /** Base metrics to draw, one panel each (default: every metric of the fit, e.g. loss and accuracy). */
  metrics?: string[];
  /** Update every N epochs (default 1). The final update always happens. */
  every?: number;
  /** Also draw a smoothed per-batch training curve: `true`, or its EMA smoothing factor in [0, 1) (default 0.9). */
  batches?: boolean | number;
  /** Most updates per second (default 1). */
  maxUpdatesPerSecond?: number;
  /** Share of the training time the chart may spend rendering (default 0.02). PNGs are skipped first. */
  budget?: number;
  /** The metric whose best epoch is marked (default `val_loss` when validating, else `loss`). */
  monitor?: string;
  /** Whether a higher `monitor` is better (default: from its name). */
  mode?: "auto" | "min" | "max";
  /** Log-scale y for loss panels (`true`) or for the named panels. */
  logScale?: boolean | string[];
  /** Chart title. */
  title?: string;
  /**
   * Also write the final chart to this file (.png/.svg/.html/.json), complete when `fit` returns. Outside a notebook
   * the default is a PNG in the temp folder, written just after `fit` returns (see `LivePlot.written`).
   */
  path?: string;
}

/**
 * A live training chart for notebooks (tslab or Deno): shown when training begins, replaced in place as epochs end (at
 * most `maxUpdatesPerSecond`, with rendering kept to about 2 % of the training time), and drawn in full once more when
 * training ends, stops early, is interrupted or fails. EarlyStopping and ModelCheckpoint events of the same fit are
 * marked. Outside a notebook it writes the final chart to a file and prints the path: to `path`, before `fit`
 * returns; by default to a temp PNG, drawn after `fit` returns so that it does not hold up the script (nothing
 * displays it); `await plot.written` to use it in the same script. The process does not end before it is written,
 * even through `process.exit()`.
 *
 * @example
 * await fit(model, x, y, { epochs: 20, validationSplit: 0.2, callbacks: [new LivePlot({ batches: true })] });
 */
export class LivePlot extends Callback {
  private readonly options: LivePlotOptions;
  private readonly every: number;
  private chart: LiveChart | undefined;
  private epochsSeen = 0;
  private currentEpoch = 0;

  constructor(options: LivePlotOptions = {}) {
    super();
    const every = options.every ?? 1;
    if (!Number.isInteger(every) || every < 1) throw new Error(`every must be an integer >= 1, got ${String(every)}`);
    this.every = every;
    this.options = options;
    this.makeChart(); // validates the remaining options now, not at the first epoch
    // Without the batch curve no batch hook: fit then reads no batch values for this callback.
    if (!options.batches) this.onTrainBatchEnd = Callback.prototype.onTrainBatchEnd as this["onTrainBatchEnd"];
  }

  /** Time spent on the chart during the last fit, to check the rendering overhead. */
  get stats(): LiveChartStats | undefined {
    return this.chart?.stats;
  }

  /** The last fit's chart file (absolute path) once it is complete; undefined when none was written. */
  get written(): Promise<string | undefined> {
    return this.chart?.written ?? Promise.resolve(undefined);
  }

  private makeChart(): LiveChart {
    const { every: _every, ...chartOptions } = this.options;
    return new LiveChart(chartOptions);
  }

  override async onTrainBegin(): Promise<void> {
    this.chart = this.makeChart();
    this.epochsSeen = 0;
    await this.chart.begin({ epochs: this.params?.epochs, metrics: this.params?.metrics, events: this.events });
  }

  override onEpochBegin(epoch: number): void {
    this.currentEpoch = epoch;
    this.chart?.epochBegin();
  }

  override async onTrainBatchEnd(batch: number, logs: Logs): Promise<void> {
    if (this.options.batches) await this.chart?.batchEnd(this.currentEpoch, batch, this.params?.steps ?? null, logs);
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    this.epochsSeen++;
    await this.chart?.epochEnd(epoch, logs, this.epochsSeen % this.every === 0);
  }

  override async onTrainEnd(): Promise<void> {
    const interrupted = this.events.find((e) => e.kind === "interrupted");
    await this.chart?.finish(interrupted ? interrupted.message : undefined);
  }

  override async onTrainFailure(error: unknown): Promise<void> {
    await this.chart?.finish(`training failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
