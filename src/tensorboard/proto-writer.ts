// A minimal protobuf (proto3) encoder for the dozen TensorBoard messages this library writes.
//
// Why not protobufjs / @bufbuild/protobuf: the messages are fixed and few, every field is written in field-number
// order (what Python's serializer does, so bytes match TensorBoard's own output exactly), and a direct encoder needs
// no schema loading, reflection or code generation step. It is about 150 lines and has no dependency; see
// docs/tensorboard.md for the measured throughput. Decoding lives in proto-reader.ts.
//
// Messages are built bottom-up: a nested message is complete (so its length is known) before it is written as a
// length-delimited field of its parent.

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();

const scratch = new DataView(new ArrayBuffer(8));
/** Byte blobs shorter than this are copied into the current run; longer ones are kept by reference. */
const INLINE_LIMIT = 64;

export class ProtoWriter {
  // A message is a list of parts: runs of small bytes in plain arrays (cheap to grow, unlike ArrayBuffers, whose
  // allocation dominated an earlier version) and large blobs by reference. A nested message appends its parts
  // without copying, and finish() copies everything once.
  private parts: (number[] | Uint8Array)[] = [];
  private run: number[] = [];
  /** Encoded size in bytes. */
  length = 0;

  private push(bytes: Uint8Array): this {
    if (bytes.length < INLINE_LIMIT) {
      for (let i = 0; i < bytes.length; i++) this.run.push(bytes[i]);
    } else {
      this.endRun();
      this.parts.push(bytes);
    }
    this.length += bytes.length;
    return this;
  }

  private endRun(): void {
    if (this.run.length === 0) return;
    this.parts.push(this.run);
    this.run = [];
  }

  private tag(field: number, wire: number): this {
    return this.rawVarint(field * 8 + wire);
  }

  /** Unsigned varint of a non-negative integer up to 2^53; negative int32/int64 use the 10-byte two's complement. */
  private rawVarint(value: number): this {
    if (!Number.isInteger(value)) throw new RangeError(`protobuf varint must be an integer, got ${value}`);
    const start = this.run.length;
    if (value >= 0 && value < 0x80000000) {
      let n = value;
      while (n > 0x7f) {
        this.run.push((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      this.run.push(n);
    } else {
      let v = BigInt(value);
      if (v < 0n) v += 1n << 64n;
      while (v > 0x7fn) {
        this.run.push(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      this.run.push(Number(v));
    }
    this.length += this.run.length - start;
    return this;
  }

  private scratchBytes(n: number): this {
    for (let i = 0; i < n; i++) this.run.push(scratch.getUint8(i));
    this.length += n;
    return this;
  }

  /** proto3 omits a scalar field equal to its default (0, false, "", empty bytes). */
  varint(field: number, value: number | boolean | undefined, always = false): this {
    const n = typeof value === "boolean" ? (value ? 1 : 0) : value;
    if (n === undefined || (!always && !n)) return this;
    return this.tag(field, WIRE_VARINT).rawVarint(n);
  }

  double(field: number, value: number | undefined, always = false): this {
    if (value === undefined || (!always && value === 0 && !Object.is(value, -0))) return this;
    scratch.setFloat64(0, value, true);
    return this.tag(field, WIRE_FIXED64).scratchBytes(8);
  }

  /** `always` writes a zero too: members of a oneof are serialized whenever they are set. */
  float(field: number, value: number | undefined, always = false): this {
    if (value === undefined || (!always && value === 0 && !Object.is(value, -0))) return this;
    scratch.setFloat32(0, value, true);
    return this.tag(field, WIRE_FIXED32).scratchBytes(4);
  }

  string(field: number, value: string | undefined): this {
    if (!value) return this;
    return this.bytes(field, utf8.encode(value));
  }

  bytes(field: number, value: Uint8Array | undefined): this {
    if (!value || value.length === 0) return this;
    return this.bytesAlways(field, value);
  }

  /** A length-delimited field written even when empty: repeated elements and present-but-empty sub-messages. */
  bytesAlways(field: number, value: Uint8Array): this {
    return this.tag(field, WIRE_BYTES).rawVarint(value.length).push(value);
  }

  /** A sub-message; `undefined` leaves it absent, an empty message is still written (presence matters). */
  message(field: number, value: ProtoWriter | Uint8Array | undefined): this {
    if (value === undefined) return this;
    if (value instanceof Uint8Array) return this.bytesAlways(field, value);
    this.tag(field, WIRE_BYTES).rawVarint(value.length);
    value.endRun();
    this.endRun();
    for (const p of value.parts) this.parts.push(p);
    this.length += value.length;
    return this;
  }

  packedFloats(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    const buf = new Uint8Array(values.length * 4);
    const view = new DataView(buf.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
    return this.bytesAlways(field, buf);
  }

  packedDoubles(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    const buf = new Uint8Array(values.length * 8);
    const view = new DataView(buf.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
    return this.bytesAlways(field, buf);
  }

  finish(): Uint8Array {
    this.endRun();
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const p of this.parts) {
      if (p instanceof Uint8Array) out.set(p, offset);
      else for (let i = 0; i < p.length; i++) out[offset + i] = p[i];
      offset += p.length;
    }
    return out;
  }
}
