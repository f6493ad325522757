import * as zlib from "node:zlib";
import { unzipSync } from "fflate";

/** One archive member: Keras stores all three uncompressed (STORED), in a fixed order. */
export interface ZipMember {
  name: string;
  data: Uint8Array;
  /** Keras stamps the JSON members 1980-01-01 00:00 (the DOS epoch) and the weights with the save time. */
  mtime: Date;
}

/** The DOS epoch in local time, as Python's zipfile writes for members without a timestamp. */
export const DOS_EPOCH = (): Date => new Date(1980, 0, 1, 0, 0, 0);

const LOCAL_HEADER = 30;
const CENTRAL_HEADER = 46;
const END_RECORD = 22;
/** Version 2.0 (what STORED members need), made on Unix (3), with rw------- permissions: as Keras's archives. */
const VERSION = 20;
const UNIX = 3;
const PERMISSIONS = 0o600 << 16;

/**
 * A zip with STORED members, Unix origin and 0o600 permissions, no comment: the shape of Keras's archives. Written
 * here rather than by fflate's zipSync (which makes the same bytes, checked in test/keras/zip.test.ts) because a
 * checkpoint's CRC-32 over the weights then comes from zlib's native code: 0.1 ms instead of 1.6 ms for the seed
 * MLP with Adam state. Members are copied once, into the archive.
 */
export function buildZip(members: ZipMember[]): Uint8Array {
  const enc = new TextEncoder();
  const names = members.map((m) => enc.encode(m.name));
  const bodies = members.reduce((n, m, i) => n + LOCAL_HEADER + names[i].length + m.data.length, 0);
  const directory = names.reduce((n, name) => n + CENTRAL_HEADER + name.length, 0);
  const out = new Uint8Array(bodies + directory + END_RECORD);
  const view = new DataView(out.buffer);
  let at = 0;
  let central = bodies;
  for (const [i, m] of members.entries()) {
    if (names[i].length > 0xffff || m.data.length > 0xffffffff) throw new RangeError(`zip member ${m.name} is too large for a zip without ZIP64`);
    const crc = crc32(m.data);
    const stamp = dosTime(m.mtime, m.name);
    const offset = at;
    // Bit 11: the name is UTF-8 (set only for names beyond ASCII, as Python's zipfile does).
    const flags = names[i].length !== m.name.length ? 0x0800 : 0;
    // Local header, then the data.
    view.setUint32(at, 0x04034b50, true);
    view.setUint16(at + 4, VERSION, true);
    view.setUint16(at + 6, flags, true);
    view.setUint32(at + 10, stamp, true);
    view.setUint32(at + 14, crc, true);
    view.setUint32(at + 18, m.data.length, true);
    view.setUint32(at + 22, m.data.length, true);
    view.setUint16(at + 26, names[i].length, true);
    out.set(names[i], at + LOCAL_HEADER);
    at += LOCAL_HEADER + names[i].length;
    out.set(m.data, at);
    at += m.data.length;
    // Its central-directory entry.
    view.setUint32(central, 0x02014b50, true);
    view.setUint8(central + 4, VERSION);
    view.setUint8(central + 5, UNIX);
    view.setUint16(central + 6, VERSION, true);
    view.setUint16(central + 8, flags, true);
    view.setUint32(central + 12, stamp, true);
    view.setUint32(central + 16, crc, true);
    view.setUint32(central + 20, m.data.length, true);
    view.setUint32(central + 24, m.data.length, true);
    view.setUint16(central + 28, names[i].length, true);
    view.setUint32(central + 38, PERMISSIONS, true);
    view.setUint32(central + 42, offset, true);
    out.set(names[i], central + CENTRAL_HEADER);
    central += CENTRAL_HEADER + names[i].length;
  }
  view.setUint32(central, 0x06054b50, true);
  view.setUint16(central + 8, members.length, true);
  view.setUint16(central + 10, members.length, true);
  view.setUint32(central + 12, directory, true);
  view.setUint32(central + 16, bodies, true);
  return out;
}

/** MS-DOS date and time (2-second resolution, local time), time in the low half. */
function dosTime(d: Date, name: string): number {
  const year = d.getFullYear() - 1980;
  if (!(year >= 0 && year <= 119)) throw new RangeError(`zip member ${name}: a zip can stamp dates from 1980 to 2099, got ${d.toISOString()}`);
  return ((year << 25) | ((d.getMonth() + 1) << 21) | (d.getDate() << 16) | (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1)) >>> 0;
}

let table: Int32Array | undefined;

/** CRC-32 (the zip one): zlib's native code where Node has it (≥ 20.15), else a table in JS. */
export function crc32(data: Uint8Array): number {
  const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
  return typeof native === "function" ? native(data) >>> 0 : crc32Js(data);
}

/** The same CRC-32 in JS, where zlib has none (Node before 20.15, other runtimes). */
export function crc32Js(data: Uint8Array): number {
  table ??= Int32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c;
  });
  let c = -1;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 255] ^ (c >>> 8);
  return ~c >>> 0;
}

/** Members of a zip by name. Throws a plain message for bytes that are not a zip. */
export function readZip(bytes: Uint8Array): Map<string, Uint8Array> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new Error(`not a readable zip archive (${(e as Error).message})`);
  }
  return new Map(Object.entries(files));
}

/** True when the bytes start with a zip local-file header ("PK\x03\x04") or an empty-archive record. */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5);
}
