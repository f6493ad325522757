import { unzipSync, zipSync, type Zippable } from "fflate";

/** One archive member: Keras stores all three uncompressed (STORED), in a fixed order. */
export interface ZipMember {
  name: string;
  data: Uint8Array;
  /** Keras stamps the JSON members 1980-01-01 00:00 (the DOS epoch) and the weights with the save time. */
  mtime: Date;
}

/** The DOS epoch in local time, as Python's zipfile writes for members without a timestamp. */
export const DOS_EPOCH = (): Date => new Date(1980, 0, 1, 0, 0, 0);

/** A zip with STORED members, Unix origin and 0o600 permissions, no comment: the shape of Keras's archives. */
export function buildZip(members: ZipMember[]): Uint8Array {
  const entries: Zippable = {};
  for (const m of members) entries[m.name] = [m.data, { level: 0, mtime: m.mtime, os: 3, attrs: 0o600 << 16 }];
  return zipSync(entries);
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
