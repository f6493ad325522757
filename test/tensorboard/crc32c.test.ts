import { test } from "node:test";
import assert from "node:assert/strict";
import { crc32c, maskedCrc32c } from "../../src/tensorboard/crc32c.js";

const ascii = (s: string) => new TextEncoder().encode(s);
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

// Vectors from RFC 3720 B.4 and TensorBoard's RustBoard doc tests (tensorboard-format.md §1.2).
test("crc32c of 32 zero bytes is 0x8a9136aa (RFC 3720)", () => {
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
});

test("crc32c of 32 0xff bytes and of 0..31 (RFC 3720)", () => {
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
});

test("masked crc of 1a 11 'CRC test, one two' is 0x5794d08a", () => {
  assert.equal(maskedCrc32c(cat(Uint8Array.from([0x1a, 0x11]), ascii("CRC test, one two"))), 0x5794d08a);
});

test("masked crc of a length-24 header is 0x224b7fa3", () => {
  assert.equal(maskedCrc32c(Uint8Array.from([0x18, 0, 0, 0, 0, 0, 0, 0])), 0x224b7fa3);
});

test("masked crc of the file_version event bytes is 0xab364b12", () => {
  const data = cat(Uint8Array.from([0x09, 0x00, 0x00, 0x80, 0x38, 0x99, 0xd6, 0xd7, 0x41, 0x1a, 0x0d]), ascii("brain.Event:2"));
  assert.equal(maskedCrc32c(data), 0xab364b12);
});

test("slicing-by-8 agrees with the bytewise definition at every length and alignment", () => {
  const bitwise = (b: Uint8Array) => {
    let c = 0xffffffff;
    for (const x of b) {
      c ^= x;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    }
    return (c ^ 0xffffffff) >>> 0;
  };
  const data = Uint8Array.from({ length: 100 }, (_, i) => (i * 37 + 11) & 0xff);
  for (let start = 0; start < 9; start++) {
    for (let len = 0; len + start <= data.length; len += 7) {
      const slice = data.subarray(start, start + len);
      assert.equal(crc32c(slice), bitwise(slice), `start ${start} len ${len}`);
    }
  }
});
