// One event file in one run folder, written the way TensorBoard's loaders want it (tensorboard-format.md §6):
// a new file created exclusively, `file_version` first, whole records, finite wall times, steps strictly increasing
// per tag, flushed every few seconds and fsynced on close. No tfjs here: callers pass plain numbers and arrays.
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { DEFAULT_BUCKET_COUNT, histogramBuckets, type HistogramBucket } from "./histogram.js";
import {
  experimentValue,
  sessionEndValue,
  sessionStartValue,
  type HParamDomain,
  type HParamMetric,
  type HParamValue,
  type SessionStatus,
} from "./hparams.js";
import { encodeEvent, SessionStatus as SessionLogStatus, type EventSpec, type SummaryValueSpec } from "./messages.js";
import { encodePng } from "./png.js";
import { frameRecord } from "./record.js";
import { histogramValue, imageValue, kerasGraphValue, scalarValue, textValue } from "./summaries.js";

export interface SummaryWriterOptions {
  /** Write buffered records at least this often (ms). Default 2000: TensorBoard reloads every 5 s. */
  flushMillis?: number;
  /** Write at once when this many bytes are buffered. Default 1 MiB. */
  maxBufferBytes?: number;
  /** Wall-clock source in seconds; fixed in tests for byte-exact files. Default `Date.now() / 1000`. */
  now?: () => number;
  /** Host name in the file name. Default `os.hostname()`. */
  hostname?: string;
  /** Process id in the file name. Default `process.pid`. */
  pid?: number;
  /** File name suffix. Default ".v2", as TF2 writes. */
  filenameSuffix?: string;
  /**
   * Mark a restart at this step: TensorBoard's Python loader (`--load_fast=false`) then drops the run's older points
   * at steps ≥ it, in every tag. Written as two `SessionLog` STARTs after `file_version`: that loader takes the run's
   * first START as the session's start and purges only on later ones, so one START would be ignored in a folder
   * whose earlier files have none. The Rust loader ignores them; it drops a tag's older points at steps ≥ each new
   * point of that tag on its own.
   */
  purgeStep?: number;
  /**
   * Called instead of throwing when writing the file fails (a full disk): the records not yet written stay buffered,
   * whole, and go out with the next flush, so the file never holds a gap. Default: throw from `flush`/`close`.
   */
  onWriteError?: (error: Error) => void;
  /** Allow another open writer on the same run folder in this process (each still writes its own file). */
  shareFolder?: boolean;
}

/** Whether this process has an open writer on the run folder `logDir`. */
export function hasOpenWriter(logDir: string): boolean {
  const folder = resolve(logDir);
  for (const w of openWriters) if (resolve(w.logDir) === folder) return true;
  return false;
}

/** An encoded image for `SummaryWriter.image`: PNG (or any browser format) bytes with their size. */
export interface EncodedImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Raw 8-bit pixels for `SummaryWriter.image`, row-major, `channels` bytes per pixel; encoded as PNG. */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  pixels: Uint8Array;
}

let fileCounter = 0;
const openWriters = new Set<SummaryWriter>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A notebook or script that ends without close() would lose the last few seconds of records; writeSync still
  // works inside 'exit' handlers.
  process.on("exit", () => {
    for (const w of openWriters) {
      try {
        w.close();
      } catch {
        // nothing more can be done while the process exits
      }
    }
  });
}

/**
 * Writes TensorBoard summaries to `logDir` (one run). `new SummaryWriter("logs/fit/train")`, then `scalar`,
 * `histogram`, `image`, `text`, `kerasGraph`, `hparams…`, and `close()`.
 */
export class SummaryWriter {
  readonly logDir: string;
  /** The full path of the event file this writer owns. */
  readonly file: string;
  private fd: number | undefined;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastStep = new Map<string, number>();
  private readonly flushMillis: number;
  private readonly maxBufferBytes: number;
  private readonly now: () => number;
  private readonly onWriteError: ((error: Error) => void) | undefined;

  constructor(logDir: string, options: SummaryWriterOptions = {}) {
    this.logDir = logDir;
    this.flushMillis = options.flushMillis ?? 2000;
    this.maxBufferBytes = options.maxBufferBytes ?? 1 << 20;
    this.now = options.now ?? (() => Date.now() / 1000);
    if (!(this.flushMillis >= 0)) throw new RangeError(`flushMillis must be >= 0, got ${options.flushMillis}`);
    if (options.purgeStep !== undefined && !(Number.isSafeInteger(options.purgeStep) && options.purgeStep >= 0)) {
      throw new RangeError(`purgeStep must be a whole number >= 0, got ${options.purgeStep}`);
    }
    // One writer per run folder: two open files of one run interleave steps, and TensorBoard shows whichever it
    // reads last.
    this.onWriteError = options.onWriteError;
    if (!options.shareFolder && hasOpenWriter(logDir)) {
      throw new Error(`SummaryWriter: ${logDir} already has an open writer in this process (one writer per run folder); close it first or share it`);
    }
    mkdirSync(logDir, { recursive: true });
    const host = (options.hostname ?? hostname()).replace(/[/\\]/g, "_");
    const pid = options.pid ?? process.pid;
    const suffix = options.filenameSuffix ?? ".v2";
    // Both loaders read a run's files in name order: zero-padded seconds first, then a zero-padded counter so
    // two files from one process in the same second still sort by creation.
    const start = this.now();
    let file = "";
    for (let attempt = 0; ; attempt++) {
      const secs = String(Math.floor(start)).padStart(10, "0");
      const n = String(fileCounter++).padStart(4, "0");
      file = join(logDir, `events.out.tfevents.${secs}.${host}.${pid}.${n}${suffix}`);
      try {
        this.fd = openSync(file, "wx"); // never append to, or overwrite, an existing file
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 100) throw e;
      }
    }
    this.file = file;
    openWriters.add(this);
    installExitHook();
    this.writeEvent({ wallTime: start, fileVersion: "brain.Event:2" });
    if (options.purgeStep !== undefined) {
      const wallTime = this.now();
      for (let i = 0; i < 2; i++) this.writeEvent({ wallTime, step: options.purgeStep, sessionLog: { status: SessionLogStatus.START } });
    }
    this.flush(); // the file_version record goes out at once, as TF's EventsWriter does
  }

  get closed(): boolean {
    return this.fd === undefined;
  }

  /** The last step written for `tag` in this file, if any. */
  lastStepOf(tag: string): number | undefined {
    return this.lastStep.get(tag);
  }

  /** Low level: encode, frame and buffer one Event. Summary tags must each move to a higher step. */
  writeEvent(event: EventSpec): void {
    if (this.fd === undefined) throw new Error(`SummaryWriter for ${this.logDir} is closed`);
    const step = event.step ?? 0;
    if (!Number.isSafeInteger(step)) throw new RangeError(`step must be an integer, got ${event.step}`);
    for (const v of event.summary ?? []) {
      const last = this.lastStep.get(v.tag);
      if (last !== undefined && step <= last) {
        throw new RangeError(
          `step ${step} for tag "${v.tag}" is not greater than the previous step ${last} in ${this.file}: ` +
            "TensorBoard keeps one point per step, so steps must strictly increase per tag (use a new writer to restart)",
        );
      }
    }
    const record = frameRecord(encodeEvent(event)); // encodeEvent rejects non-finite wall times
    for (const v of event.summary ?? []) this.lastStep.set(v.tag, step);
    this.pending.push(record);
    this.pendingBytes += record.length;
    if (this.pendingBytes >= this.maxBufferBytes || this.flushMillis === 0) this.flush();
    else if (!this.timer) {
      // A failing background flush (disk full, folder deleted) must not crash the process from a timer; the
      // next explicit flush or close reports it.
      this.timer = setTimeout(() => {
        try {
          this.flush();
        } catch (e) {
          console.warn(`tslab-fit: could not write ${this.file}: ${(e as Error).message}`);
        }
      }, this.flushMillis);
      this.timer.unref(); // a pending flush must not keep a finished script alive
    }
  }

  /** Writes one event holding the given summary values at `step`. */
  writeSummary(values: SummaryValueSpec[], step: number): void {
    this.writeEvent({ wallTime: this.now(), step, summary: values });
  }

  scalar(tag: string, value: number, step: number): void {
    this.writeSummary([scalarValue(tag, value)], step);
  }

  /** A histogram of raw values (bucketed here, TF2's rules) or of buckets computed elsewhere. */
  histogram(
    tag: string,
    values: ArrayLike<number> | HistogramBucket[],
    step: number,
    bucketCount = DEFAULT_BUCKET_COUNT,
  ): void {
    const buckets = isBucketList(values) ? values : histogramBuckets(values, bucketCount);
    this.writeSummary([histogramValue(tag, buckets)], step);
  }

  /** One or more images of one size (TensorBoard shows up to 3 per step by default). */
  image(tag: string, images: EncodedImage | RawImage | (EncodedImage | RawImage)[], step: number): void {
    const list = (Array.isArray(images) ? images : [images]).map((img) =>
      "pixels" in img ? { width: img.width, height: img.height, data: encodePng(img.width, img.height, img.channels, img.pixels) } : img,
    );
    if (list.length === 0) throw new RangeError(`image "${tag}": no images given`);
    const { width, height } = list[0];
    this.writeSummary([imageValue(tag, width, height, list.map((i) => i.data))], step);
  }

  /** Markdown text. */
  text(tag: string, markdown: string, step: number): void {
    this.writeSummary([textValue(tag, markdown)], step);
  }

  /** Keras's conceptual graph (tag `keras`): the model JSON in Keras-3 form, so functional models keep their edges. */
  kerasGraph(modelJson: string | object, step = 0): void {
    const json = typeof modelJson === "string" ? modelJson : JSON.stringify(modelJson);
    this.writeSummary([kerasGraphValue(json)], step);
  }

  /** The start of an hparams session: this run is one trial with these values. */
  hparamsSessionStart(hparams: Record<string, HParamValue>, opts: { groupName?: string } = {}): void {
    this.writeSummary([sessionStartValue(hparams, { groupName: opts.groupName, startTimeSecs: this.now() })], 0);
  }

  hparamsSessionEnd(status: SessionStatus = "success"): void {
    this.writeSummary([sessionEndValue(status, this.now())], 0);
  }

  /** The hparams experiment: domains and metrics for the dashboard (without it, TensorBoard infers one). */
  hparamsExperiment(
    hparams: HParamDomain[],
    metrics: HParamMetric[],
    opts: { name?: string; description?: string; user?: string } = {},
  ): void {
    this.writeSummary([experimentValue(hparams, metrics, { ...opts, timeCreatedSecs: this.now() })], 0);
  }

  /** Writes buffered records to the file, each whole (no fsync: see close). */
  flush(): void {
    try {
      this.writePending();
    } catch (e) {
      if (!this.onWriteError) throw e;
      this.onWriteError(e as Error);
    }
  }

  private writePending(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.fd === undefined || this.pending.length === 0) return;
    const data = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    let offset = 0;
    try {
      while (offset < data.length) offset += writeSync(this.fd, data, offset, data.length - offset);
    } finally {
      // On an error, keep exactly the bytes not yet written, so a later flush continues the file without a gap.
      this.pending = offset < data.length ? [data.subarray(offset)] : [];
      this.pendingBytes = data.length - offset;
    }
  }

  /** Flushes, fsyncs and closes the file. Safe to call more than once. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    try {
      this.flush();
    } finally {
      // The file is closed even when the last flush fails: a full disk must not also leak the handle.
      this.fd = undefined;
      openWriters.delete(this);
      try {
        fsyncSync(fd);
      } catch (e) {
        if (!this.onWriteError) throw e;
        this.onWriteError(e as Error);
      } finally {
        closeSync(fd);
      }
    }
  }
}

function isBucketList(v: ArrayLike<number> | HistogramBucket[]): v is HistogramBucket[] {
  return Array.isArray(v) && v.length > 0 && typeof v[0] === "object";
}
