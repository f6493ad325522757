import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeEvent } from "../../src/tensorboard/messages.js";
import { frameRecord } from "../../src/tensorboard/record.js";
import { scalarValue } from "../../src/tensorboard/summaries.js";
import { fromHex, hex } from "./helpers.js";

// Byte-exact records produced by TensorBoard's own RecordWriter + protobuf serializer (tensorboard-format.md §1.2).
const FILE_VERSION_RECORD =
  "1800000000000000 a37f4b22 0900000040fc54d9411a0d627261696e2e4576656e743a32 eced8f9d";
const SCALAR_RECORD =
  "2e00000000000000 c5cb57fa" +
  "09 00002040fc54d941 10 03 2a 21 0a 1f 0a 04 6c6f7373 42 0a 08 01 12 00 2a 04 0000803e 4a 0b 0a 09 0a 07 7363616c617273" +
  "e2cc36d1";

test("the file_version event matches TensorBoard's bytes", () => {
  const rec = frameRecord(encodeEvent({ wallTime: 1700000000.0, fileVersion: "brain.Event:2" }));
  assert.equal(hex(rec), hex(fromHex(FILE_VERSION_RECORD)));
});

test("a TF2 scalar event (rank-0 DT_FLOAT, plugin scalars) matches TensorBoard's bytes", () => {
  const rec = frameRecord(encodeEvent({ wallTime: 1700000000.5, step: 3, summary: [scalarValue("loss", 0.25)] }));
  assert.equal(hex(rec), hex(fromHex(SCALAR_RECORD)));
});

test("non-finite wall times are refused (RustBoard marks a file with a NaN wall time dead)", () => {
  assert.throws(() => encodeEvent({ wallTime: NaN, fileVersion: "x" }), /wall time must be finite/);
  assert.throws(() => encodeEvent({ wallTime: Infinity, fileVersion: "x" }), /wall time must be finite/);
});

test("large and negative steps encode as int64 varints", () => {
  const big = encodeEvent({ wallTime: 1, step: 2 ** 40 });
  assert.equal(hex(big.subarray(9)), "10808080808020");
  const neg = encodeEvent({ wallTime: 1, step: -1 });
  assert.equal(hex(neg.subarray(9)), "10ffffffffffffffffff01");
});
