// Restarted and resumed runs as TensorBoard's two loaders show them: the reader's `loader` mode applies each
// loader's purge rule (from its public source) to the files the writer and the callback produce.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { BackupAndRestore } from "../../src/callbacks/backup-and-restore.js";
import { LambdaCallback } from "../../src/callbacks/lambda-callback.js";
import { TensorBoard } from "../../src/callbacks/tensorboard.js";
import { fit } from "../../src/fit/fit.js";
import type { FitParams } from "../../src/fit/logs.js";
import { servedRecords } from "../../src/tensorboard/loader-rules.js";
import { SessionStatus } from "../../src/tensorboard/messages.js";
import { plotRuns } from "../../src/tensorboard/plot-runs.js";
import { readEventFile, readRuns, type DecodedEvent, type SummaryRecord } from "../../src/tensorboard/reader.js";
import { SummaryWriter } from "../../src/tensorboard/writer.js";
import { tempDir } from "./helpers.js";

before(async () => {
  await tf.setBackend("cpu");
});

/** [step, value] of one tag as a loader serves it. */
function served(dir: string, loader: "rust" | "python", tag: string, run = "train"): number[][] {
  return readRuns(dir, { loader, tags: [tag] })
    .filter((r) => r.run === run)
    .map((r) => [r.step, r.kind === "scalar" ? r.value : -1]);
}

const steps = (rows: number[][]) => rows.map(([s]) => s);

function tenSteps(dir: string): void {
  const w = new SummaryWriter(join(dir, "train"), { now: () => 1700000000 });
  for (let step = 0; step < 10; step++) w.scalar("epoch_loss", step, step);
  w.close();
}

test("python rule: a single SessionLog START in a later file is the session start, not a restart (the issue's [0..9, 5, 6, 7])", () => {
  const dir = tempDir();
  tenSteps(dir);
  const w = new SummaryWriter(join(dir, "train"), { now: () => 1700000001 });
  w.writeEvent({ wallTime: 1700000001, step: 5, sessionLog: { status: SessionStatus.START } }); // one START, as TF1's Supervisor wrote
  for (const step of [5, 6, 7]) w.scalar("epoch_loss", 100 + step, step);
  w.close();
  assert.deepEqual(steps(served(dir, "python", "epoch_loss")), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 5, 6, 7]);
  assert.deepEqual(steps(served(dir, "rust", "epoch_loss")), [0, 1, 2, 3, 4, 5, 6, 7]);
});

test("purgeStep: both loaders show the older points only below it, also when earlier files have a START of their own", () => {
  const dir = tempDir();
  tenSteps(dir);
  const second = new SummaryWriter(join(dir, "train"), { now: () => 1700000001, purgeStep: 5 });
  for (const step of [5, 6, 7]) second.scalar("epoch_loss", 100 + step, step);
  second.close();
  assert.deepEqual(readEventFile(second.file).sessionLogs.map((s) => [s.step, s.status]), [[5, 1], [5, 1]]);
  const expected = [[0, 0], [1, 1], [2, 2], [3, 3], [4, 4], [5, 105], [6, 106], [7, 107]];
  assert.deepEqual(served(dir, "python", "epoch_loss"), expected);
  assert.deepEqual(served(dir, "rust", "epoch_loss"), expected);
  // a third writer, after files that already hold STARTs: still a purge at its step
  const third = new SummaryWriter(join(dir, "train"), { now: () => 1700000002, purgeStep: 2 });
  third.scalar("epoch_loss", 202, 2);
  third.close();
  assert.deepEqual(served(dir, "python", "epoch_loss"), [[0, 0], [1, 1], [2, 202]]);
  assert.deepEqual(served(dir, "rust", "epoch_loss"), [[0, 0], [1, 1], [2, 202]]);
  assert.throws(() => new SummaryWriter(tempDir(), { purgeStep: -1 }), /purgeStep must be a whole number >= 0, got -1/);
});

test("python rule without file_version 2: an out-of-order step purges only its own tags; images keep the first per step", () => {
  const rec = (tag: string, step: number, kind: SummaryRecord["kind"] = "scalar", value: unknown = step) =>
    ({ run: ".", tag, step, wallTime: 0, plugin: "", kind, value }) as SummaryRecord;
  const ev = (step: number, ...records: SummaryRecord[]): DecodedEvent => ({ step, wallTime: 0, summary: true, records });
  const events: DecodedEvent[] = [
    ev(0, rec("a", 0)),
    ev(1, rec("a", 1), rec("b", 1)),
    ev(2, rec("a", 2), rec("b", 2)),
    ev(1, rec("a", 1, "scalar", 10)), // out of order: "a" keeps steps < 1; "b" untouched
    ev(0, rec("img", 0, "image", "new")),
  ];
  const view = (loader: "python" | "rust") => servedRecords(events, loader).map((r) => `${r.tag}@${r.step}=${String(r.value)}`);
  assert.deepEqual(view("python"), ["a@0=0", "a@1=10", "b@1=1", "b@2=2", "img@0=new"]);
  // with file_version 2 the same stream purges nothing (no START), and a repeated image step keeps the first image
  const v2: DecodedEvent[] = [{ step: 0, wallTime: 0, fileVersion: "brain.Event:2", summary: false, records: [] }, ...events, ev(0, rec("img", 0, "image", "newer"))];
  assert.deepEqual(
    servedRecords(v2, "python").map((r) => `${r.tag}@${r.step}=${String(r.value)}`),
    ["a@0=0", "a@1=1", "a@2=2", "a@1=10", "b@1=1", "b@2=2", "img@0=new"],
  );
  assert.deepEqual(
    servedRecords(v2, "rust").map((r) => `${r.tag}@${r.step}=${String(r.value)}`),
    ["a@0=0", "a@1=10", "b@1=1", "b@2=2", "img@0=newer"],
  );
  assert.throws(() => readRuns(tempDir(), { loader: "fast" as "rust" }), /loader must be "rust" or "python", got "fast"/);
});

function tinyModel(): tf.LayersModel {
  const model = tf.sequential({ name: "seq" });
  model.add(tf.layers.dense({ units: 3, inputShape: [4], activation: "relu", name: "hidden" }));
  model.add(tf.layers.dense({ units: 2, activation: "softmax", name: "out" }));
  model.compile({ optimizer: tf.train.adam(0.01), loss: "sparseCategoricalCrossentropy" });
  return model;
}

/** A fit's hooks from `initialEpoch` to `epochs` (3 batches, validation); losses are `base + epoch`. */
async function driveFit(cb: TensorBoard, model: tf.LayersModel, initialEpoch: number, epochs: number, base: number): Promise<void> {
  const params: FitParams = { epochs, steps: 3, verbose: 0, initialEpoch, batchSize: 4, samples: 12, doValidation: true, metrics: ["loss", "val_loss"] };
  cb.setModel(model);
  cb.setParams(params);
  await cb.onTrainBegin({});
  const x = tf.randomNormal([4, 4]);
  const y = tf.tensor1d([0, 1, 0, 1]);
  for (let epoch = initialEpoch; epoch < epochs; epoch++) {
    await cb.onEpochBegin(epoch, {});
    for (let b = 0; b < 3; b++) {
      await cb.onTrainBatchBegin(b, {});
      await model.trainOnBatch(x, y);
      await cb.onTrainBatchEnd(b, { loss: base + epoch });
    }
    await cb.onTestBegin({});
    await cb.onTestEnd({ loss: base + epoch + 0.5 });
    await cb.onEpochEnd(epoch, { loss: base + epoch, val_loss: base + epoch + 0.5 });
  }
  await cb.onTrainEnd({});
  tf.dispose([x, y]);
}

test("a second fit into the same log folder (initialEpoch 5): what each loader shows, tag by tag", async () => {
  const dir = tempDir();
  const model = tinyModel();
  const cb = new TensorBoard({ logDir: dir, histogramFreq: 1, updateFreq: "batch" });
  await driveFit(cb, model, 0, 10, 0); // epochs 0..9, optimizer steps 1..30
  // a fresh folder gets no SessionLog (Keras writes none)
  const fresh = readdirSync(join(dir, "train")).map((f) => readEventFile(join(dir, "train", f)).sessionLogs.length);
  assert.deepEqual(fresh, [0]);
  await driveFit(cb, model, 5, 8, 100); // epochs 5..7, optimizer steps 31..39
  const newest = (run: string) => readdirSync(join(dir, run)).sort().at(-1)!;
  for (const run of ["train", "validation"]) {
    assert.deepEqual(readEventFile(join(dir, run, newest(run))).sessionLogs.map((s) => s.step), [5, 5], `${run}: purge marks at initialEpoch`);
  }
  const resumed = [[0, 0], [1, 1], [2, 2], [3, 3], [4, 4], [5, 105], [6, 106], [7, 107]];
  for (const loader of ["rust", "python"] as const) {
    assert.deepEqual(served(dir, loader, "epoch_loss"), resumed, `${loader}: train epoch_loss`);
    assert.deepEqual(served(dir, loader, "epoch_loss", "validation"), resumed.map(([s, v]) => [s, v + 0.5]), `${loader}: validation`);
    assert.deepEqual(served(dir, loader, "epoch_learning_rate").map(([s]) => s), [0, 1, 2, 3, 4, 5, 6, 7]);
    const hist = readRuns(dir, { loader, tags: ["seq/hidden/kernel/histogram"] });
    assert.deepEqual(hist.map((r) => r.step), [0, 1, 2, 3, 4, 5, 6, 7], `${loader}: histograms`);
    assert.equal(readRuns(dir, { loader, tags: ["keras"] }).length, 1, `${loader}: one graph`);
  }
  // batch steps restart at 1 with each fit (Keras 3): the Rust loader keeps only the new fit's; the Python loader
  // keeps the old ones below the purge step (1..4) and then serves the new ones
  assert.deepEqual(served(dir, "rust", "batch_loss"), [[1, 105], [2, 105], [3, 105], [4, 106], [5, 106], [6, 106], [7, 107], [8, 107], [9, 107]]);
  assert.deepEqual(steps(served(dir, "python", "batch_loss")), [1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // evaluation_*_vs_iterations steps are optimizer steps, which go on: Rust keeps every old point, Python only
  // those below the purge step (epoch 5): here only the one at optimizer step 3
  const iterations = [3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39];
  assert.deepEqual(steps(served(dir, "rust", "evaluation_loss_vs_iterations", "validation")), iterations);
  assert.deepEqual(steps(served(dir, "python", "evaluation_loss_vs_iterations", "validation")), [3, 33, 36, 39]);
});

test("a second fit from epoch 0 (a new model) replaces the whole run in both loaders", async () => {
  const dir = tempDir();
  const cb = new TensorBoard({ logDir: dir, writeGraph: false });
  await driveFit(cb, tinyModel(), 0, 6, 0);
  await driveFit(cb, tinyModel(), 0, 2, 100);
  for (const loader of ["rust", "python"] as const) {
    assert.deepEqual(served(dir, loader, "epoch_loss"), [[0, 100], [1, 101]], loader);
    assert.deepEqual(steps(served(dir, loader, "evaluation_loss_vs_iterations", "validation")), [3, 6], loader);
  }
});

test("resumed by a BackupAndRestore listed after TensorBoard: the restart is marked at the epoch fit really starts at", async () => {
  const dir = tempDir();
  const backups = tempDir();
  const model = tinyModel();
  const x = tf.randomNormal([8, 4], 0, 1, "float32", 5);
  const y = tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1]);
  const crash = new LambdaCallback({
    onEpochEnd: (epoch: number) => {
      if (epoch === 2) throw new Error("simulated crash after epoch 2");
    },
  });
  const log = console.log;
  console.log = () => {}; // BackupAndRestore's "resuming" line
  try {
    const first = [new TensorBoard({ logDir: dir, writeGraph: false }), new BackupAndRestore(backups), crash];
    await assert.rejects(fit(model, x, y, { epochs: 6, batchSize: 4, verbose: 0, callbacks: first }), /simulated crash/);
    const second = [new TensorBoard({ logDir: dir, writeGraph: false }), new BackupAndRestore(backups)];
    await fit(model, x, y, { epochs: 6, batchSize: 4, verbose: 0, callbacks: second });
  } finally {
    console.log = log;
    tf.dispose([x, y]);
  }
  const files = readdirSync(join(dir, "train")).sort();
  assert.equal(files.length, 2);
  assert.deepEqual(readEventFile(join(dir, "train", files[1])).sessionLogs.map((s) => s.step), [3, 3]);
  for (const loader of ["rust", "python"] as const) {
    assert.deepEqual(steps(served(dir, loader, "epoch_loss")), [0, 1, 2, 3, 4, 5], loader);
  }
});

test("a second fit with hparams into the same folder warns that TensorBoard keeps the first session", async () => {
  const dir = tempDir();
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (m: string) => warnings.push(m);
  try {
    // the experiment's own summary in the folder is not a session: no warning
    const experiment = new SummaryWriter(dir);
    experiment.hparamsExperiment([{ name: "lr", min: 1e-4, max: 1 }], [{ tag: "epoch_loss", group: "validation" }]);
    experiment.close();
    await driveFit(new TensorBoard({ logDir: dir, hparams: { lr: 0.01 }, writeGraph: false }), tinyModel(), 0, 1, 0);
    assert.deepEqual(warnings, []);
    await driveFit(new TensorBoard({ logDir: dir, hparams: { lr: 0.1 }, writeGraph: false }), tinyModel(), 0, 1, 0);
  } finally {
    console.warn = warn;
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /already holds an hparams session; TensorBoard's HParams tab keeps showing the first one's values/);
});

test("plotRuns shows a restarted run as TensorBoard's default (Rust) loader does: no stale later points", async () => {
  const dir = tempDir();
  tenSteps(dir);
  const w = new SummaryWriter(join(dir, "train"), { now: () => 1700000001, purgeStep: 5 });
  for (const step of [5, 6, 7]) w.scalar("epoch_loss", 100 + step, step);
  w.close();
  const { rows } = await plotRuns(dir, { show: false });
  assert.deepEqual(rows.map((r) => [r.step, r.value]), [[0, 0], [1, 1], [2, 2], [3, 3], [4, 4], [5, 105], [6, 106], [7, 107]]);
});
