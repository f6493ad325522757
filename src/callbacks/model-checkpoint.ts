import { promises as fs } from "node:fs";
import { checkTemplate, formatPath, templateKeys } from "../fit/format-path.js";
import type { Logs } from "../fit/logs.js";
import { DiskFullNotice, isDiskFull } from "../io/disk-full.js";
import { modelPathKind } from "../io/model-path.js";
import { BackgroundWrites, type WriteJob } from "../io/background-writes.js";
import { checkSavePath, snapshotModel } from "../io/save-model.js";
import { availableKeys, checkNumber, MonitorCallback, type MonitorMode } from "./monitor.js";
import { checkBoolean, checkOptionKeys, checkVerbose } from "./options.js";
import { showValue } from "../fit/show-value.js";

const OPTION_NAMES = ["filepath", "monitor", "verbose", "saveBestOnly", "saveWeightsOnly", "mode", "saveFreq", "initialValueThreshold", "background", "onSaved"] as const;
import { Callback, type TrainingEvent } from "../fit/callback.js";

export interface ModelCheckpointOptions {
  /**
   * Where to save; may hold `{epoch:02d}`-style placeholders filled from the logs (epoch 1-based). The format follows
   * the path: a folder (TF.js layers: model.json + weights.bin), `.keras`, or `.weights.h5` with `saveWeightsOnly`.
   */
  filepath: string;
  /** Logs key for `saveBestOnly`. Default "val_loss". */
  monitor?: string;
  verbose?: number;
  /** Save only when the monitored value improves. */
  saveBestOnly?: boolean;
  saveWeightsOnly?: boolean;
  mode?: MonitorMode;
  /** "epoch" (default) or a number of batches; batch saves see batch logs, which have no `val_` keys. */
  saveFreq?: "epoch" | number;
  /** Starting value of `best`: only better models are saved. */
  initialValueThreshold?: number;
  /**
   * Write in the background (default true): the model's state is copied at the save, and the file is built and
   * written while the next epoch trains; `fit` resolves once every file is on disk. With `false` the file is
   * complete when the epoch's hooks return (as in Keras), at the cost of that time on the training path.
   */
  background?: boolean;
  /**
   * Called once a save is complete on disk (after its atomic rename), with its path and 0-based epoch. In the
   * background, a save whose write had not begun when a newer one to the same path came is skipped, and so not
   * reported. An error thrown here stops `fit` like a failed write.
   */
  onSaved?: (path: string, epoch: number) => void;
}

/**
 * Saves the model (or its weights) during training, Keras 3 style: every epoch or every N batches, optionally only
 * when the monitored value improves. Every save is atomic — written beside the target, fsynced, then renamed — so a
 * crash never leaves a broken best model. `best` is kept across fits of the same instance, as in Keras.
 *
 * Files are written in the background: at the save the weights, optimizer state and config are copied out of the
 * model (a few ms); serialising and writing them then goes on in small steps while the next epoch trains. One
 * write runs at a time; a newer save to the same path replaces one still waiting. `fit` resolves only once every
 * file is on disk (and rejects if a write failed); `onSaved` reports each completed save; `flush()` waits for them.
 *
 * @example
 * new ModelCheckpoint({ filepath: "models/best_model.keras", monitor: "val_loss", saveBestOnly: true })
 * new ModelCheckpoint({ filepath: "ckpt/{epoch:02d}-{val_loss:.2f}" })   // one folder per epoch
 */
export class ModelCheckpoint extends MonitorCallback {
  readonly filepath: string;
  readonly verbose: number;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly saveFreq: "epoch" | number;
  readonly background: boolean;
  /** Paths written so far by this instance, in the order their writes completed. */
  readonly saved: string[] = [];
  private batchesSinceLastSave = 0;
  private currentEpoch = 0;
  private readonly diskFull = new DiskFullNotice("ModelCheckpoint");
  private readonly onSaved: ((path: string, epoch: number) => void) | undefined;
  private readonly writes: BackgroundWrites<WriteJob & { epoch: number }>;
  /** The monitored value of the last model that reached the disk: `best` falls back to it when a write fails. */
  private bestOnDisk: number | undefined;
  /** A failed write (other than a full disk) not yet reported: the next hook throws it. */
  private writeError: unknown;
  constructor(options: ModelCheckpointOptions) {
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new TypeError(`ModelCheckpoint needs an options object with filepath, e.g. { filepath: "models/best_model.keras" }, got ${showValue(options)}`);
    }
    checkOptionKeys("ModelCheckpoint", options, OPTION_NAMES);
    super(options.monitor ?? "val_loss", options.mode ?? "auto", 0);
    this.saveWeightsOnly = checkBoolean("saveWeightsOnly", options.saveWeightsOnly, false);
    checkSavePath(options.filepath, this.saveWeightsOnly);
    checkTemplate(options.filepath);
    this.filepath = options.filepath;
    this.verbose = checkVerbose("verbose", options.verbose);
    this.saveBestOnly = checkBoolean("saveBestOnly", options.saveBestOnly, false);
    const freq = options.saveFreq ?? "epoch";
    if (freq !== "epoch") checkSaveFreq(freq);
    this.saveFreq = freq;
    // Saving per epoch needs no batch hook: fit then reads no batch values for this callback.
    if (freq === "epoch") this.onTrainBatchEnd = Callback.prototype.onTrainBatchEnd as this["onTrainBatchEnd"];
    if (options.initialValueThreshold !== undefined) {
      this.best = checkNumber("initialValueThreshold", options.initialValueThreshold, { finite: true });
    }
    this.background = checkBoolean("background", options.background, true);
    if (options.onSaved !== undefined && typeof options.onSaved !== "function") {
      throw new TypeError(`onSaved must be a function (path, epoch) => void, got ${showValue(options.onSaved)}`);
    }
    this.onSaved = options.onSaved;
    this.writes = new BackgroundWrites(this.background);
  }

  /** The save being written right now, if any: its path and 0-based epoch. */
  get writing(): { path: string; epoch: number } | undefined {
    const job = this.writes.current;
    return job ? { path: job.path, epoch: job.epoch } : undefined;
  }

  /** Resolves once every save taken so far is complete on disk (or has failed; `fit` reports failures). */
  async flush(): Promise<void> {
    await this.writes.flush();
  }

  /**
   * Checks what can be checked before training: template keys against the keys this fit's logs will have (a
   * `val_` key without validation, or with batch saves, could never be filled), and a `.keras` path that is a folder.
   */
  override async onTrainBegin(): Promise<void> {
    await this.writes.flush();
    this.diskFull.reset();
    this.writeError = undefined;
    this.bestOnDisk = this.best;
    const batchSaves = this.saveFreq !== "epoch";
    const known = new Set([...(this.params?.metrics ?? []), "epoch", "learning_rate", ...(batchSaves ? ["batch"] : [])]);
    const available = [...known].filter((k) => !(batchSaves && k.startsWith("val_"))).join(", ");
    for (const key of templateKeys(this.filepath)) {
      if (known.has(key) && !(batchSaves && key.startsWith("val_"))) continue;
      if (key.startsWith("val_") && (batchSaves || !this.params?.doValidation)) {
        const why = batchSaves ? "saveFreq is a number of batches, and batch logs have no val_ keys" : "this fit has no validation data (pass validationData or validationSplit)";
        throw new RangeError(`filepath: the key "${key}" in "${this.filepath}" can never be filled: ${why}. Keys this fit logs: ${available}`);
      }
      console.warn(`ModelCheckpoint: the filepath key "${key}" is not one this fit logs (${available}); unless a callback adds it, the first save will fail`);
    }
    if (templateKeys(this.filepath).length === 0 && modelPathKind(this.filepath) !== "folder") {
      const stat = await fs.stat(this.filepath).catch(() => undefined);
      if (stat?.isDirectory()) throw new Error(`filepath: ${this.filepath} is a folder; a ${this.filepath.endsWith(".keras") ? ".keras" : ".weights.h5"} checkpoint must be a file path`);
    }
  }

  protected override get comparesValues(): boolean {
    return this.saveBestOnly;
  }

  override onEpochBegin(epoch: number): void {
    this.currentEpoch = epoch;
  }

  override async onTrainBatchEnd(batch: number, logs: Logs): Promise<void> {
    if (this.saveFreq === "epoch") return;
    this.throwWriteError();
    this.batchesSinceLastSave += 1;
    if (this.batchesSinceLastSave >= this.saveFreq) {
      this.batchesSinceLastSave = 0;
      await this.save(this.currentEpoch, logs, batch);
    }
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    this.throwWriteError();
    if (this.saveFreq === "epoch") await this.save(epoch, logs, undefined);
  }

  /** `fit` resolves only once every checkpoint is on disk; a write that failed makes it reject. */
  override async onTrainEnd(): Promise<void> {
    await this.writes.flush();
    this.throwWriteError();
  }

  /** Training failed: still finish the writes under way (each was a better model), and say if one failed. */
  override async onTrainFailure(): Promise<void> {
    await this.writes.flush();
    const error = this.writeError;
    this.writeError = undefined;
    if (error !== undefined) console.warn(`ModelCheckpoint: a checkpoint could not be written: ${error instanceof Error ? error.message : String(error)}`);
  }

  private throwWriteError(): void {
    const error = this.writeError;
    if (error === undefined) return;
    this.writeError = undefined;
    throw error;
  }

  /**
   * Copies the model's state now and queues its write at `path` (atomic: the old file or the complete new one,
   * never a partial one). `best` moves to `improved` at once, so later epochs are compared with the model on its
   * way to disk; if its write fails for lack of space (warned once, training goes on), `best` falls back to the
   * last model that reached the disk, so the next improvement on that one is saved. Any other failure stops fit.
   */
  private async write(path: string, epoch: number, logs: Logs, improved: number | undefined): Promise<void> {
    const value = this.monitorValue(logs);
    const write = await snapshotModel(this.model, path, { weightsOnly: this.saveWeightsOnly });
    if (improved !== undefined) this.best = improved;
    const event: TrainingEvent = { kind: "checkpoint", epoch, path, value, message: `saved ${path}` };
    this.events.push(event);
    const unmark = () => {
      const i = this.events.indexOf(event);
      if (i >= 0) this.events.splice(i, 1);
    };
    await this.writes.add({
      path,
      epoch,
      write,
      dropped: unmark,
      settled: (error) => {
        if (error === undefined) this.completed(path, epoch, improved);
        else this.failed(path, error, improved, unmark);
      },
    });
    if (!this.background) {
      await this.writes.flush();
      this.throwWriteError();
    }
  }

  private completed(path: string, epoch: number, improved: number | undefined): void {
    this.diskFull.succeeded(path);
    if (improved !== undefined) this.bestOnDisk = improved;
    this.saved.push(path);
    try {
      this.onSaved?.(path, epoch);
    } catch (error) {
      this.writeError ??= error;
    }
  }

  private failed(path: string, error: unknown, improved: number | undefined, unmark: () => void): void {
    unmark();
    if (!isDiskFull(error)) {
      this.writeError ??= error;
      return;
    }
    this.diskFull.failed(path, error, "The model saved there before is intact; training goes on and the next save tries again.");
    // Unless a newer (better) save is already waiting, compare the next epochs with the model that is on disk.
    if (improved !== undefined && this.best === improved) this.best = this.bestOnDisk;
  }

  private async save(epoch: number, logs: Logs, batch: number | undefined): Promise<void> {
    const values: Record<string, number> = { ...logs, epoch: epoch + 1 };
    if (batch !== undefined) values.batch = batch + 1;
    const path = formatPath(this.filepath, values);
    const stat = await fs.stat(path).catch(() => undefined);
    if (stat?.isDirectory() && modelPathKind(path) !== "folder") {
      throw new Error(`filepath: ${path} is a folder; a .keras / .weights.h5 checkpoint must be a file path`);
    }
    let improved: number | undefined;
    if (this.saveBestOnly) {
      const current = this.monitorValue(logs);
      if (current === undefined) {
        // Keras ≥ 3.10: warn and save anyway, so a misnamed monitor never means "no checkpoint at all".
        this.warnMissingMonitor(`Can save best model only with ${this.monitor} available. Available keys: ${availableKeys(logs)}`);
      } else if (this.isImprovement(current, this.best)) {
        if (this.verbose > 0) {
          const from = this.best !== undefined ? this.best.toFixed(5) : this.monitorDirection === "min" ? "inf" : "-inf";
          console.log(`Epoch ${epoch + 1}: ${this.monitor} improved from ${from} to ${current.toFixed(5)}, saving model to ${path}`);
        }
        improved = current;
      } else {
        if (this.verbose > 0) {
          console.log(`Epoch ${epoch + 1}: ${this.monitor} did not improve from ${this.best!.toFixed(5)}`);
        }
        return;
      }
    } else if (this.verbose > 0) {
      console.log(`Epoch ${epoch + 1}: saving model to ${path}`);
    }
    await this.write(path, epoch, logs, improved);
  }
}

function checkSaveFreq(freq: unknown): void {
  if (typeof freq !== "number" || !Number.isInteger(freq) || freq < 1) {
    const Class = typeof freq === "number" ? RangeError : TypeError;
    throw new Class(`saveFreq must be "epoch" or a whole number of batches >= 1, got ${JSON.stringify(freq)}`);
  }
}
