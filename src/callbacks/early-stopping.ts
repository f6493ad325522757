import type { Logs } from "../fit/logs.js";
import { WeightSnapshot } from "../fit/weights.js";
import { availableKeys, checkNumber, MonitorCallback, type MonitorMode } from "./monitor.js";
import { checkBoolean, checkOptionKeys, checkOptionsObject, checkVerbose } from "./options.js";

const OPTION_NAMES = ["monitor", "minDelta", "patience", "verbose", "mode", "baseline", "restoreBestWeights", "startFromEpoch"] as const;

export interface EarlyStoppingOptions {
  /** Logs key to watch. Default "val_loss". */
  monitor?: string;
  /** Smallest change that counts as an improvement (its absolute value is used). Default 0. */
  minDelta?: number;
  /** Epochs without improvement before stopping. Default 0. */
  patience?: number;
  verbose?: number;
  /** "auto" (by the metric's direction), "min" or "max". Default "auto". */
  mode?: MonitorMode;
  /** Training stops unless the monitored value beats this within `patience` epochs. */
  baseline?: number;
  /** At the end of training, put back the weights of the best epoch — however training ended. */
  restoreBestWeights?: boolean;
  /** Epochs to wait before watching at all (warm-up). Default 0. */
  startFromEpoch?: number;
}

/**
 * Stops training when the monitored value stops improving (Keras 3 semantics: never at epoch 0; with
 * `restoreBestWeights`, the best epoch's weights — cloned, not live references — come back in `onTrainEnd`
 * whether training stopped early, ran out of epochs or was stopped by someone else).
 *
 * @example
 * new EarlyStopping({ monitor: "val_loss", patience: 3, restoreBestWeights: true })
 */
export class EarlyStopping extends MonitorCallback {
  readonly patience: number;
  readonly verbose: number;
  readonly baseline: number | undefined;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  wait = 0;
  /** 0-based epoch at which training was stopped, or 0 if it was not. */
  stoppedEpoch = 0;
  /** 0-based epoch of the best value, or undefined before one was seen. */
  bestEpoch: number | undefined;
  private bestWeights: WeightSnapshot | undefined;

  constructor(options: EarlyStoppingOptions = {}) {
    options = checkOptionsObject("EarlyStopping", options, '{ monitor: "val_loss", patience: 3 }');
    checkOptionKeys("EarlyStopping", options, OPTION_NAMES);
    super(options.monitor ?? "val_loss", options.mode ?? "auto", options.minDelta ?? 0);
    this.patience = checkNumber("patience", options.patience ?? 0, { min: 0, integer: true });
    this.verbose = checkVerbose("verbose", options.verbose);
    this.baseline = options.baseline;
    if (this.baseline !== undefined) checkNumber("baseline", this.baseline, { finite: true });
    this.restoreBestWeights = checkBoolean("restoreBestWeights", options.restoreBestWeights, false);
    this.startFromEpoch = checkNumber("startFromEpoch", options.startFromEpoch ?? 0, { min: 0, integer: true });
  }

  override onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = undefined;
    this.bestEpoch = undefined;
    this.bestWeights?.dispose();
    this.bestWeights = undefined;
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const current = this.monitorValue(logs);
    if (current === undefined) {
      this.warnMissingMonitor(
        `Early stopping conditioned on metric \`${this.monitor}\` which is not available. Available metrics are: ${availableKeys(logs)}`,
      );
      return;
    }
    if (epoch < this.startFromEpoch) return;
    if (this.restoreBestWeights && this.bestWeights === undefined) this.bestWeights = WeightSnapshot.take(this.model);

    this.wait += 1;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) {
        this.bestWeights?.dispose();
        this.bestWeights = WeightSnapshot.take(this.model);
      }
      // With a baseline, improving on the best so far is not enough: the value must also beat the baseline.
      if (this.baseline === undefined || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
      this.events.push({ kind: "early_stopping", epoch, message: `Epoch ${epoch + 1}: early stopping`, value: current });
    }
  }

  override onTrainEnd(): void {
    if (this.stoppedEpoch > 0 && this.verbose > 0) console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights !== undefined && this.bestEpoch !== undefined) {
      if (this.verbose > 0) {
        console.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      }
      this.bestWeights.restoreInto(this.model);
      this.events.push({
        kind: "restore_best_weights",
        epoch: this.bestEpoch,
        message: `Restored weights from epoch ${this.bestEpoch + 1}`,
      });
    }
    this.bestWeights?.dispose();
    this.bestWeights = undefined;
  }

  /** As in Keras, an error skips the restore; only the snapshot is released. */
  override onTrainFailure(): void {
    this.bestWeights?.dispose();
    this.bestWeights = undefined;
  }
}
