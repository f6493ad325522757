import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { SummaryWriter } from "../../src/tensorboard/writer.js";
import { readEventFile } from "../../src/tensorboard/reader.js";
import { scanRecords } from "../../src/tensorboard/record.js";
import { fixedClock, tempDir } from "./helpers.js";

test("file name is events.out.tfevents.<10-digit secs>.<host>.<pid>.<n>.v2 and the first record is file_version", () => {
  const dir = tempDir();
  const w = new SummaryWriter(join(dir, "train"), { now: fixedClock(1700000000.25), hostname: "box", pid: 42 });
  assert.match(basename(w.file), /^events\.out\.tfevents\.1700000000\.box\.42\.\d{4}\.v2$/);
  // flushed at once, before any summary
  const scan = scanRecords(new Uint8Array(readFileSync(w.file)));
  assert.equal(scan.records.length, 1);
  w.close();
  const contents = readEventFile(w.file);
  assert.equal(contents.fileVersion, "brain.Event:2");
  assert.equal(contents.records.length, 0);
});

test("one open writer per run folder; successive writers in one second create distinct files in creation order", () => {
  const dir = tempDir();
  const a = new SummaryWriter(dir, { now: () => 1700000000 });
  assert.throws(() => new SummaryWriter(join(dir, "."), { now: () => 1700000000 }), /already has an open writer in this process \(one writer per run folder\)/);
  a.close();
  const b = new SummaryWriter(dir, { now: () => 1700000000 });
  assert.notEqual(a.file, b.file);
  const names = readdirSync(dir).sort();
  assert.deepEqual(names, [basename(a.file), basename(b.file)]);
  b.close();
});

test("the file is created exclusively: an existing name is never appended to", () => {
  const dir = tempDir();
  // Pre-create every name the next writer could pick for this second, host and pid, for the next few counters.
  const probe = new SummaryWriter(dir, { now: () => 1600000000, hostname: "h", pid: 1 });
  probe.close();
  const before = readFileSync(probe.file);
  const n = Number(/\.(\d{4})\.v2$/.exec(probe.file)![1]);
  const next = probe.file.replace(/\.\d{4}\.v2$/, `.${String(n + 1).padStart(4, "0")}.v2`);
  writeFileSync(next, "occupied");
  const w = new SummaryWriter(dir, { now: () => 1600000000, hostname: "h", pid: 1 });
  assert.notEqual(w.file, next);
  assert.equal(readFileSync(next, "utf8"), "occupied");
  assert.deepEqual(readFileSync(probe.file), before);
  w.close();
});

test("steps must strictly increase per tag; other tags are independent", () => {
  const w = new SummaryWriter(tempDir());
  w.scalar("loss", 1, 0);
  w.scalar("loss", 0.5, 1);
  w.scalar("acc", 0.1, 0);
  assert.throws(() => w.scalar("loss", 0.4, 1), /step 1 for tag "loss" is not greater than the previous step 1/);
  assert.throws(() => w.scalar("loss", 0.4, 0), /strictly increase/);
  assert.throws(() => w.scalar("loss", 0.4, 2.5), /integer/);
  assert.equal(w.lastStepOf("loss"), 1);
  w.close();
  assert.deepEqual(
    readEventFile(w.file).records.map((r) => [r.tag, r.step]),
    [["loss", 0], ["loss", 1], ["acc", 0]],
  );
});

test("records are buffered and flushed on flush(), after flushMillis, and on close; close is idempotent", async () => {
  const w = new SummaryWriter(tempDir(), { flushMillis: 50 });
  const size0 = statSync(w.file).size;
  w.scalar("a", 1, 1);
  assert.equal(statSync(w.file).size, size0, "buffered, not yet written");
  w.flush();
  const size1 = statSync(w.file).size;
  assert.ok(size1 > size0);
  w.scalar("a", 2, 2);
  await new Promise((r) => setTimeout(r, 120));
  assert.ok(statSync(w.file).size > size1, "timer flush");
  w.scalar("a", 3, 3);
  w.close();
  w.close();
  assert.equal(w.closed, true);
  assert.deepEqual(readEventFile(w.file).records.map((r) => r.value), [1, 2, 3]);
  assert.throws(() => w.scalar("a", 4, 4), /closed/);
});

test("a full buffer is written at once", () => {
  const w = new SummaryWriter(tempDir(), { maxBufferBytes: 200, flushMillis: 60_000 });
  const size0 = statSync(w.file).size;
  for (let i = 0; i < 10; i++) w.scalar("a", i, i);
  assert.ok(statSync(w.file).size > size0);
  w.close();
});

test("purgeStep writes two SessionLog STARTs after file_version (the Python loader ignores a run's first)", () => {
  const w = new SummaryWriter(tempDir(), { purgeStep: 5 });
  w.close();
  assert.deepEqual(readEventFile(w.file).sessionLogs.map((s) => [s.step, s.status]), [[5, 1], [5, 1]]);
});

test("bad options and values give clear errors", () => {
  assert.throws(() => new SummaryWriter(tempDir(), { flushMillis: -1 }), /flushMillis must be >= 0/);
  const w = new SummaryWriter(tempDir());
  assert.throws(() => w.scalar("x", "1" as unknown as number, 0), /must be a number/);
  assert.throws(() => w.image("img", [], 0), /no images/);
  assert.throws(() => w.histogram("h", [1, 2], 0, 0), /bucketCount must be a positive integer/);
  w.close();
});
