// The .keras archive's zip is written by tslab-fit's own STORED-zip writer (native CRC-32): it must be the very
// bytes fflate's zipSync wrote before (the layout Keras reads, checked against h5py/zipfile in h5py-structure).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { zipSync, type Zippable } from "fflate";
import { buildZip, crc32, crc32Js, DOS_EPOCH, readZip, type ZipMember } from "../../src/io/keras/zip.js";

function fflateZip(members: ZipMember[]): Uint8Array {
  const entries: Zippable = {};
  for (const m of members) entries[m.name] = [m.data, { level: 0, mtime: m.mtime, os: 3, attrs: 0o600 << 16 }];
  return zipSync(entries);
}

function bytes(n: number, seed: number): Uint8Array {
  let s = seed;
  return Uint8Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) >>> 0), s >>> 24));
}

describe("buildZip", () => {
  it("writes the same bytes as fflate's zipSync for Keras's three members (and odd sizes, names, times)", () => {
    const cases: ZipMember[][] = [
      [
        { name: "metadata.json", data: new TextEncoder().encode('{"keras_version": "3.5.0"}'), mtime: DOS_EPOCH() },
        { name: "config.json", data: new TextEncoder().encode('{"class_name": "Sequential"}'), mtime: DOS_EPOCH() },
        { name: "model.weights.h5", data: bytes(630_001, 7), mtime: new Date(2026, 11, 1, 18, 59, 37) },
      ],
      [{ name: "é/ü.bin", data: new Uint8Array(0), mtime: new Date(2099, 11, 31, 23, 59, 59) }],
      [],
    ];
    for (const members of cases) assert.deepEqual(buildZip(members), fflateZip(members));
  });

  it("round-trips through the zip reader", () => {
    const data = bytes(1000, 3);
    const read = readZip(buildZip([{ name: "model.weights.h5", data, mtime: new Date() }]));
    assert.deepEqual(read.get("model.weights.h5"), data);
  });

  it("computes the zip CRC-32 (check value of '123456789' is cbf43926)", () => {
    assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
    const data = bytes(100_003, 11);
    assert.equal(crc32Js(data), crc32(data), "the JS fallback agrees with zlib");
    assert.equal(crc32Js(new TextEncoder().encode("123456789")), 0xcbf43926);
  });

  it("refuses dates a zip cannot stamp, naming the member", () => {
    assert.throws(() => buildZip([{ name: "config.json", data: new Uint8Array(1), mtime: new Date(1979, 0, 1) }]), /config\.json.*1980 to 2099/);
  });
});
