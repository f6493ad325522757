import { promises as fs } from "node:fs";
import { checkTemplate, formatPath, templateKeys } from "../fit/format-path.js";
import type { Logs } from "../fit/logs.js";
import { DiskFullNotice, isDiskFull } from "../io/disk-full.js";
import { modelPathKind } from "../io/model-path.js";
import { checkSavePath, saveModel } from "../io/save-model.js";
import { availableKeys, checkNumber, MonitorCallback, type MonitorMode } from "./monitor.js";
import { checkBoolean, checkOptionKeys, checkVerbose } from "./options.js";
import { showValue } from "../fit/show-value.js";

const OPTION_NAMES = ["filepath", "monitor", "verbose", "saveBestOnly", "saveWeightsOnly", "mode", "saveFreq", "initialValueThreshold"] as const;
import { findSaver } from "../io/saver.js";
import { writeArchiveInBackground } from "../io/keras/background-writer.js";
import { kerasArchiveSaver } from "../io/keras/savers.js";
import { kerasArchiveSnapshot } from "../io/keras/save.js";
import { Callback } from "../fit/callback.js";

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
}

/**
 * Saves the model (or its weights) during training, Keras 3 style: every epoch or every N batches, optionally only
 * when the monitored value improves. Every save is atomic — written beside the target, then renamed — so a crash
 * never leaves a broken best model. `best` is kept across fits of the same instance, as in Keras. A `.keras` file is
 * built and written on a worker thread from a snapshot of the model taken at the save, while training goes on; `fit`
 * resolves only once the last one is on disk (and rejects if a write failed).
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
  /** Paths written so far by this instance, in order. */
  readonly saved: string[] = [];
  private batchesSinceLastSave = 0;
  private currentEpoch = 0;
  private readonly diskFull = new DiskFullNotice("ModelCheckpoint");
  /** The `.keras` write still running off the training thread (at most one), and a failure not yet reported. */
  private writing: Promise<void> = Promise.resolve();
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
  }

  /**
   * Checks what can be checked before training: template keys against the keys this fit's logs will have (a
   * `val_` key without validation, or with batch saves, could never be filled), and a `.keras` path that is a folder.
   */
  override async onTrainBegin(): Promise<void> {
    this.diskFull.reset();
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
    this.batchesSinceLastSave += 1;
    if (this.batchesSinceLastSave >= this.saveFreq) {
      this.batchesSinceLastSave = 0;
      await this.save(this.currentEpoch, logs, batch);
    }
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (this.saveFreq === "epoch") await this.save(epoch, logs, undefined);
  }

  /** `fit` resolves only once the last checkpoint is on disk. */
  override async onTrainEnd(): Promise<void> {
    await this.settle();
  }

  override async onTrainFailure(): Promise<void> {
    try {
      await this.settle();
    } catch (error) {
      console.warn(`ModelCheckpoint: the last checkpoint could not be written: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Waits for the pending write; rethrows its failure once. */
  private async settle(): Promise<void> {
    await this.writing;
    const error = this.writeError;
    this.writeError = undefined;
    if (error !== undefined) throw error;
  }

  /**
   * Writes the model at `path`. A `.keras` archive is snapshotted now and written on a worker thread while training
   * goes on (the next save waits for it, so writes land in order and at most one snapshot is held); the file
   * appears atomically, complete or not at all. Other formats are written here and now.
   */
  private async write(path: string, epoch: number, logs: Logs, improved: number | undefined): Promise<void> {
    await this.settle();
    const succeeded = () => {
      this.diskFull.succeeded(path);
      if (improved !== undefined) this.best = improved;
      this.saved.push(path);
    };
    // A full disk skips this save: `best` stays at the last model that reached the disk, so the next improvement
    // on it is saved. Any other failure stops fit.
    const survivable = (e: unknown) => {
      if (!isDiskFull(e)) return false;
      this.diskFull.failed(path, e, "The model saved there before is intact; training goes on and the next save tries again.");
      return true;
    };
    if (!this.saveWeightsOnly && findSaver(path) === kerasArchiveSaver) {
      const snapshot = await kerasArchiveSnapshot(this.model);
      this.writing = writeArchiveInBackground(snapshot, path).then(succeeded, (error) => {
        if (!survivable(error)) this.writeError = error;
      });
    } else {
      try {
        await saveModel(this.model, path, { weightsOnly: this.saveWeightsOnly });
      } catch (e) {
        if (survivable(e)) return;
        throw e;
      }
      succeeded();
    }
    this.events.push({ kind: "checkpoint", epoch, path, value: this.monitorValue(logs), message: `saved ${path}` });
  }

  private async save(epoch: number, logs: Logs, batch: number | undefined): Promise<void> {
    await this.settle(); // a pending write decides `best` before this save compares against it
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
