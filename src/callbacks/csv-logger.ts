import * as fs from "node:fs";
import * as path from "node:path";
import { Callback } from "../fit/callback.js";
import type { Logs } from "../fit/logs.js";

export interface CSVLoggerOptions {
  separator?: string;
  /** Add rows to an existing file instead of replacing it (the header is written only if the file is empty). */
  append?: boolean;
}

/**
 * Writes one row per epoch: `epoch,<sorted keys>`, 0-based epochs, `NA` for a missing value. As in Keras, the
 * columns are fixed at the first epoch and include `val_<key>` columns even if that epoch had no validation.
 * Each row is flushed to disk as it is written.
 *
 * @example
 * new CSVLogger("logs/training.csv", { append: true })
 */
export class CSVLogger extends Callback {
  readonly separator: string;
  readonly append: boolean;
  private fd: number | undefined;
  private keys: string[] | undefined;

  constructor(readonly filename: string, options: CSVLoggerOptions = {}) {
    super();
    if (typeof filename !== "string" || filename === "") throw new Error(`filename must be a non-empty path, got ${JSON.stringify(filename)}`);
    this.separator = options.separator ?? ",";
    if (typeof this.separator !== "string" || this.separator.length === 0) throw new Error("separator must be a non-empty string");
    this.append = options.append ?? false;
  }

  override onTrainBegin(): void {
    fs.mkdirSync(path.dirname(path.resolve(this.filename)), { recursive: true });
    this.fd = fs.openSync(this.filename, this.append ? "a" : "w");
    this.keys = undefined;
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
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  override onTrainFailure(): void {
    this.onTrainEnd();
  }

  private write(line: string): void {
    fs.writeSync(this.fd!, line + "\n");
    fs.fsyncSync(this.fd!);
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
