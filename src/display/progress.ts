import { escapeHtml } from "./html.js";
import { formatDuration, formatLogs, type ProgressSink, type ProgressState } from "../callbacks/progress-bar.js";
import type { FitParams } from "../fit/logs.js";
import { NotebookOutput, outputsDelivered } from "./notebook.js";

/** Finished-epoch lines kept in the display; older ones are summarised as a count. */
const MAX_EPOCH_LINES = 30;

/**
 * ProgressBar's sink inside a notebook (tslab or Deno): one output per fit, replaced in place (epoch, batch, ETA, last
 * logs) instead of thousands of stream lines. Batch updates are throttled to `intervalMs`; epoch ends and the end always go out.
 */
export class NotebookProgress implements ProgressSink {
  readonly output = new NotebookOutput();
  private readonly done: string[] = [];
  private readonly epochMs: number[] = [];
  private lastSent = 0;
  /** Bundles sent, for tests and curiosity. */
  sent = 0;

  constructor(
    private readonly params: Pick<FitParams, "epochs" | "initialEpoch">,
    private readonly intervalMs = 250,
  ) {}

  update(s: ProgressState): void {
    const now = Date.now();
    if (s.phase === "epoch-end") {
      this.epochMs.push(s.elapsedMs);
      // A single pass (evaluate, predict) reads as Keras's finished bar: "evaluate 53/53 - 1s 11ms/step - …".
      this.done.push(s.label ? `${s.label} ${s.batch}/${s.steps ?? s.batch} - ${epochLine(s).replace(/^Epoch \S+ - /, "")}` : epochLine(s));
    }
    if (s.phase === "batch" && now - this.lastSent < this.intervalMs) return;
    if (s.phase === "epoch-begin" && now - this.lastSent < this.intervalMs && this.output.isShown) return;
    this.lastSent = now;
    const current = s.phase === "batch" || s.phase === "epoch-begin" ? this.currentLine(s) : undefined;
    const plain = [...this.visibleDone(), ...(current ? [current.text] : [])].join("\n");
    const html = this.html(current, s);
    this.output.show({ data: { "text/html": html, "text/plain": plain } });
    this.sent++;
  }

  /** The last update reaches the notebook within the fit's cell. */
  flush(): Promise<void> {
    return outputsDelivered();
  }

  private visibleDone(): string[] {
    const hidden = this.done.length - MAX_EPOCH_LINES;
    return hidden > 0 ? [`… ${hidden} earlier epochs`, ...this.done.slice(hidden)] : [...this.done];
  }

  private currentLine(s: ProgressState): { text: string; fraction: number } {
    const steps = s.steps ?? 0;
    const perStep = s.batch > 0 ? s.elapsedMs / s.batch : 0;
    const epochEta = steps > 0 && s.batch > 0 ? perStep * (steps - s.batch) : undefined;
    const epochsLeft = Math.max(0, s.epochs - s.epoch - 1);
    const typicalEpoch = this.epochMs.length > 0 ? this.epochMs.reduce((a, b) => a + b, 0) / this.epochMs.length : steps * perStep;
    const totalEta = epochEta !== undefined ? epochEta + epochsLeft * typicalEpoch : undefined;
    const parts = [
      s.label ?? `Epoch ${s.epoch + 1}/${s.epochs}`,
      steps > 0 ? `${s.batch}/${steps}` : `${s.batch} batches`,
      epochEta !== undefined ? `ETA ${formatDuration(epochEta)}` : "",
      totalEta !== undefined && epochsLeft > 0 ? `(fit ${formatDuration(totalEta)})` : "",
      perStep > 0 ? `${Math.round(perStep)}ms/step` : "",
      formatLogs(s.logs),
    ].filter(Boolean);
    return { text: parts.join(" - "), fraction: steps > 0 ? s.batch / steps : 0 };
  }

  private html(current: { text: string; fraction: number } | undefined, s: ProgressState): string {
    const lines = this.visibleDone().map((l) => `<div>${escapeHtml(l)}</div>`);
    if (current) {
      const bar = `<progress value="${current.fraction.toFixed(3)}" max="1" style="width:240px;vertical-align:middle"></progress>`;
      lines.push(`<div>${bar} ${escapeHtml(current.text)}</div>`);
    } else if (s.phase === "train-end" && s.label) {
      // One pass (evaluate, predict): its finished line says it all.
    } else if (s.phase === "train-end") {
      lines.push(`<div><b>done</b> after ${this.done.length} epoch${this.done.length === 1 ? "" : "s"}</div>`);
    } else if (s.phase === "train-failed" && s.label) {
      lines.push(`<div><b>${escapeHtml(s.label)} failed</b> (the error is below)</div>`);
    } else if (s.phase === "train-failed") {
      lines.push(`<div><b>failed</b> after ${this.done.length} epoch${this.done.length === 1 ? "" : "s"} (the error is below)</div>`);
    }
    return `<div style="font-family:monospace;font-size:12px;line-height:1.5">${lines.join("")}</div>`;
  }
}

function epochLine(s: ProgressState): string {
  const logs = formatLogs(s.logs);
  const steps = s.steps ?? s.batch;
  const perStep = steps > 0 ? Math.round(s.elapsedMs / steps) : 0;
  return `Epoch ${s.epoch + 1}/${s.epochs} - ${formatDuration(s.elapsedMs)} ${perStep}ms/step${logs ? ` - ${logs}` : ""}`;
}
