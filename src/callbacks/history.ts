import { Callback } from "../fit/callback.js";
import type { Logs } from "../fit/logs.js";
import { historyToHTML } from "../display/html.js";
import { plotHistory, type PlotOptions } from "../display/plot.js";

/**
 * Records every epoch's logs; `fit` adds one after the user's callbacks and returns it.
 * As in Keras, `history` is created with the instance, so a History reused across fits accumulates, while `epoch`
 * restarts at each fit. Like Keras, a key is appended only on epochs that have it (with `validationFreq: 2`,
 * `history.history.val_loss` is shorter than `history.epoch`).
 * `events` (inherited) lists what callbacks did: early stop, checkpoints, learning-rate changes.
 *
 * @example
 * const history = await fit(model, x, y, { epochs: 5, validationSplit: 0.2 });
 * history.history.val_accuracy; // [0.81, 0.86, …]
 */
export class History extends Callback {
  /** Absolute epoch numbers (0-based) of the last fit. */
  epoch: number[] = [];
  /** Every logs key → its values, one per epoch that had the key. */
  history: Record<string, number[]> = {};

  override onTrainBegin(): void {
    this.epoch = [];
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [key, value] of Object.entries(logs)) (this.history[key] ??= []).push(value);
  }

  /**
   * Charts the history: inline in a notebook (tslab or Deno), else written to a file whose path is printed (see
   * PlotOptions).
   * @example await history.plot({ metrics: ["accuracy"] });
   */
  plot(options: PlotOptions = {}): Promise<void> {
    return plotHistory(this, options);
  }

  /** Writes a standalone offline HTML page with the interactive chart; returns the path. */
  toHTML(path: string, options: PlotOptions = {}): Promise<string> {
    return historyToHTML(this, path, options);
  }
}
