// TFRecord framing: u64 length, masked CRC-32C of the length bytes, data, masked CRC-32C of the data (all LE).
import { maskedCrc32c } from "./crc32c.js";

export const RECORD_HEADER_BYTES = 12;
export const RECORD_FOOTER_BYTES = 4;

export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_BYTES + data.length + RECORD_FOOTER_BYTES);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, RECORD_HEADER_BYTES);
  view.setUint32(RECORD_HEADER_BYTES + data.length, maskedCrc32c(data), true);
  return out;
}

export interface RecordScan {
  /** The data of every whole, checksum-valid record, with the byte offset where its header starts. */
  records: { offset: number; data: Uint8Array }[];
  /** Bytes after the last whole record that do not yet form a whole record (a file still being written). */
  trailingBytes: number;
  /** The first checksum mismatch; reading stops there, as TensorBoard's loaders do. */
  corruption?: { offset: number; reason: string };
}

/** Splits a file's bytes into records; a partial last record is not an error, a bad checksum is. */
export function scanRecords(buf: Uint8Array): RecordScan {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const records: RecordScan["records"] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < RECORD_HEADER_BYTES) break;
    const lengthBytes = buf.subarray(pos, pos + 8);
    const lengthCrc = view.getUint32(pos + 8, true);
    if (maskedCrc32c(lengthBytes) !== lengthCrc) {
      return { records, trailingBytes: 0, corruption: { offset: pos, reason: "length CRC mismatch" } };
    }
    const length = Number(view.getBigUint64(pos, true));
    const end = pos + RECORD_HEADER_BYTES + length + RECORD_FOOTER_BYTES;
    if (end > buf.length) break;
    const data = buf.subarray(pos + RECORD_HEADER_BYTES, pos + RECORD_HEADER_BYTES + length);
    if (maskedCrc32c(data) !== view.getUint32(end - RECORD_FOOTER_BYTES, true)) {
      return { records, trailingBytes: 0, corruption: { offset: pos, reason: "data CRC mismatch" } };
    }
    records.push({ offset: pos, data });
    pos = end;
  }
  return { records, trailingBytes: buf.length - pos };
}
