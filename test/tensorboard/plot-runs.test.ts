import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { SummaryWriter } from "../../src/tensorboard/writer.js";
import { plotRuns } from "../../src/tensorboard/plot-runs.js";
import { tempDir } from "./helpers.js";

function makeRuns(): string {
  const dir = tempDir();
  for (const [run, scale] of [["lr-0.1/train", 1], ["lr-0.1/validation", 2], ["lr-0.01/train", 3]] as const) {
    const w = new SummaryWriter(join(dir, run));
    for (let step = 0; step < 3; step++) {
      w.scalar("epoch_loss", scale / (step + 1), step);
      w.scalar("epoch_accuracy", step / 10, step);
    }
    w.histogram("h", [1, 2, 3], 0);
    w.close();
  }
  return dir;
}

test("plotRuns returns {run, tag, step, value} rows for every run, sorted, scalars only", async () => {
  const dir = makeRuns();
  const { rows, spec } = await plotRuns(dir, { tags: ["epoch_loss"] });
  assert.deepEqual(
    rows.map((r) => [r.run, r.tag, r.step]),
    ["lr-0.01/train", "lr-0.1/train", "lr-0.1/validation"].flatMap((run) => [0, 1, 2].map((s) => [run, "epoch_loss", s])),
  );
  assert.ok(Math.abs(rows.find((r) => r.run === "lr-0.1/validation" && r.step === 1)!.value - 1) < 1e-7);
  assert.equal(spec.$schema, "https://vega.github.io/schema/vega-lite/v5.json");
  assert.deepEqual((spec.data as { values: { run: string }[] }).values.map((v) => v.run), rows.map((r) => r.run));
  assert.deepEqual((spec.spec as { encoding: { color: { field: string } } }).encoding.color.field, "experiment");
  const all = await plotRuns(dir);
  assert.deepEqual([...new Set(all.rows.map((r) => r.tag))].sort(), ["epoch_accuracy", "epoch_loss"]);
  const one = await plotRuns(dir, { runs: ["lr-0.01/train"] });
  assert.deepEqual([...new Set(one.rows.map((r) => r.run))], ["lr-0.01/train"]);
});

test("plotRuns: a restarted run's later points replace the earlier ones at the same step", async () => {
  const dir = tempDir();
  const a = new SummaryWriter(join(dir, "train"), { now: () => 1700000000 });
  a.scalar("epoch_loss", 5, 0);
  a.scalar("epoch_loss", 4, 1);
  a.close();
  const b = new SummaryWriter(join(dir, "train"), { now: () => 1700000001 });
  b.scalar("epoch_loss", 3, 1);
  b.close();
  const { rows } = await plotRuns(dir);
  assert.deepEqual(rows.map((r) => [r.step, r.value]), [[0, 5], [1, 3]]);
});

test("plotRuns: unknown tags and bad folders are clear errors", async () => {
  await assert.rejects(plotRuns(makeRuns(), { tags: ["epoch_los"] }), /no scalars for "epoch_los"/);
  await assert.rejects(plotRuns(""), /logDir must be a folder path/);
  await assert.rejects(plotRuns(join(tempDir(), "missing")), /ENOENT/);
});

test("plotRuns' spec compiles with vega-lite without warnings and renders to a PNG file", async (t) => {
  const { compileSpec } = await import("../../src/display/render.js");
  const dir = makeRuns();
  const out = join(tempDir(), "runs.png");
  const { spec } = await plotRuns(dir, { path: out });
  const compiled = await compileSpec(spec);
  assert.deepEqual(compiled.warnings, []);
  const { readFileSync } = await import("node:fs");
  const png = readFileSync(out);
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  t.diagnostic(`chart PNG: ${png.length} bytes`);
});

test("plotRuns in a tslab notebook shows one Vega-Lite chart (with a PNG) through the display layer", async () => {
  const { installFakeTslab } = await import("../display/fake-tslab.js");
  const fake = installFakeTslab();
  try {
    const { spec } = await plotRuns(makeRuns(), { tags: ["epoch_loss"] });
    assert.equal(fake.sent.length, 1);
    const data = fake.sent[0].displayData.data;
    assert.deepEqual(data["application/vnd.vegalite.v5+json"], spec);
    assert.ok(data["image/png"], "a PNG for static viewers");
    assert.match(String(data["text/plain"]), /2 runs, 1 tag, 9 points/); // lr-0.1 (train + validation) and lr-0.01
  } finally {
    fake.uninstall();
  }
});

test("plotRuns' summary counts one training (train + validation folders) as one run", async () => {
  const dir = tempDir();
  for (const run of ["train", "validation"]) {
    const w = new SummaryWriter(join(dir, "2025-01-01T10-00", run));
    w.scalar("epoch_loss", 1, 0);
    w.close();
  }
  const { installFakeTslab } = await import("../display/fake-tslab.js");
  const fake = installFakeTslab();
  try {
    await plotRuns(dir);
    assert.match(String(fake.sent[0].displayData.data["text/plain"]), /^1 run, 1 tag, 2 points from /);
  } finally {
    fake.uninstall();
  }
});
