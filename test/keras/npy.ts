// A reader for numpy's .npy format (version 1/2/3, little-endian float32/float64/int32/int64, C order), enough for
// the k3-reference fixtures written by numpy.
import { readFileSync } from "node:fs";

export interface NpyArray {
  shape: number[];
  dtype: "float32" | "int32";
  data: Float32Array | Int32Array;
}

export function readNpy(file: string): NpyArray {
  const bytes = readFileSync(file);
  if (bytes.readUInt8(0) !== 0x93 || bytes.toString("latin1", 1, 6) !== "NUMPY") throw new Error(`${file}: not a .npy file`);
  const major = bytes.readUInt8(6);
  const headerLen = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = bytes.toString("latin1", start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error(`${file}: unreadable header ${header}`);
  if (fortran === "True") throw new Error(`${file}: Fortran order is not supported`);
  const shape = shapeText.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const body = bytes.subarray(start + headerLen);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  switch (descr) {
    case "<f4":
      return { shape, dtype: "float32", data: Float32Array.from({ length: n }, (_, i) => view.getFloat32(4 * i, true)) };
    case "<f8":
      return { shape, dtype: "float32", data: Float32Array.from({ length: n }, (_, i) => view.getFloat64(8 * i, true)) };
    case "<i4":
      return { shape, dtype: "int32", data: Int32Array.from({ length: n }, (_, i) => view.getInt32(4 * i, true)) };
    case "<i8":
      return { shape, dtype: "int32", data: Int32Array.from({ length: n }, (_, i) => Number(view.getBigInt64(8 * i, true))) };
    default:
      throw new Error(`${file}: dtype ${descr} is not supported`);
  }
}

/** The name the issue-15 tests use. */
export type Npy = NpyArray;
