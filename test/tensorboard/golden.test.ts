import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { scanRecords } from "../../src/tensorboard/record.js";
import { readEventFile } from "../../src/tensorboard/reader.js";
import { writeGolden } from "./golden-file.js";
import { fromHex, hex, tempDir } from "./helpers.js";
import { protocDecode, protocMissing } from "./protoc.js";

const GOLDEN = join(__dirname, "golden", "events.out.tfevents.1700000000.golden.1234.v2");
const GOLDEN_TXT = join(__dirname, "golden", "golden.txt");

function decodeAll(bytes: Uint8Array): string {
  return scanRecords(bytes)
    .records.map((r, i) => `# record ${i} @ ${r.offset}\n${protocDecode("tensorboard.Event", "event.proto", r.data)}`)
    .join("");
}

test("the writer reproduces the frozen golden file byte for byte", () => {
  const w = writeGolden(tempDir());
  const bytes = new Uint8Array(readFileSync(w.file));
  if (process.env.UPDATE_GOLDEN === "1") {
    writeFileSync(GOLDEN, bytes);
    if (!protocMissing()) writeFileSync(GOLDEN_TXT, decodeAll(bytes));
  }
  assert.ok(existsSync(GOLDEN), `golden file missing: ${GOLDEN} (regenerate with UPDATE_GOLDEN=1 and review golden.txt)`);
  assert.equal(hex(bytes), hex(new Uint8Array(readFileSync(GOLDEN))));
});

test("the golden file starts with TensorBoard's own bytes for file_version and a scalar", () => {
  const bytes = new Uint8Array(readFileSync(GOLDEN));
  const expected = fromHex(
    "1800000000000000a37f4b220900000040fc54d9411a0d627261696e2e4576656e743a32eced8f9d" +
      "2e00000000000000c5cb57fa0900002040fc54d94110032a210a1f0a046c6f7373420a080112002a040000803e4a0b0a090a077363616c617273e2cc36d1",
  );
  assert.equal(hex(bytes.subarray(0, expected.length)), hex(expected));
});

test("the golden file reads back to the expected records", () => {
  const c = readEventFile(GOLDEN, { run: "train" });
  assert.equal(c.fileVersion, "brain.Event:2");
  assert.deepEqual(
    c.records.map((r) => [r.tag, r.kind, r.step]),
    [
      ["loss", "scalar", 3],
      ["dense/kernel/histogram", "histogram", 0],
      ["notes", "text", 0],
      ["dense/kernel/image", "image", 0],
      ["keras", "graph", 0],
      ["_hparams_/session_start_info", "hparams", 0],
      ["_hparams_/session_end_info", "hparams", 0],
    ],
  );
});

// golden.txt was produced by this protoc; other versions may print floats or escapes differently.
const GOLDEN_PROTOC = "libprotoc 3.21.12";

test("protoc decodes every golden record to the frozen text", (t) => {
  const missing = protocMissing();
  if (missing) return t.skip(missing);
  const version = spawnSync("protoc", ["--version"], { encoding: "utf8" }).stdout.trim();
  if (version !== GOLDEN_PROTOC) return t.skip(`golden.txt comes from ${GOLDEN_PROTOC}, this is ${version} (protoc.test.ts still decodes every kind)`);
  const bytes = new Uint8Array(readFileSync(GOLDEN));
  assert.equal(decodeAll(bytes), readFileSync(GOLDEN_TXT, "utf8"));
});
