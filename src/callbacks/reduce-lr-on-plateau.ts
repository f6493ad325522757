import type { Logs } from "../fit/logs.js";
import { getLearningRate, setLearningRate } from "../fit/optimizer.js";
import { availableKeys, checkNumber, MonitorCallback, type MonitorMode } from "./monitor.js";
import { checkOptionKeys, checkOptionsObject, checkVerbose } from "./options.js";

const OPTION_NAMES = ["monitor", "factor", "patience", "verbose", "mode", "minDelta", "cooldown", "minLr"] as const;

export interface ReduceLROnPlateauOptions {
  monitor?: string;
  /** Multiplies the rate on a plateau; must be < 1. Default 0.1. */
  factor?: number;
  /** Epochs without improvement before reducing. Default 10. */
  patience?: number;
  verbose?: number;
  mode?: MonitorMode;
  /** Default 1e-4. */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again. Default 0. */
  cooldown?: number;
  /** Lower bound on the rate. Default 0. */
  minLr?: number;
}

/**
 * Cuts the learning rate when the monitored value stops improving (Keras 3 semantics) and writes the current
 * rate to `logs.learning_rate` every epoch, so History, CSVLogger and TensorBoard record it. Works for every tfjs
 * optimizer (SGD and Momentum need `setLearningRate`, which plain assignment would miss).
 *
 * @example
 * new ReduceLROnPlateau({ monitor: "val_loss", factor: 0.5, patience: 2, minLr: 1e-5 })
 */
export class ReduceLROnPlateau extends MonitorCallback {
  readonly factor: number;
  readonly patience: number;
  readonly verbose: number;
  readonly cooldown: number;
  readonly minLr: number;
  wait = 0;
  cooldownCounter = 0;

  constructor(options: ReduceLROnPlateauOptions = {}) {
    options = checkOptionsObject("ReduceLROnPlateau", options, '{ monitor: "val_loss", factor: 0.5, patience: 2 }');
    checkOptionKeys("ReduceLROnPlateau", options, OPTION_NAMES);
    super(options.monitor ?? "val_loss", options.mode ?? "auto", options.minDelta ?? 1e-4);
    this.factor = checkNumber("factor", options.factor ?? 0.1, { min: 0, below: 1, why: "the rate is multiplied by it" });
    this.patience = checkNumber("patience", options.patience ?? 10, { min: 0, integer: true });
    this.verbose = checkVerbose("verbose", options.verbose);
    this.cooldown = checkNumber("cooldown", options.cooldown ?? 0, { min: 0, integer: true });
    this.minLr = checkNumber("minLr", options.minLr ?? 0, { min: 0 });
  }

  override onTrainBegin(): void {
    this.best = undefined;
    this.wait = 0;
    this.cooldownCounter = 0;
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const lr = getLearningRate(this.model.optimizer);
    if (lr !== undefined) logs.learning_rate = lr;
    const current = this.monitorValue(logs);
    if (current === undefined) {
      this.warnMissingMonitor(`Learning rate reduction is conditioned on metric \`${this.monitor}\` which is not available. Available metrics are: ${availableKeys(logs)}`);
      return;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.wait = 0;
    }
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.wait = 0;
    } else if (this.cooldownCounter <= 0) {
      this.wait += 1;
      if (this.wait >= this.patience && lr !== undefined && lr > this.minLr) {
        const next = Math.max(lr * this.factor, this.minLr);
        setLearningRate(this.model.optimizer, next);
        if (this.verbose > 0) console.log(`Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${next}.`);
        this.events.push({ kind: "learning_rate", epoch, value: next, message: `learning rate → ${next}` });
        this.cooldownCounter = this.cooldown;
        this.wait = 0;
      }
    }
  }
}
