import * as tf from "@tensorflow/tfjs";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { Callback } from "../fit/callback.js";
import { recoverDir, writeDirAtomic } from "../io/atomic.js";
import { DiskFullNotice, isDiskFull } from "../io/disk-full.js";
import { checkBoolean, checkOptionKeys, checkOptionsObject } from "./options.js";
import { showValue } from "../fit/show-value.js";

export interface BackupAndRestoreOptions {
  /** The backup folder, when the options object is the only argument: `new BackupAndRestore({ backupDir })`. */
  backupDir?: string;
  /** "epoch" (default) or a number of batches between backups. */
  saveFreq?: "epoch" | number;
  /** Remove the backup when training ends normally. Default true. */
  deleteCheckpoint?: boolean;
}

interface BackupManifest {
  /** The epoch to resume at (0-based). */
  epoch: number;
  batch: number;
  modelWeights: tf.io.WeightsManifestEntry[];
  optimizerWeights: tf.io.WeightsManifestEntry[];
}

/**
 * Makes a fit resumable after the process is killed (Keras's BackupAndRestore). It backs up the weights, the
 * optimizer state and the next epoch to `backupDir/latest/`; the next `fit` with the same callback restores them
 * and starts at that epoch. Each backup replaces the last atomically. An error in `fit` keeps the backup; a normal
 * end deletes it (unless `deleteCheckpoint: false`).
 *
 * @example
 * new BackupAndRestore("backups/mnist")
 */
export class BackupAndRestore extends Callback {
  readonly saveFreq: "epoch" | number;
  readonly deleteCheckpoint: boolean;
  readonly backupDir: string;
  private batchesSinceBackup = 0;
  private currentEpoch = 0;
  private readonly diskFull = new DiskFullNotice("BackupAndRestore");

  constructor(backupDir: string, options?: BackupAndRestoreOptions);
  constructor(options: BackupAndRestoreOptions & { backupDir: string });
  constructor(dirOrOptions: string | (BackupAndRestoreOptions & { backupDir: string }), options?: BackupAndRestoreOptions) {
    super();
    const usage = 'new BackupAndRestore("backups/run1", { saveFreq, deleteCheckpoint }) or new BackupAndRestore({ backupDir: "backups/run1", … })';
    let opts: BackupAndRestoreOptions;
    if (typeof dirOrOptions === "object" && dirOrOptions !== null && !Array.isArray(dirOrOptions)) {
      if (options !== undefined) throw new TypeError(`BackupAndRestore: pass the options once; the signatures are ${usage}`);
      opts = dirOrOptions;
    } else {
      opts = { ...checkOptionsObject("BackupAndRestore", options, "{ saveFreq: 100 }") };
      if ("backupDir" in opts) throw new TypeError(`BackupAndRestore: backupDir is given twice; the signatures are ${usage}`);
      opts.backupDir = dirOrOptions as string;
    }
    checkOptionKeys("BackupAndRestore", opts, ["backupDir", "saveFreq", "deleteCheckpoint"]);
    if (typeof opts.backupDir !== "string" || opts.backupDir === "") {
      const Class = typeof opts.backupDir === "string" ? RangeError : TypeError;
      throw new Class(`backupDir must be a non-empty folder path, got ${showValue(opts.backupDir)}; the signatures are ${usage}`);
    }
    this.backupDir = opts.backupDir;
    const freq = opts.saveFreq ?? "epoch";
    if (freq !== "epoch" && !(typeof freq === "number" && Number.isInteger(freq) && freq >= 1)) {
      const Class = typeof freq === "number" ? RangeError : TypeError;
      throw new Class(`saveFreq must be "epoch" or a whole number of batches >= 1, got ${showValue(freq)}`);
    }
    this.saveFreq = freq;
    this.deleteCheckpoint = checkBoolean("deleteCheckpoint", opts.deleteCheckpoint, true);
  }

  private get latest(): string {
    return path.join(this.backupDir, "latest");
  }

  override async onTrainBegin(): Promise<void> {
    this.batchesSinceBackup = 0;
    this.diskFull.reset();
    await recoverDir(this.latest);
    const manifestText = await fs.readFile(path.join(this.latest, "manifest.json"), "utf8").catch(() => undefined);
    if (manifestText === undefined) return;
    const manifest = JSON.parse(manifestText) as BackupManifest;
    const data = await fs.readFile(path.join(this.latest, "weights.bin"));
    const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    const modelBytes = byteLength(manifest.modelWeights);
    const modelTensors = tf.io.decodeWeights(buffer.slice(0, modelBytes), manifest.modelWeights);
    const optimizerTensors = tf.io.decodeWeights(buffer.slice(modelBytes), manifest.optimizerWeights);
    const weights = manifest.modelWeights.map((s) => modelTensors[s.name]);
    this.model.setWeights(weights);
    tf.dispose(weights);
    if (manifest.optimizerWeights.length > 0) {
      // The optimizer makes new state variables from these (copies); its old ones and the decoded tensors go.
      const old = await this.model.optimizer.getWeights();
      await this.model.optimizer.setWeights(manifest.optimizerWeights.map((s) => ({ name: s.name.replace(/^optimizer\//, ""), tensor: optimizerTensors[s.name] })));
      tf.dispose(old.map((w) => w.tensor));
    }
    tf.dispose(Object.values(optimizerTensors));
    this.params.initialEpoch = manifest.epoch;
    console.log(`BackupAndRestore: restored the backup in ${this.backupDir}; resuming at epoch ${manifest.epoch + 1}`);
  }

  override onEpochBegin(epoch: number): void {
    this.currentEpoch = epoch;
  }

  override async onTrainBatchEnd(batch: number): Promise<void> {
    if (this.saveFreq === "epoch") return;
    if (++this.batchesSinceBackup >= this.saveFreq) {
      this.batchesSinceBackup = 0;
      // A mid-epoch backup resumes at the start of this epoch (Keras does not skip batches either).
      await this.backup(this.currentEpoch, batch);
    }
  }

  override async onEpochEnd(epoch: number): Promise<void> {
    if (this.saveFreq === "epoch") await this.backup(epoch + 1, -1);
  }

  override async onTrainEnd(): Promise<void> {
    // An interrupted or aborted fit is not finished: keep the backup so the next fit resumes.
    const interrupted = this.events.some((e) => e.kind === "interrupted");
    if (this.deleteCheckpoint && !interrupted) await fs.rm(this.backupDir, { recursive: true, force: true });
  }

  private async backup(nextEpoch: number, batch: number): Promise<void> {
    const modelNamed = this.model.getWeights().map((tensor, i) => ({ name: `model/${i}`, tensor }));
    const optimizerWeights = await this.model.optimizer.getWeights();
    const optimizerNamed = optimizerWeights.map((w) => ({ name: `optimizer/${w.name}`, tensor: w.tensor }));
    const model = await tf.io.encodeWeights(modelNamed);
    const optimizer = await tf.io.encodeWeights(optimizerNamed);
    // getWeights() makes a fresh scalar for the step counter each call; the state variables themselves are live.
    const iterations = optimizerWeights.find((w) => w.name === "iter");
    if (iterations) iterations.tensor.dispose();
    const manifest: BackupManifest = { epoch: nextEpoch, batch, modelWeights: model.specs, optimizerWeights: optimizer.specs };
    const bytes = Buffer.concat([new Uint8Array(model.data as ArrayBuffer), new Uint8Array(optimizer.data as ArrayBuffer)]);
    try {
      await writeDirAtomic(this.latest, async (dir) => {
        await fs.writeFile(path.join(dir, "weights.bin"), bytes);
        await fs.writeFile(path.join(dir, "manifest.json"), JSON.stringify(manifest));
      });
      this.diskFull.succeeded(this.latest);
    } catch (e) {
      if (!isDiskFull(e)) throw e;
      this.diskFull.failed(this.latest, e, "The previous backup is intact; training goes on and the next backup tries again.");
    }
  }
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, float16: 2 };
function byteLength(specs: tf.io.WeightsManifestEntry[]): number {
  return specs.reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1) * (BYTES[s.dtype] ?? 4), 0);
}
