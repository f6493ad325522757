import { Callback } from "../fit/callback.js";
import type { Logs } from "../fit/logs.js";
import { openProgressSink, type ProgressSink, type ProgressState } from "./progress-bar.js";

/**
 * Keras's progress bar for one pass over the data outside `fit`: `evaluate` (test hooks, running logs) and
 * `predict` (predict hooks, no logs). No "Epoch" line: `63/63 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - accuracy: 0.91 - loss: 0.30`.
 * A class of its own rather than more hooks on ProgressBar, so that `fit`'s validation pass (which ProgressBar does
 * not show, as in Keras) stays a single call when nobody else watches its batches.
 */
export class PassProgress extends Callback {
  private sink: ProgressSink | undefined;
  private start = 0;
  private lastDraw = 0;
  private batches = 0;

  constructor(
    private readonly label: "evaluate" | "predict",
    private readonly verbose: 1 | 2,
    private readonly intervalMs = 50,
  ) {
    super();
  }

  override onTestBegin(): void {
    this.begin();
  }
  override onTestBatchEnd(batch: number, logs: Logs): void {
    this.batch(batch, logs);
  }
  override onTestEnd(logs: Logs): void {
    this.end(logs);
  }
  override onPredictBegin(): void {
    this.begin();
  }
  override onPredictBatchEnd(batch: number): void {
    this.batch(batch, {});
  }
  override onPredictEnd(): void {
    this.end({});
  }

  /** When the pass throws: closes a half-drawn terminal bar so the error starts on its own line. */
  fail(): void {
    this.send({}, "train-failed");
  }

  private begin(): void {
    this.sink = openProgressSink(this.params, this.verbose);
    this.start = Date.now();
    this.lastDraw = 0;
    this.batches = 0;
    this.send({}, "epoch-begin");
  }

  private batch(batch: number, logs: Logs): void {
    this.batches = batch + 1;
    if (this.verbose !== 1) return;
    const now = Date.now();
    if (now - this.lastDraw < this.intervalMs) return;
    this.lastDraw = now;
    this.send(logs, "batch");
  }

  private end(logs: Logs): void {
    this.send(logs, "epoch-end");
    this.send(logs, "train-end");
  }

  private send(logs: Logs, phase: ProgressState["phase"]): void {
    this.sink?.update({
      epoch: 0,
      epochs: 1,
      batch: this.batches,
      steps: this.params.steps,
      elapsedMs: Date.now() - this.start,
      logs,
      phase,
      label: this.label,
    });
  }
}
