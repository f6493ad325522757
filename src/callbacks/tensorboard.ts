import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { Callback } from "../fit/callback.js";
import type { Logs } from "../fit/logs.js";
import { getIterations, getLearningRate } from "../fit/optimizer.js";
import { keras3ModelConfig } from "../io/keras/config.js";
import { weightHistograms } from "../tensorboard/device-histogram.js";
import { SESSION_START_TAG, type HParamValue, type SessionStatus } from "../tensorboard/hparams.js";
import { weightImages } from "../tensorboard/weight-images.js";
import { holdsEventFiles, listRuns, readEventFile } from "../tensorboard/reader.js";
import { hasOpenWriter, SummaryWriter } from "../tensorboard/writer.js";
import { DiskFullNotice, isDiskFull } from "../io/disk-full.js";

export interface TensorBoardOptions {
  /** Log folder; the runs are `<logDir>/train` and `<logDir>/validation`. Default "logs". */
  logDir?: string;
  /** Write weight histograms every N epochs (epoch 0 included); 0 = never. Default 0. */
  histogramFreq?: number;
  /** Write the model's conceptual graph (tag `keras`) at the start of training. Default true. */
  writeGraph?: boolean;
  /** Also draw weights as images (with the histograms, so it needs `histogramFreq`). Default false. */
  writeImages?: boolean;
  /** Add `epoch_steps_per_second` (and `batch_steps_per_second` with batch logging). Default false. */
  writeStepsPerSecond?: boolean;
  /** "epoch" (default), or "batch" / N to also log `batch_<metric>` every N batches. */
  updateFreq?: "epoch" | "batch" | number;
  /** Hyperparameters of this run: an hparams session in `<logDir>` (TensorBoard's HParams tab). */
  hparams?: Record<string, HParamValue>;
  /** Trial name for the HParams tab. Default: a hash of `hparams`, as TensorBoard's own helper does. */
  trialId?: string;
  /** How often buffered records reach the file while training (ms). Default 2000. */
  flushMillis?: number;
}

const OPTION_NAMES = [
  "logDir",
  "histogramFreq",
  "writeGraph",
  "writeImages",
  "writeStepsPerSecond",
  "updateFreq",
  "hparams",
  "trialId",
  "flushMillis",
];

/**
 * Keras 3's TensorBoard callback, writing event files itself (no TensorFlow, any tfjs backend).
 *
 * Runs `<logDir>/train` and `<logDir>/validation`; tags `epoch_<metric>` at 0-based epochs (`val_` stripped in the
 * validation run), `epoch_learning_rate`, `epoch_steps_per_second`, `batch_<metric>`,
 * `evaluation_<metric>_vs_iterations`, `<weight path>/histogram` and `…/image`, the graph `keras`.
 * View with `tensorboard --logdir <logDir>` (Python).
 *
 * @example
 * await fit(model, x, y, { epochs: 5, validationSplit: 0.2,
 *   callbacks: [new TensorBoard({ logDir: "logs/fit/run-1", histogramFreq: 1 })] });
 */
export class TensorBoard extends Callback {
  readonly logDir: string;
  readonly histogramFreq: number;
  readonly writeGraph: boolean;
  readonly writeImages: boolean;
  readonly writeStepsPerSecond: boolean;
  /** 0 means "epoch" (no batch logging). */
  readonly updateFreq: number;
  readonly hparams: Record<string, HParamValue> | undefined;
  readonly trialId: string | undefined;
  private readonly flushMillis: number | undefined;

  private writers = new Map<string, SummaryWriter>();
  private globalTrainBatch = 0;
  /** This fit's first epoch: the purge step of a restarted run. */
  private firstEpoch = 0;
  /** Between onTrainBegin and the end of the fit; `started` once the train run is open. */
  private inFit = false;
  private started = false;
  private epochStart = 0;
  private epochBatches = 0;
  private batchStart = 0;
  private warned = new Set<string>();
  private readonly diskFull = new DiskFullNotice("TensorBoard");

  constructor(options: TensorBoardOptions = {}) {
    super();
    if (typeof options !== "object" || options === null) throw new TypeError("TensorBoard options must be an object");
    for (const key of Object.keys(options)) {
      if (!OPTION_NAMES.includes(key)) {
        throw new Error(`TensorBoard: unknown option "${key}"; the options are ${OPTION_NAMES.join(", ")}`);
      }
    }
    this.logDir = options.logDir ?? "logs";
    if (typeof this.logDir !== "string" || this.logDir === "") {
      throw new Error(`TensorBoard: logDir must be a non-empty folder path, got ${JSON.stringify(options.logDir)}`);
    }
    this.histogramFreq = options.histogramFreq ?? 0;
    if (!Number.isInteger(this.histogramFreq) || this.histogramFreq < 0) {
      throw new Error(`TensorBoard: histogramFreq must be a whole number >= 0 (0 = no histograms), got ${String(options.histogramFreq)}`);
    }
    this.writeGraph = bool("writeGraph", options.writeGraph, true);
    this.writeImages = bool("writeImages", options.writeImages, false);
    this.writeStepsPerSecond = bool("writeStepsPerSecond", options.writeStepsPerSecond, false);
    const uf = options.updateFreq ?? "epoch";
    if (uf === "epoch") this.updateFreq = 0;
    else if (uf === "batch") this.updateFreq = 1;
    else if (typeof uf === "number" && Number.isInteger(uf) && uf >= 1) this.updateFreq = uf;
    else {
      throw new Error(`TensorBoard: updateFreq must be "epoch", "batch" or a whole number of batches >= 1, got ${JSON.stringify(uf)}`);
    }
    if (options.hparams !== undefined) {
      if (typeof options.hparams !== "object" || options.hparams === null || Array.isArray(options.hparams)) {
        throw new Error("TensorBoard: hparams must be an object of names to numbers, strings or booleans");
      }
      for (const [k, v] of Object.entries(options.hparams)) {
        if (!["number", "string", "boolean"].includes(typeof v)) {
          throw new Error(`TensorBoard: hparams.${k} must be a number, string or boolean, got ${typeof v}`);
        }
      }
    }
    if (this.writeImages && this.histogramFreq === 0) {
      console.warn("TensorBoard: writeImages draws weights together with the histograms; set histogramFreq >= 1 to get images");
    }
    this.hparams = options.hparams;
    this.trialId = options.trialId;
    this.flushMillis = options.flushMillis;
    // Epoch logging needs no batch-end hook: fit then reads no batch values for this callback. Batches are only
    // counted for batch logging and steps per second; without either, fit runs no per-batch hook for it at all.
    if (this.updateFreq === 0) this.onTrainBatchEnd = Callback.prototype.onTrainBatchEnd as this["onTrainBatchEnd"];
    if (this.updateFreq === 0 && !this.writeStepsPerSecond) {
      this.onTrainBatchBegin = Callback.prototype.onTrainBatchBegin as this["onTrainBatchBegin"];
    }
  }

  /**
   * The writer of a run ("train", "validation", or "." for the log folder), opened on first use. A train or
   * validation folder that already holds event files is a restart: its new file marks `purgeStep` at this fit's
   * first epoch, so both TensorBoard loaders show the older points only before it (see docs/tensorboard.md).
   */
  private writer(run: string): SummaryWriter {
    let w = this.writers.get(run);
    if (!w || w.closed) {
      const folder = run === "." ? this.logDir : join(this.logDir, run);
      const shared = hasOpenWriter(folder);
      // A folder with older files is a restart, unless another fit is writing there right now (not ours to purge).
      const purgeStep = run !== "." && !shared && holdsEventFiles(folder) ? this.firstEpoch : undefined;
      if (shared) {
        // Another fit in this process logs to the same run: each gets its own file, but TensorBoard mixes them.
        this.warnOnce(`shared ${run}`, `TensorBoard: another fit is also writing to ${folder}; each writes its own event file, but TensorBoard shows both as one run. Give each fit its own logDir.`);
      }
      let file = folder;
      w = new SummaryWriter(folder, {
        flushMillis: this.flushMillis,
        purgeStep,
        shareFolder: true,
        onWriteError: (e) => {
          if (!isDiskFull(e)) throw e;
          this.diskFull.failed(file, e, "Its records wait in memory, whole, and are written when there is room again; training goes on.");
        },
      });
      file = w.file;
      this.writers.set(run, w);
    }
    return w;
  }

  /** A scalar, unless it is not a number or its step does not move forward (then a single warning per tag). */
  private scalar(run: string, tag: string, value: unknown, step: number): void {
    if (typeof value !== "number") return;
    const w = this.writer(run);
    const last = w.lastStepOf(tag);
    if (last !== undefined && step <= last) {
      this.warnOnce(`${run}/${tag}`, `TensorBoard: skipped ${run}/${tag} at step ${step}: step ${last} was already written`);
      return;
    }
    w.scalar(tag, value, step);
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    console.warn(message);
  }

  override onTrainBegin(): void {
    this.closeWriters(); // a writer left over from an earlier fit: each fit gets new files
    this.globalTrainBatch = 0;
    this.firstEpoch = this.params?.initialEpoch ?? 0;
    this.inFit = true;
    this.started = false;
    this.warned.clear();
    this.diskFull.reset();
    if (this.hparams && holdsHParamsSession(this.logDir)) {
      // Both loaders take an hparams summary's content from the first event of its tag in a run.
      console.warn(`TensorBoard: ${this.logDir} already holds an hparams session; TensorBoard's HParams tab keeps showing the first one's values and status. Give each trial its own logDir.`);
    }
    if (this.hparams) this.writer(".").hparamsSessionStart(this.hparams, { groupName: this.trialId });
  }

  /**
   * Opens the train run and writes the graph when the first epoch begins, not at train begin: a BackupAndRestore
   * listed after this callback moves the first epoch in its own onTrainBegin, and a restarted run's purge step
   * must be the epoch this fit really starts at.
   */
  private start(firstEpoch: number): void {
    if (this.started) return;
    this.started = true;
    this.firstEpoch = firstEpoch;
    const train = this.writer("train");
    if (this.writeGraph) this.writeModelGraph(train);
  }

  private writeModelGraph(w: SummaryWriter): void {
    // Keras writes Sequential and Functional models only; tfjs LayersModels are one of those two.
    let json: object;
    try {
      json = keras3ModelConfig(this.model);
    } catch (e) {
      // Layers the Keras-3 converter does not know: tfjs's own JSON still shows a Sequential model's chain.
      this.warnOnce("graph", `TensorBoard: wrote the model graph in tfjs form (${(e as Error).message})`);
      json = this.model.toJSON(null, false) as object;
    }
    w.kerasGraph(json, 0);
  }

  override onEpochBegin(epoch: number): void {
    this.start(epoch);
    this.epochStart = performance.now();
    this.epochBatches = 0;
  }

  override onTrainBatchBegin(): void {
    this.globalTrainBatch += 1;
    this.epochBatches += 1;
    if (this.writeStepsPerSecond) this.batchStart = performance.now();
  }

  override onTrainBatchEnd(_batch: number, logs: Logs): void {
    if (this.updateFreq === 0 || this.globalTrainBatch % this.updateFreq !== 0) return;
    const step = this.globalTrainBatch;
    if (this.writeStepsPerSecond) {
      const secs = (performance.now() - this.batchStart) / 1000;
      if (secs > 0) this.scalar("train", "batch_steps_per_second", 1 / secs, step);
    }
    for (const [name, value] of Object.entries(logs)) this.scalar("train", `batch_${name}`, value, step);
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    const train: Logs = {};
    const validation: Logs = {};
    for (const [k, v] of Object.entries(logs)) {
      if (k.startsWith("val_")) validation[k.slice(4)] = v;
      else train[k] = v;
    }
    // Keras 3 reads the optimizer's rate as the epoch ends, after the callbacks listed earlier have run: a
    // ReduceLROnPlateau before this callback shows its new rate at this epoch (its logs value is the old one).
    const lr = getLearningRate(this.model?.optimizer);
    if (lr !== undefined) train.learning_rate = lr;
    if (this.writeStepsPerSecond) {
      const secs = (performance.now() - this.epochStart) / 1000;
      if (secs > 0 && this.epochBatches > 0) train.steps_per_second = this.epochBatches / secs;
    }
    for (const [k, v] of Object.entries(train)) this.scalar("train", `epoch_${k}`, v, epoch);
    for (const [k, v] of Object.entries(validation)) this.scalar("validation", `epoch_${k}`, v, epoch);
    if (this.histogramFreq > 0 && epoch % this.histogramFreq === 0) await this.logWeights(epoch);
    for (const w of this.writers.values()) if (!w.closed) w.flush();
  }

  override onTestEnd(logs: Logs): void {
    const optimizer = this.model?.optimizer;
    if (!optimizer) return;
    const step = getIterations(optimizer);
    for (const [k, v] of Object.entries(logs)) this.scalar("validation", `evaluation_${k}_vs_iterations`, v, step);
  }

  /**
   * Histograms (and images) of every weight, tagged by Keras 3's `weight.path`: a Sequential model builds its layers
   * inside its own name scope (`sequential/dense/kernel`); a functional model's layers are built where they are
   * called, outside it (`dense/kernel`).
   */
  private async logWeights(epoch: number): Promise<void> {
    const prefix = this.model instanceof tf.Sequential ? `${this.model.name}/` : "";
    const entries: { path: string; tensor: tf.Tensor }[] = [];
    for (const layer of this.model.layers) {
      for (const weight of layer.weights) {
        const short = (weight.originalName ?? weight.name).split("/").pop()!.replace(/:/g, "_");
        entries.push({ path: `${prefix}${layer.name}/${short}`, tensor: weight.read() });
      }
    }
    if (entries.length === 0) return;
    const train = this.writer("train");
    const histograms = await weightHistograms(entries.map((e) => e.tensor));
    entries.forEach((e, i) => {
      const tag = `${e.path}/histogram`;
      const last = train.lastStepOf(tag);
      if (last === undefined || epoch > last) train.histogram(tag, histograms[i], epoch);
    });
    if (!this.writeImages) return;
    for (const e of entries) {
      const images = await weightImages(e.tensor);
      const tag = `${e.path}/image`;
      const last = train.lastStepOf(tag);
      if (images && (last === undefined || epoch > last)) train.image(tag, images, epoch);
    }
  }

  override onTrainEnd(): void {
    this.finish("success");
  }

  override onTrainFailure(): void {
    this.finish("failure");
  }

  /** Ends the hparams session and closes the writers; a second call (or one before any writer opened) does nothing. */
  private finish(status: SessionStatus): void {
    const session = this.writers.get(".");
    try {
      const unstarted = this.inFit && !this.started;
      this.inFit = false;
      if (unstarted) this.start(this.firstEpoch); // a fit that ended before its first epoch still gets its graph
      if (this.hparams && session) session.hparamsSessionEnd(status);
    } finally {
      this.closeWriters();
    }
  }

  private closeWriters(): void {
    for (const w of this.writers.values()) w.close();
    this.writers.clear();
  }
}

/** Whether `folder`'s own event files already hold an hparams session (a partly written file counts as read so far). */
function holdsHParamsSession(folder: string): boolean {
  if (!holdsEventFiles(folder)) return false;
  const own = listRuns(folder).find((r) => r.run === ".")?.files ?? [];
  return own.some((file) => readEventFile(file, { onCorrupt: "stop" }).records.some((r) => r.tag === SESSION_START_TAG));
}

function bool(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new Error(`TensorBoard: ${name} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}
