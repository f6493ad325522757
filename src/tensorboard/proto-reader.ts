// The decoding half of the minimal protobuf codec (see proto-writer.ts for why there is no library): a message is
// read into a map from field number to its raw occurrences, and typed accessors interpret them.

export type RawField =
  | { wire: 0; value: number }
  | { wire: 1; bytes: Uint8Array }
  | { wire: 2; bytes: Uint8Array }
  | { wire: 5; bytes: Uint8Array };

const utf8 = new TextDecoder("utf-8");

export class ProtoMessage {
  readonly fields = new Map<number, RawField[]>();

  constructor(buf: Uint8Array) {
    let pos = 0;
    while (pos < buf.length) {
      const key = decodeVarint(buf, pos);
      pos = key.next;
      const field = Math.floor(key.value / 8);
      const wire = key.value & 7;
      if (field === 0) throw new Error("protobuf: field number 0");
      let raw: RawField;
      if (wire === 0) {
        const v = decodeVarint(buf, pos);
        pos = v.next;
        raw = { wire, value: v.value };
      } else {
        let n: number;
        if (wire === 1) n = 8;
        else if (wire === 5) n = 4;
        else if (wire === 2) {
          const len = decodeVarint(buf, pos);
          pos = len.next;
          n = len.value;
        } else throw new Error(`protobuf: unsupported wire type ${wire}`);
        if (pos + n > buf.length) throw new Error("protobuf: field runs past the end of the message");
        raw = { wire, bytes: buf.subarray(pos, pos + n) } as RawField;
        pos += n;
      }
      const list = this.fields.get(field);
      if (list) list.push(raw);
      else this.fields.set(field, [raw]);
    }
  }

  has(field: number): boolean {
    return this.fields.has(field);
  }

  private last(field: number): RawField | undefined {
    const list = this.fields.get(field);
    return list?.[list.length - 1];
  }

  /** int32/int64/enum/bool as a JS number (int64 steps stay exact up to 2^53). */
  int(field: number): number {
    const f = this.last(field);
    if (!f || f.wire !== 0) return 0;
    return f.value;
  }

  double(field: number): number {
    const f = this.last(field);
    if (!f || f.wire !== 1) return 0;
    return new DataView(f.bytes.buffer, f.bytes.byteOffset, 8).getFloat64(0, true);
  }

  float(field: number): number {
    const f = this.last(field);
    if (!f || f.wire !== 5) return 0;
    return new DataView(f.bytes.buffer, f.bytes.byteOffset, 4).getFloat32(0, true);
  }

  bytes(field: number): Uint8Array {
    const f = this.last(field);
    return f && f.wire === 2 ? f.bytes : new Uint8Array(0);
  }

  string(field: number): string {
    return utf8.decode(this.bytes(field));
  }

  message(field: number): ProtoMessage | undefined {
    const f = this.last(field);
    return f && f.wire === 2 ? new ProtoMessage(f.bytes) : undefined;
  }

  repeatedBytes(field: number): Uint8Array[] {
    return (this.fields.get(field) ?? []).flatMap((f) => (f.wire === 2 ? [f.bytes] : []));
  }

  repeatedMessages(field: number): ProtoMessage[] {
    return this.repeatedBytes(field).map((b) => new ProtoMessage(b));
  }

  /** Repeated float/double, packed or not. */
  repeatedFloats(field: number, width: 4 | 8): number[] {
    const out: number[] = [];
    for (const f of this.fields.get(field) ?? []) {
      const b = f.wire === 0 ? undefined : f.bytes;
      if (!b) continue;
      const view = new DataView(b.buffer, b.byteOffset, b.length);
      for (let i = 0; i + width <= b.length; i += width) {
        out.push(width === 4 ? view.getFloat32(i, true) : view.getFloat64(i, true));
      }
    }
    return out;
  }

  /** Repeated int32/int64, packed or not. */
  repeatedInts(field: number): number[] {
    const out: number[] = [];
    for (const f of this.fields.get(field) ?? []) {
      if (f.wire === 0) out.push(f.value);
      else if (f.wire === 2) {
        let pos = 0;
        while (pos < f.bytes.length) {
          const r = decodeVarint(f.bytes, pos);
          out.push(r.value);
          pos = r.next;
        }
      }
    }
    return out;
  }
}

/**
 * A varint as a signed 64-bit number (exact up to 2^53). Plain arithmetic for the usual short varints (tags,
 * lengths, steps); BigInt only for 8+ byte ones (negative int64s, huge values).
 */
function decodeVarint(buf: Uint8Array, pos: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 7; i++) {
    if (pos >= buf.length) throw new Error("protobuf: truncated varint");
    const b = buf[pos++];
    value += (b & 0x7f) * scale;
    if (!(b & 0x80)) return { value, next: pos };
    scale *= 128;
  }
  let big = BigInt(value);
  let shift = 49n;
  for (;;) {
    if (pos >= buf.length) throw new Error("protobuf: truncated varint");
    const b = buf[pos++];
    big |= BigInt(b & 0x7f) << shift;
    if (!(b & 0x80)) return { value: Number(BigInt.asIntN(64, big)), next: pos };
    shift += 7n;
    if (shift > 63n) throw new Error("protobuf: varint too long");
  }
}
