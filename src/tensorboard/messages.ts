// Encoders for TensorBoard's Event, Summary and TensorProto messages (field numbers from tensorboard's
// event.proto, summary.proto, tensor.proto, tensor_shape.proto; see docs/tensorboard.md). Fields go out in
// field-number order, as protobuf's own serializers do, so the bytes match TensorBoard's writer exactly.
import { ProtoWriter } from "./proto-writer.js";

/** TensorFlow's DataType enum values this library writes or reads. */
export const DataType = {
  DT_FLOAT: 1,
  DT_DOUBLE: 2,
  DT_INT32: 3,
  DT_UINT8: 4,
  DT_STRING: 7,
  DT_INT64: 9,
  DT_BOOL: 10,
} as const;

export interface TensorSpec {
  dtype: number;
  /** Dimension sizes; `[]` is rank 0 (the shape message is still written, empty, as TF does). */
  shape: number[];
  /** Raw little-endian, row-major values (never for DT_STRING). */
  content?: Uint8Array;
  floatVal?: ArrayLike<number>;
  doubleVal?: ArrayLike<number>;
  stringVal?: Uint8Array[];
}

export interface SummaryValueSpec {
  tag: string;
  /** The legacy scalar form (`simple_value`); TF2 writers use `tensor` instead. */
  simpleValue?: number;
  tensor?: TensorSpec;
  pluginName: string;
  /** Plugin-specific content; empty for scalars, histograms, images and text. */
  pluginContent?: Uint8Array;
}

export const SessionStatus = { STATUS_UNSPECIFIED: 0, START: 1, STOP: 2, CHECKPOINT: 3 } as const;

export interface EventSpec {
  wallTime: number;
  step?: number;
  fileVersion?: string;
  summary?: SummaryValueSpec[];
  sessionLog?: { status: number; checkpointPath?: string; msg?: string };
  sourceWriter?: string;
}

export function encodeTensorShape(shape: number[]): ProtoWriter {
  const w = new ProtoWriter();
  // Dim{size = 1}; a zero size is the proto3 default and leaves an empty Dim, exactly like TF's serializer.
  for (const size of shape) w.message(2, new ProtoWriter().varint(1, size));
  return w;
}

export function encodeTensor(t: TensorSpec): ProtoWriter {
  const w = new ProtoWriter().varint(1, t.dtype).message(2, encodeTensorShape(t.shape));
  w.bytes(4, t.content);
  if (t.floatVal) w.packedFloats(5, t.floatVal);
  if (t.doubleVal) w.packedDoubles(6, t.doubleVal);
  for (const s of t.stringVal ?? []) w.bytesAlways(8, s);
  return w;
}

export function encodeSummaryValue(v: SummaryValueSpec): ProtoWriter {
  const w = new ProtoWriter().string(1, v.tag);
  // simple_value is in the `value` oneof, so it is written even when 0: its presence marks a legacy scalar.
  if (v.simpleValue !== undefined) w.float(2, v.simpleValue, true);
  if (v.tensor) w.message(8, encodeTensor(v.tensor));
  const pluginData = new ProtoWriter().string(1, v.pluginName).bytes(2, v.pluginContent);
  // data_class (field 4) is deliberately left unset: TensorBoard derives it from the plugin name and only then
  // applies its compatibility fixes (tensorboard-format.md §3).
  w.message(9, new ProtoWriter().message(1, pluginData));
  return w;
}

export function encodeEvent(e: EventSpec): Uint8Array {
  if (!Number.isFinite(e.wallTime)) throw new RangeError(`event wall time must be finite, got ${e.wallTime}`);
  const w = new ProtoWriter().double(1, e.wallTime).varint(2, e.step ?? 0);
  w.string(3, e.fileVersion);
  if (e.summary) {
    const s = new ProtoWriter();
    for (const v of e.summary) s.message(1, encodeSummaryValue(v));
    w.message(5, s);
  }
  if (e.sessionLog) {
    const l = e.sessionLog;
    w.message(7, new ProtoWriter().varint(1, l.status).string(2, l.checkpointPath).string(3, l.msg));
  }
  if (e.sourceWriter) w.message(10, new ProtoWriter().string(1, e.sourceWriter));
  return w.finish();
}
