import { readFileSync } from "node:fs";

/** A `.npy` array (format 1.x/2.x, little-endian float32 or int32, C order). */
export interface Npy {
  shape: number[];
  dtype: "float32" | "int32";
  data: Float32Array | Int32Array;
}

export function readNpy(file: string): Npy {
  const buf = readFileSync(file);
  if (buf.readUInt8(0) !== 0x93 || buf.toString("latin1", 1, 6) !== "NUMPY") throw new Error(`${file} is not a .npy file`);
  const major = buf.readUInt8(6);
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString("latin1", start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? "";
  if (fortran !== "False") throw new Error(`${file}: Fortran order is not supported`);
  const shape = shapeText.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  const body = buf.subarray(start + headerLen);
  const bytes = new Uint8Array(body).slice().buffer;
  if (descr === "<f4") return { shape, dtype: "float32", data: new Float32Array(bytes) };
  if (descr === "<i4") return { shape, dtype: "int32", data: new Int32Array(bytes) };
  throw new Error(`${file}: dtype ${descr} is not supported`);
}
