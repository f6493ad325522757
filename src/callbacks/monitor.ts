import { Callback } from "../fit/callback.js";
import type { FitParams, Logs } from "../fit/logs.js";
import {  } from "./options.js";
import { showValue } from "../fit/show-value.js";

export type MonitorMode = "auto" | "min" | "max";

// Keras 3 decides "auto" from the compiled metric's direction; these name families stand for the same metrics.
const HIGHER_IS_BETTER = /(^|_)(acc|accuracy|auc|precision|recall|f1|fbeta|f1_score|fbeta_score|iou|mean_iou|r2|r2_score|cosine_similarity|categorical_accuracy|binary_accuracy|sparse_categorical_accuracy|top_k_categorical_accuracy)$/;
const LOWER_IS_BETTER = /(^|_)(loss|mse|mae|mape|msle|mean_squared_error|mean_absolute_error|mean_absolute_percentage_error|mean_squared_logarithmic_error|root_mean_squared_error|rmse|hinge|squared_hinge|categorical_hinge|crossentropy|ce|binary_crossentropy|categorical_crossentropy|sparse_categorical_crossentropy|kld|kl_divergence|kullback_leibler_divergence|poisson|logcosh|log_cosh|huber|cosine_proximity|error)$/;

/** "min" or "max" for a logs key under `mode: "auto"`, or throws when the direction cannot be told. */
export function directionOf(monitor: string, argName = "mode"): "min" | "max" {
  // tfjs users compile with camelCase names (categoricalAccuracy, meanSquaredError): compare in snake_case.
  const name = monitor
    .replace(/^val_/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase();
  if (name === "loss" || LOWER_IS_BETTER.test(name)) return "min";
  if (HIGHER_IS_BETTER.test(name)) return "max";
  throw new RangeError(
    `${argName}: "auto" cannot tell whether "${monitor}" should go up or down; pass ${argName}: "max" or ${argName}: "min"`,
  );
}

export function checkMode(mode: string, argName = "mode"): MonitorMode {
  if (mode !== "auto" && mode !== "min" && mode !== "max") {
    const Class = typeof mode === "string" ? RangeError : TypeError;
    throw new Class(`${argName} must be "auto", "min" or "max", got ${showValue(mode)}`);
  }
  return mode;
}

/** A number option: TypeError when it is not a number, RangeError when it is outside what is allowed. */
export function checkNumber(
  name: string,
  value: number,
  rule: { min?: number; integer?: boolean; below?: number; finite?: boolean; why?: string },
): number {
  const parts = [rule.integer ? "an integer" : rule.finite ? "a finite number" : "a number"];
  if (rule.min !== undefined) parts.push(`>= ${rule.min}`);
  if (rule.below !== undefined) parts.push(`${rule.min !== undefined ? "and " : ""}< ${rule.below}`);
  const message = `${name} must be ${parts.join(" ")}${rule.why ? ` (${rule.why})` : ""}, got ${showValue(value)}`;
  if (typeof value !== "number") throw new TypeError(message);
  const ok =
    !Number.isNaN(value) &&
    (!rule.finite || Number.isFinite(value)) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.below === undefined || value < rule.below) &&
    (!rule.integer || Number.isInteger(value));
  if (!ok) throw new RangeError(message);
  return value;
}

/**
 * Shared "is this better" logic of EarlyStopping, ModelCheckpoint and ReduceLROnPlateau (Keras's MonitorCallback):
 * the comparison is chosen lazily at the first check, so `mode: "auto"` can see the monitored name;
 * improvement means `best` unset, `current < best - |minDelta|` (min) or `current > best + |minDelta|` (max).
 */
export abstract class MonitorCallback extends Callback {
  readonly monitor: string;
  readonly mode: MonitorMode;
  readonly minDelta: number;
  /** The best monitored value so far, or undefined before the first one. */
  best: number | undefined;
  private direction: "min" | "max" | undefined;

  constructor(monitor: string, mode: MonitorMode, minDelta: number) {
    super();
    if (typeof monitor !== "string" || monitor === "") {
      const Class = typeof monitor === "string" ? RangeError : TypeError;
      throw new Class(`monitor must be a logs key such as "val_loss", got ${showValue(monitor)}`);
    }
    this.monitor = monitor;
    this.mode = checkMode(mode);
    this.minDelta = Math.abs(checkNumber("minDelta", minDelta, {}));
    if (mode !== "auto") this.direction = mode;
  }

  /** "min" or "max", decided on first use. */
  protected get monitorDirection(): "min" | "max" {
    return (this.direction ??= directionOf(this.monitor));
  }

  protected isImprovement(current: number, reference: number | undefined): boolean {
    if (reference === undefined) return true;
    return this.monitorDirection === "min" ? current < reference - this.minDelta : current > reference + this.minDelta;
  }

  /**
   * Warns once per fit that the monitored key is missing, listing the keys there are (Keras warns every epoch; once
   * is enough to be seen, and a long run's output stays readable).
   */
  protected warnMissingMonitor(message: string): void {
    if (this.warnedMissing) return;
    this.warnedMissing = true;
    console.warn(message);
  }
  private warnedMissing = false;

  /** Called by `fit` before each training run: a new fit may warn again. */
  override setParams(params: FitParams): void {
    super.setParams(params);
    this.warnedMissing = false;
    // For a metric this fit logs, decide "auto" before training rather than after the first epoch. A key it does
    // not log is left alone: a callback may add it, and if none does, each epoch's check warns (as Keras does).
    if (this.comparesValues && this.direction === undefined && params?.metrics?.includes(this.monitor)) {
      this.direction = directionOf(this.monitor);
    }
  }

  /** Whether this callback compares monitored values (ModelCheckpoint does only with `saveBestOnly`). */
  protected get comparesValues(): boolean {
    return true;
  }

  /** The monitored value from logs, or undefined when absent (the caller warns in its own words). */
  protected monitorValue(logs: Logs | undefined): number | undefined {
    const v = logs?.[this.monitor];
    return typeof v === "number" ? v : undefined;
  }
}

export function availableKeys(logs: Logs): string {
  return Object.keys(logs).join(",") || "(none)";
}
