import { Callback } from "../fit/callback.js";
import type { FitParams, Logs } from "../fit/logs.js";

/** What a progress display shows; `epoch` is 0-based, `batch` counts finished batches in the epoch. */
export interface ProgressState {
  epoch: number;
  epochs: number;
  batch: number;
  steps: number | null;
  /** Milliseconds since the epoch began. */
  elapsedMs: number;
  logs: Logs;
  /** "batch" while an epoch runs, "epoch-end" with the full epoch logs, "train-end" or "train-failed" once at the end. */
  phase: "epoch-begin" | "batch" | "epoch-end" | "train-end" | "train-failed";
  /** What the notebook display calls this pass instead of "Epoch n/N" (`evaluate`, `predict`). */
  label?: string;
}

/** Where the progress goes: the terminal (here) or an in-place notebook display (src/display/). */
export interface ProgressSink {
  update(state: ProgressState): void;
  /** Resolves when what was drawn has reached its destination (a notebook may publish outputs late). */
  flush?(): Promise<void>;
}

let notebookSinkFactory: ((params: FitParams) => ProgressSink | undefined) | undefined;
/**
 * The display layer registers its in-place notebook progress display here. The factory returns undefined outside a
 * notebook, and the terminal bar is used.
 */
export function setNotebookProgressSink(factory: ((params: FitParams) => ProgressSink | undefined) | undefined): void {
  notebookSinkFactory = factory;
}

export interface ProgressBarOptions {
  /** 1: a bar redrawn in place (at most every `intervalMs`), 2: one line per epoch. Default 1. */
  verbose?: 1 | 2;
  /** Least time between redraws. Default 50 ms (Keras redraws at most every 0.05 s). */
  intervalMs?: number;
  /** Where the terminal bar goes. Default process.stdout. */
  stream?: { write(text: string): unknown; isTTY?: boolean };
}

/**
 * Keras's progress bar: "Epoch 3/10" then `250/250 ━━━━━━━━━━━━━━━━━━━━ 2s 8ms/step - accuracy: 0.91 - loss: 0.30`.
 * `fit` adds one when `verbose` is not 0. In a terminal the bar is redrawn in place; where stdout is not a terminal
 * (CI logs) only the finished line of each epoch is printed; inside a notebook it is one in-place display.
 */
export class ProgressBar extends Callback {
  private readonly verbose: 1 | 2;
  private readonly intervalMs: number;
  private readonly stream: NonNullable<ProgressBarOptions["stream"]> | undefined;
  private sink: ProgressSink | undefined;
  private epochStart = 0;
  private lastDraw = 0;
  private currentEpoch = 0;
  private batchesDone = 0;

  constructor(options: ProgressBarOptions = {}) {
    super();
    const verbose = options.verbose ?? 1;
    if (verbose !== 1 && verbose !== 2) throw new Error(`verbose must be 1 or 2, got ${String(verbose)}`);
    this.verbose = verbose;
    this.intervalMs = options.intervalMs ?? 50;
    this.stream = options.stream;
  }

  override onTrainBegin(): void {
    this.sink = openProgressSink(this.params, this.verbose, this.stream);
  }

  override onEpochBegin(epoch: number): void {
    this.currentEpoch = epoch;
    this.batchesDone = 0;
    this.epochStart = Date.now();
    this.lastDraw = 0;
    this.send(0, {}, "epoch-begin");
  }

  override onTrainBatchEnd(batch: number, logs: Logs): void {
    this.batchesDone = batch + 1;
    if (this.verbose !== 1) return;
    const now = Date.now();
    if (now - this.lastDraw < this.intervalMs) return;
    this.lastDraw = now;
    this.send(batch + 1, logs, "batch");
  }

  override onEpochEnd(_epoch: number, logs: Logs): void {
    // The batches that really ran: fewer than `steps` after a stop, and the only count a dataset of unknown length has.
    this.send(this.batchesDone, logs, "epoch-end");
  }

  override async onTrainEnd(logs: Logs): Promise<void> {
    this.send(this.batchesDone, logs, "train-end");
    await this.sink?.flush?.();
  }

  override async onTrainFailure(): Promise<void> {
    this.send(0, {}, "train-failed");
    await this.sink?.flush?.();
  }

  private send(batch: number, logs: Logs, phase: ProgressState["phase"]): void {
    this.sink?.update({
      epoch: this.currentEpoch,
      epochs: this.params.epochs,
      batch,
      steps: this.params.steps,
      elapsedMs: Date.now() - this.epochStart,
      logs,
      phase,
    });
  }
}

/** The notebook display inside tslab, else Keras's terminal bar. */
export function openProgressSink(params: FitParams, verbose: 1 | 2, stream?: ProgressBarOptions["stream"]): ProgressSink {
  return notebookSinkFactory?.(params) ?? new TerminalProgress(verbose, stream ?? process.stdout);
}

/** Formats like Keras: keys sorted, 4 significant decimals, `val_` keys after the others. */
export function formatLogs(logs: Logs): string {
  const keys = Object.keys(logs).sort((a, b) => Number(a.startsWith("val_")) - Number(b.startsWith("val_")) || a.localeCompare(b));
  return keys.map((k) => `${k}: ${formatValue(logs[k])}`).join(" - ");
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(4);
}

export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s >= 3600) return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
  if (s >= 60) return `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
  return `${Math.round(s)}s`;
}

class TerminalProgress implements ProgressSink {
  private readonly dynamic: boolean;
  private open = false;
  constructor(
    private readonly verbose: 1 | 2,
    private readonly out: NonNullable<ProgressBarOptions["stream"]>,
  ) {
    this.dynamic = Boolean(out.isTTY);
  }

  update(s: ProgressState): void {
    if (s.phase === "epoch-begin") {
      if (s.epochs > 1) this.out.write(`Epoch ${s.epoch + 1}/${s.epochs}\n`);
      return;
    }
    if (s.phase === "train-end") return;
    if (s.phase === "train-failed") {
      // Close a bar left half-drawn by \r so the error starts on its own line.
      if (this.dynamic && this.open) this.out.write("\n");
      return;
    }
    this.open = s.phase === "batch";
    if (s.phase === "batch" && (!this.dynamic || this.verbose === 2)) return;
    const line = this.verbose === 2 ? this.epochLine(s) : this.barLine(s);
    if (this.dynamic) this.out.write(`\r${line}\x1b[K${s.phase === "epoch-end" ? "\n" : ""}`);
    else this.out.write(`${line}\n`);
  }

  private barLine(s: ProgressState): string {
    const width = 20;
    const steps = s.steps ?? 0;
    const perStep = s.batch > 0 ? s.elapsedMs / s.batch : 0;
    const count = steps > 0 ? `${String(s.batch).padStart(String(steps).length)}/${steps}` : `${s.batch}`;
    const done = steps > 0 ? Math.min(width, Math.round((width * s.batch) / steps)) : width;
    const bar = "━".repeat(done) + (done < width ? "\x1b[2m" + "━".repeat(width - done) + "\x1b[0m" : "");
    const plainBar = this.dynamic ? bar : "━".repeat(done).padEnd(width, "─");
    const time =
      s.phase === "epoch-end" || steps === 0
        ? `${formatDuration(s.elapsedMs)} ${Math.round(perStep)}ms/step`
        : `${formatDuration(perStep * (steps - s.batch))} ${Math.round(perStep)}ms/step`;
    const logs = formatLogs(s.logs);
    return `${count} ${plainBar} ${time}${logs ? " - " + logs : ""}`;
  }

  private epochLine(s: ProgressState): string {
    const perStep = s.batch > 0 ? s.elapsedMs / s.batch : 0;
    const logs = formatLogs(s.logs);
    return `${s.batch}/${s.steps ?? s.batch} - ${formatDuration(s.elapsedMs)} - ${Math.round(perStep)}ms/step${logs ? " - " + logs : ""}`;
  }
}
