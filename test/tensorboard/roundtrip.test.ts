import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SummaryWriter } from "../../src/tensorboard/writer.js";
import { EventFileCorruptError, readEventFile, readRuns, listRuns } from "../../src/tensorboard/reader.js";
import { histogramBuckets } from "../../src/tensorboard/histogram.js";
import { encodePng } from "../../src/tensorboard/png.js";
import { tempDir } from "./helpers.js";
import { inflateSync } from "node:zlib";

test("every summary kind survives write → read", () => {
  const dir = tempDir();
  const w = new SummaryWriter(join(dir, "train"), { now: () => 1700000000.5 });
  w.scalar("epoch_loss", 0.25, 0);
  w.scalar("epoch_loss", -3.5, 1);
  const values = Array.from({ length: 1000 }, (_, i) => Math.sin(i));
  w.histogram("dense/kernel/histogram", values, 0);
  w.text("notes", "**hello** _markdown_", 0);
  w.image("img", { width: 4, height: 3, channels: 1, pixels: Uint8Array.from({ length: 12 }, (_, i) => i * 20) }, 2);
  w.kerasGraph({ class_name: "Sequential", config: { name: "seq", layers: [] } });
  w.hparamsSessionStart({ lr: 0.01, optimizer: "adam", dropout: false, zero: 0, empty: "" }, { groupName: "run-0" });
  w.hparamsSessionEnd("success");
  w.close();

  const recs = readRuns(dir);
  const byTag = (tag: string) => recs.filter((r) => r.tag === tag);
  assert.deepEqual(byTag("epoch_loss").map((r) => [r.run, r.kind, r.step, r.value, r.wallTime]), [
    ["train", "scalar", 0, 0.25, 1700000000.5],
    ["train", "scalar", 1, -3.5, 1700000000.5],
  ]);
  const [h] = byTag("dense/kernel/histogram");
  assert.equal(h.kind, "histogram");
  assert.deepEqual(h.value, histogramBuckets(values));
  assert.equal((h.value as { count: number }[]).reduce((s, b) => s + b.count, 0), 1000);
  const [t] = byTag("notes");
  assert.deepEqual([t.kind, t.value, t.plugin], ["text", "**hello** _markdown_", "text"]);
  const [img] = byTag("img");
  assert.equal(img.kind, "image");
  if (img.kind === "image") {
    assert.equal(img.value.width, 4);
    assert.equal(img.value.height, 3);
    assert.equal(img.value.images.length, 1);
    assert.deepEqual(img.value.images[0].subarray(0, 8), Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  }
  const [g] = byTag("keras");
  assert.deepEqual([g.kind, g.plugin, g.step], ["graph", "graph_keras_model", 0]);
  assert.deepEqual(JSON.parse(g.value as string).config.name, "seq");
  const [start] = byTag("_hparams_/session_start_info");
  assert.equal(start.kind, "hparams");
  if (start.kind === "hparams") {
    assert.deepEqual(start.value.sessionStart?.hparams, { lr: 0.01, optimizer: "adam", dropout: false, zero: 0, empty: "" });
    assert.equal(start.value.sessionStart?.groupName, "run-0");
  }
  const [end] = byTag("_hparams_/session_end_info");
  assert.equal(end.kind === "hparams" && end.value.sessionEnd?.status, "success");
});

test("hparams experiment round-trips domains and metrics", () => {
  const dir = tempDir();
  const w = new SummaryWriter(dir);
  w.hparamsExperiment(
    [{ name: "lr", min: 1e-4, max: 1e-1 }, { name: "optimizer", values: ["adam", "sgd"] }],
    [{ tag: "epoch_accuracy", group: "validation" }],
  );
  w.close();
  const [r] = readRuns(dir);
  assert.equal(r.kind, "hparams");
  if (r.kind === "hparams") {
    assert.deepEqual(r.value.experiment?.hparams, [
      { name: "lr", type: 3, min: 1e-4, max: 1e-1 },
      { name: "optimizer", type: 1, values: ["adam", "sgd"] },
    ]);
    assert.deepEqual(r.value.experiment?.metrics, [{ group: "validation", tag: "epoch_accuracy" }]);
  }
  assert.throws(() => new SummaryWriter(tempDir()).hparamsExperiment([{ name: "x" }], []), /needs either "values"/);
});

test("histogram buckets follow TF2's rules: equal values, empty input, clamping of the max", () => {
  const same = histogramBuckets([2, 2, 2], 5);
  assert.deepEqual(same.map((b) => b.count), [0, 0, 0, 0, 3]);
  assert.ok(same.every((b) => b.left === 2 && b.right === 2));
  assert.deepEqual(histogramBuckets([], 3), [0, 1, 2].map(() => ({ left: 0, right: 0, count: 0 })));
  const b = histogramBuckets([0, 1, 2, 3, 4], 4);
  assert.deepEqual(b.map((x) => [x.left, x.right, x.count]), [[0, 1, 1], [1, 2, 1], [2, 3, 1], [3, 4, 2]]);
  assert.deepEqual(histogramBuckets([0, NaN, 1, Infinity], 2).map((x) => x.count), [1, 1]);
});

test("a truncated file keeps every whole record and reports the partial tail", () => {
  const dir = tempDir();
  const w = new SummaryWriter(dir);
  for (let i = 0; i < 5; i++) w.scalar("x", i, i);
  w.close();
  const full = readFileSync(w.file);
  truncateSync(w.file, full.length - 7);
  const c = readEventFile(w.file);
  assert.deepEqual(c.records.map((r) => r.value), [0, 1, 2, 3]);
  assert.ok(c.trailingBytes > 0);
  assert.equal(c.corruption, undefined);
  // the rest of the record arrives: the reader now sees all five
  appendFileSync(w.file, full.subarray(full.length - 7));
  assert.deepEqual(readEventFile(w.file).records.map((r) => r.value), [0, 1, 2, 3, 4]);
});

test("a CRC mismatch is reported with the file and the record's byte offset", () => {
  const dir = tempDir();
  const w = new SummaryWriter(dir);
  for (let i = 0; i < 3; i++) w.scalar("x", i, i);
  w.close();
  const bytes = new Uint8Array(readFileSync(w.file));
  const firstLen = 12 + Number(new DataView(bytes.buffer).getBigUint64(0, true)) + 4;
  const secondLen = 12 + Number(new DataView(bytes.buffer).getBigUint64(firstLen, true)) + 4;
  const third = firstLen + secondLen; // the 2nd scalar record starts here
  bytes[third + 20] ^= 0xff; // flip a data byte
  writeFileSync(w.file, bytes);
  assert.throws(
    () => readEventFile(w.file),
    (e: unknown) =>
      e instanceof EventFileCorruptError && e.offset === third && e.file === w.file && /data CRC mismatch.*offset/.test(e.message),
  );
  const stopped = readEventFile(w.file, { onCorrupt: "stop" });
  assert.deepEqual(stopped.records.map((r) => r.value), [0]);
  assert.deepEqual(stopped.corruption, { file: w.file, offset: third, reason: "data CRC mismatch" });
  // a corrupt length CRC
  bytes[third + 20] ^= 0xff;
  bytes[third + 9] ^= 0x01;
  writeFileSync(w.file, bytes);
  assert.throws(() => readEventFile(w.file), /length CRC mismatch .* at byte offset/);
});

test("runs are the folders holding event files, relative to the log folder, nested ones included", () => {
  const dir = tempDir();
  for (const run of ["train", "validation", "hp/run-0/train", "."]) new SummaryWriter(join(dir, run)).close();
  assert.deepEqual(listRuns(dir).map((r) => r.run), [".", "hp/run-0/train", "train", "validation"]);
});

test("PNG encoder output inflates back to the filtered rows", () => {
  const pixels = Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => i * 10);
  const png = encodePng(2, 3, 3, pixels);
  const view = new DataView(png.buffer, png.byteOffset);
  assert.equal(view.getUint32(16), 2);
  assert.equal(view.getUint32(20), 3);
  assert.equal(png[25], 2, "color type RGB");
  const idatLen = view.getUint32(33);
  const raw = inflateSync(png.subarray(41, 41 + idatLen));
  assert.equal(raw.length, 3 * (1 + 6));
  assert.deepEqual([...raw.subarray(1, 7)], [...pixels.subarray(0, 6)]);
  assert.throws(() => encodePng(2, 2, 1, new Uint8Array(3)), /expected 4 pixel bytes/);
});
