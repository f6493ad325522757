// Reads event files back into plain records: the tests' independent view of what the writer wrote, and the data
// behind plotRuns. Handles the TF2 tensor forms this library writes and the legacy forms other writers use
// (simple_value scalars, HistogramProto, Summary.Image).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { HistogramBucket } from "./histogram.js";
import type { HParamValue } from "./hparams.js";
import { DataType } from "./messages.js";
import { ProtoMessage } from "./proto-reader.js";
import { servedRecords, type TensorBoardLoader } from "./loader-rules.js";
import { scanRecords } from "./record.js";

export interface ImageRecordValue {
  width: number;
  height: number;
  images: Uint8Array[];
}

export interface HParamsRecordValue {
  sessionStart?: { hparams: Record<string, HParamValue>; groupName: string; startTimeSecs: number };
  sessionEnd?: { status: "unknown" | "success" | "failure" | "running"; endTimeSecs: number };
  experiment?: {
    name: string;
    hparams: { name: string; type: number; values?: HParamValue[]; min?: number; max?: number }[];
    metrics: { group: string; tag: string }[];
  };
}

export interface TensorRecordValue {
  dtype: number;
  shape: number[];
  values: number[] | string[];
}

interface RecordBase {
  /** The run: the event file's folder relative to the log folder ("." for the log folder itself). */
  run: string;
  tag: string;
  step: number;
  wallTime: number;
  plugin: string;
}

export type SummaryRecord = RecordBase &
  (
    | { kind: "scalar"; value: number }
    | { kind: "histogram"; value: HistogramBucket[] }
    | { kind: "image"; value: ImageRecordValue }
    | { kind: "text"; value: string }
    | { kind: "graph"; value: string }
    | { kind: "hparams"; value: HParamsRecordValue }
    | { kind: "tensor"; value: TensorRecordValue }
  );

export type SummaryKind = SummaryRecord["kind"];

export interface EventFileContents {
  file: string;
  run: string;
  /** The first record's `file_version` ("brain.Event:2" for TF2 writers). */
  fileVersion?: string;
  records: SummaryRecord[];
  /** `SessionLog` events (START marks a restart at that step). */
  sessionLogs: { step: number; wallTime: number; status: number }[];
  /** Bytes of a last record not yet complete (a file still being written); not an error. */
  trailingBytes: number;
  /** Where reading stopped on a bad checksum or an undecodable record (only with `onCorrupt: "stop"`). */
  corruption?: { file: string; offset: number; reason: string };
}

export interface ReadOptions {
  /** What a bad checksum or an undecodable record does: throw `EventFileCorruptError` (default) or stop there. */
  onCorrupt?: "throw" | "stop";
}

export class EventFileCorruptError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${reason} in ${file} at byte offset ${offset}`);
    this.name = "EventFileCorruptError";
  }
}

const utf8 = new TextDecoder("utf-8");

/** One event of a file, in file order: what the TensorBoard loaders' restart rules look at. */
export interface DecodedEvent {
  step: number;
  wallTime: number;
  /** `file_version` when the event carries one. */
  fileVersion?: string;
  /** `SessionLog` status when the event is one (1 = START). */
  sessionLog?: number;
  /** Whether the event is a `Summary` (even one whose values this reader does not decode). */
  summary: boolean;
  records: SummaryRecord[];
}

/** The events of one file in order, plus what `readEventFile` reports about its end. */
export function readEventStream(
  file: string,
  options: ReadOptions & { run?: string } = {},
): { events: DecodedEvent[]; trailingBytes: number; corruption?: { file: string; offset: number; reason: string } } {
  const buf = new Uint8Array(readFileSync(file));
  const scan = scanRecords(buf);
  const run = options.run ?? ".";
  const events: DecodedEvent[] = [];
  let corruption = scan.corruption;
  for (const { offset, data } of scan.records) {
    try {
      events.push(decodeEvent(data, run));
    } catch (e) {
      corruption = { offset, reason: `undecodable event (${(e as Error).message})` };
      break;
    }
  }
  if (corruption && (options.onCorrupt ?? "throw") === "throw") {
    throw new EventFileCorruptError(file, corruption.offset, corruption.reason);
  }
  return { events, trailingBytes: scan.trailingBytes, ...(corruption ? { corruption: { file, ...corruption } } : {}) };
}

/** Reads one event file. Every whole record is kept; a partial last record is reported in `trailingBytes`. */
export function readEventFile(file: string, options: ReadOptions & { run?: string } = {}): EventFileContents {
  const stream = readEventStream(file, options);
  const out: EventFileContents = { file, run: options.run ?? ".", records: [], sessionLogs: [], trailingBytes: stream.trailingBytes };
  for (const ev of stream.events) {
    if (out.fileVersion === undefined && ev.fileVersion !== undefined) out.fileVersion = ev.fileVersion;
    if (ev.sessionLog !== undefined) out.sessionLogs.push({ step: ev.step, wallTime: ev.wallTime, status: ev.sessionLog });
    out.records.push(...ev.records);
  }
  if (stream.corruption) out.corruption = stream.corruption;
  return out;
}

function decodeEvent(data: Uint8Array, run: string): DecodedEvent {
  const ev = new ProtoMessage(data);
  const wallTime = ev.double(1);
  const step = ev.int(2);
  const out: DecodedEvent = { step, wallTime, summary: false, records: [] };
  if (ev.has(3)) out.fileVersion = ev.string(3);
  const sessionLog = ev.message(7);
  if (sessionLog) out.sessionLog = sessionLog.int(1);
  const summary = ev.message(5);
  if (!summary) return out;
  out.summary = true;
  for (const value of summary.repeatedMessages(1)) {
    const rec = decodeValue(value);
    if (rec) out.records.push({ run, tag: value.string(1), step, wallTime, ...rec } as SummaryRecord);
  }
  return out;
}

type Decoded = Omit<SummaryRecord, keyof RecordBase> & { plugin: string };

function decodeValue(v: ProtoMessage): Decoded | undefined {
  const pluginData = v.message(9)?.message(1);
  const plugin = pluginData?.string(1) ?? "";
  const content = pluginData?.bytes(2) ?? new Uint8Array(0);
  if (v.has(2)) return { kind: "scalar", value: v.float(2), plugin: plugin || "scalars" };
  const histo = v.message(5);
  if (histo) return { kind: "histogram", value: legacyHistogram(histo), plugin: plugin || "histograms" };
  const image = v.message(4);
  if (image) {
    return { kind: "image", value: { width: image.int(2), height: image.int(1), images: [image.bytes(4)] }, plugin: plugin || "images" };
  }
  const tensorMsg = v.message(8);
  if (!tensorMsg) return undefined;
  const t = decodeTensor(tensorMsg);
  switch (plugin) {
    case "scalars":
      return { kind: "scalar", value: Number(t.values[0]), plugin };
    case "histograms": {
      const nums = t.values as number[];
      const buckets: HistogramBucket[] = [];
      for (let i = 0; i + 2 < nums.length; i += 3) buckets.push({ left: nums[i], right: nums[i + 1], count: nums[i + 2] });
      return { kind: "histogram", value: buckets, plugin };
    }
    case "images": {
      const [w, h, ...images] = t.raw as Uint8Array[];
      return { kind: "image", value: { width: Number(utf8.decode(w)), height: Number(utf8.decode(h)), images }, plugin };
    }
    case "text":
      return { kind: "text", value: (t.values as string[]).join("\n"), plugin };
    case "graph_keras_model":
      return { kind: "graph", value: String(t.values[0] ?? ""), plugin };
    case "hparams":
      return { kind: "hparams", value: decodeHParams(content), plugin };
    default:
      return { kind: "tensor", value: { dtype: t.dtype, shape: t.shape, values: t.values }, plugin };
  }
}

function legacyHistogram(h: ProtoMessage): HistogramBucket[] {
  const limits = h.repeatedFloats(6, 8);
  const counts = h.repeatedFloats(7, 8);
  const min = h.double(1);
  return counts.map((count, i) => ({ left: i === 0 ? min : limits[i - 1], right: limits[i], count }));
}

function decodeTensor(t: ProtoMessage): TensorRecordValue & { raw: Uint8Array[] } {
  const dtype = t.int(1);
  const shape = (t.message(2)?.repeatedMessages(2) ?? []).map((d) => d.int(1));
  const size = shape.reduce((a, b) => a * b, 1);
  if (dtype === DataType.DT_STRING) {
    const raw = t.repeatedBytes(8);
    return { dtype, shape, values: raw.map((b) => utf8.decode(b)), raw };
  }
  const content = t.bytes(4);
  let values: number[];
  if (content.length > 0) {
    const view = new DataView(content.buffer, content.byteOffset, content.length);
    const width = { [DataType.DT_DOUBLE]: 8, [DataType.DT_INT64]: 8, [DataType.DT_UINT8]: 1, [DataType.DT_BOOL]: 1 }[dtype] ?? 4;
    values = [];
    for (let i = 0; i + width <= content.length; i += width) {
      if (dtype === DataType.DT_FLOAT) values.push(view.getFloat32(i, true));
      else if (dtype === DataType.DT_DOUBLE) values.push(view.getFloat64(i, true));
      else if (dtype === DataType.DT_INT64) values.push(Number(view.getBigInt64(i, true)));
      else if (width === 1) values.push(view.getUint8(i));
      else values.push(view.getInt32(i, true));
    }
  } else {
    values = [...t.repeatedFloats(5, 4), ...t.repeatedFloats(6, 8), ...t.repeatedInts(7), ...t.repeatedInts(10)];
    // One `*_val` element fills the whole shape.
    if (values.length === 1 && size > 1) values = new Array(size).fill(values[0]);
  }
  return { dtype, shape, values, raw: [] };
}

const SESSION_STATUS = ["unknown", "success", "failure", "running"] as const;

function decodeProtoValue(v: ProtoMessage): HParamValue {
  if (v.has(2)) return v.double(2);
  if (v.has(3)) return v.string(3);
  if (v.has(4)) return v.int(4) !== 0;
  return "";
}

function decodeHParams(content: Uint8Array): HParamsRecordValue {
  const data = new ProtoMessage(content);
  const out: HParamsRecordValue = {};
  const start = data.message(3);
  if (start) {
    const hparams: Record<string, HParamValue> = {};
    for (const entry of start.repeatedMessages(1)) {
      const value = entry.message(2);
      hparams[entry.string(1)] = value ? decodeProtoValue(value) : "";
    }
    out.sessionStart = { hparams, groupName: start.string(4), startTimeSecs: start.double(5) };
  }
  const end = data.message(4);
  if (end) out.sessionEnd = { status: SESSION_STATUS[end.int(1)] ?? "unknown", endTimeSecs: end.double(2) };
  const exp = data.message(2);
  if (exp) {
    out.experiment = {
      name: exp.string(6),
      hparams: exp.repeatedMessages(4).map((h) => {
        const discrete = h.message(5);
        const interval = h.message(6);
        return {
          name: h.string(1),
          type: h.int(4),
          ...(discrete ? { values: discrete.repeatedMessages(1).map(decodeProtoValue) } : {}),
          ...(interval ? { min: interval.double(1), max: interval.double(2) } : {}),
        };
      }),
      metrics: exp.repeatedMessages(5).map((m) => ({ group: m.message(1)?.string(1) ?? "", tag: m.message(1)?.string(2) ?? "" })),
    };
  }
  return out;
}

/** Whether a file name is an event file's, as TensorBoard decides ("tfevents" in it; profiler stubs excluded). */
export function isEventFileName(name: string): boolean {
  return name.includes("tfevents") && !name.endsWith(".profile-empty");
}

/** Whether `folder` directly holds event files (false when it does not exist). */
export function holdsEventFiles(folder: string): boolean {
  try {
    return readdirSync(folder).some((n) => isEventFileName(n) && statSync(join(folder, n)).isFile());
  } catch {
    return false;
  }
}

/** Every run under `logDir` (folders holding files whose name contains "tfevents"), with files in name order. */
export function listRuns(logDir: string): { run: string; files: string[] }[] {
  const runs: { run: string; files: string[] }[] = [];
  const visit = (dir: string) => {
    const entries = readdirSync(dir).sort();
    const files = entries.filter((n) => isEventFileName(n) && statSync(join(dir, n)).isFile());
    if (files.length > 0) {
      const rel = relative(logDir, dir);
      runs.push({ run: rel === "" ? "." : rel.split(sep).join("/"), files: files.map((f) => join(dir, f)) });
    }
    for (const n of entries) if (statSync(join(dir, n)).isDirectory()) visit(join(dir, n));
  };
  visit(logDir);
  return runs.sort((a, b) => (a.run < b.run ? -1 : a.run > b.run ? 1 : 0));
}

export interface ReadRunsOptions extends ReadOptions {
  /** Keep only these tags. */
  tags?: string[];
  /** Keep only these kinds of record. */
  kinds?: SummaryKind[];
  /**
   * Return what one of TensorBoard's loaders serves, after its rules for restarted runs (see `servedRecords`):
   * `"rust"` (the data server `tensorboard` uses by default) or `"python"` (`--load_fast=false`). Records then come
   * run by run, tag by tag, in the order that loader serves them. Default: every record as written.
   */
  loader?: TensorBoardLoader;
}

/** Reads every run under `logDir` into one list of records, runs in name order, files in name order. */
export function readRuns(logDir: string, options: ReadRunsOptions = {}): SummaryRecord[] {
  const tags = options.tags ? new Set(options.tags) : undefined;
  const kinds = options.kinds ? new Set(options.kinds) : undefined;
  if (options.loader !== undefined && !["rust", "python"].includes(options.loader)) {
    throw new Error(`readRuns: loader must be "rust" or "python", got ${JSON.stringify(options.loader)}`);
  }
  const out: SummaryRecord[] = [];
  for (const { run, files } of listRuns(logDir)) {
    const keep = (r: SummaryRecord) => (!tags || tags.has(r.tag)) && (!kinds || kinds.has(r.kind));
    if (!options.loader) {
      for (const file of files) for (const r of readEventFile(file, { run, onCorrupt: options.onCorrupt }).records) if (keep(r)) out.push(r);
      continue;
    }
    // A loader's rules look at every event of the run, so filter only what it serves.
    const events = files.flatMap((file) => readEventStream(file, { run, onCorrupt: options.onCorrupt }).events);
    for (const r of servedRecords(events, options.loader)) if (keep(r)) out.push(r);
  }
  return out;
}
