import * as fs from "node:fs";
import * as path from "node:path";
import { Callback } from "../fit/callback.js";
import type { Logs } from "../fit/logs.js";
import { DiskFullNotice, isDiskFull } from "../io/disk-full.js";
import { checkBoolean, checkOptionKeys, checkOptionsObject } from "./options.js";
import { showValue } from "../fit/show-value.js";

export interface CSVLoggerOptions {
  /** The CSV file, when the options object is the only argument: `new CSVLogger({ filename: "log.csv" })`. */
  filename?: string;
  separator?: string;
  /** Add rows to an existing file instead of replacing it (the header is written only if the file is empty). */
  append?: boolean;
}

const OPTION_NAMES = ["filename", "separator", "append"] as const;

/**
 * Writes one row per epoch: `epoch,<sorted keys>`, 0-based epochs, `NA` for a missing value. As in Keras, the
 * columns are fixed at the first epoch and include `val_<key>` columns even if that epoch had no validation.
 * Each row is flushed to disk as it is written. On a full disk the rows wait in memory (one warning) and are
 * written, in order, as soon as there is room again.
 *
 * @example
 * new CSVLogger("logs/training.csv", { append: true })
 * new CSVLogger({ filename: "logs/training.csv", separator: ";" })
 */
export class CSVLogger extends Callback {
  readonly filename: string;
  readonly separator: string;
  readonly append: boolean;
  private fd: number | undefined;
  private keys: string[] | undefined;
  /** Text not yet on disk (after a failed write), written before anything newer. */
  private unwritten = "";
  private readonly diskFull = new DiskFullNotice("CSVLogger");

  constructor(filename: string, options?: CSVLoggerOptions);
  constructor(options: CSVLoggerOptions & { filename: string });
  constructor(filenameOrOptions: string | (CSVLoggerOptions & { filename: string }), options?: CSVLoggerOptions) {
    super();
    const usage = 'new CSVLogger("logs/training.csv", { separator, append }) or new CSVLogger({ filename: "logs/training.csv", separator, append })';
    let opts: CSVLoggerOptions;
    if (typeof filenameOrOptions === "object" && filenameOrOptions !== null && !Array.isArray(filenameOrOptions)) {
      if (options !== undefined) throw new TypeError(`CSVLogger: pass the options once; the signatures are ${usage}`);
      opts = filenameOrOptions;
    } else {
      opts = { ...checkOptionsObject("CSVLogger", options, "{ separator: \";\", append: true }") };
      if ("filename" in opts) throw new TypeError(`CSVLogger: filename is given twice; the signatures are ${usage}`);
      opts.filename = filenameOrOptions as string;
    }
    checkOptionKeys("CSVLogger", opts, OPTION_NAMES);
    if (typeof opts.filename !== "string" || opts.filename === "") {
      const Class = typeof opts.filename === "string" ? RangeError : TypeError;
      throw new Class(`CSVLogger: filename must be a non-empty file path, got ${showValue(opts.filename)}; the signatures are ${usage}`);
    }
    this.filename = opts.filename;
    this.separator = opts.separator ?? ",";
    if (typeof this.separator !== "string" || this.separator.length === 0) {
      throw new TypeError(`separator must be a non-empty string such as "," or ";", got ${showValue(opts.separator)}`);
    }
    this.append = checkBoolean("append", opts.append, false);
  }

  override onTrainBegin(): void {
    fs.mkdirSync(path.dirname(path.resolve(this.filename)), { recursive: true });
    this.fd = fs.openSync(this.filename, this.append ? "a" : "w");
    this.keys = undefined;
    this.unwritten = "";
    this.diskFull.reset();
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    if (this.fd === undefined) return;
    if (this.keys === undefined) {
      const keys = Object.keys(logs).sort();
      if (!keys.some((k) => k.startsWith("val_"))) keys.push(...keys.map((k) => `val_${k}`));
      this.keys = keys;
      const empty = fs.fstatSync(this.fd).size === 0;
      if (!this.append || empty) this.write(["epoch", ...keys].map(quote).join(this.separator));
    }
    const row = [String(epoch), ...this.keys.map((k) => (k in logs ? formatNumber(logs[k]) : "NA"))];
    this.write(row.join(this.separator));
  }

  override onTrainEnd(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      if (this.unwritten !== "") this.flush(fd);
      if (this.unwritten !== "") {
        const rows = this.unwritten.split("\n").length - 1;
        console.warn(`CSVLogger: ${rows} row(s) could not be written to ${this.filename} (disk full); they are in the History`);
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  override onTrainFailure(): void {
    this.onTrainEnd();
  }

  private write(line: string): void {
    this.unwritten += line + "\n";
    this.flush(this.fd!);
  }

  /** Writes what is pending; on a full disk keeps the rest for the next row, warning once. */
  private flush(fd: number): void {
    const data = Buffer.from(this.unwritten);
    let offset = 0;
    try {
      while (offset < data.length) offset += fs.writeSync(fd, data, offset, data.length - offset);
      fs.fsyncSync(fd);
      this.diskFull.succeeded(this.filename);
    } catch (e) {
      if (!isDiskFull(e)) throw e;
      this.diskFull.failed(this.filename, e, "The rows wait in memory and are written when there is room again; training goes on.");
    } finally {
      this.unwritten = data.subarray(offset).toString();
    }
  }
}

/** Python's str(float): integers keep a ".0", non-finite values read nan/inf. */
function formatNumber(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}

function quote(field: string): string {
  return /[",\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}
