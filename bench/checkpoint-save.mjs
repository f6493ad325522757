// What does a crash-safe checkpoint cost, and what does writing it in the background save the training path?
//  1. One save of the MNIST MLP (784-64-10, ~51k weights, with Adam state) per format, interleaved, against a
//     plain unsafe write of the same bytes; and building the .keras bytes alone (the part that is CPU, not disk).
//  2. Whole fits with ModelCheckpoint(.keras, saveBestOnly, val_loss): none / synchronous (background: false, the
//     write inside the epoch's hook, as before) / background (default), interleaved; and the checkpoint's own hook
//     time per fit and per epoch (onTrainEnd includes waiting for the last write).
//   npm run build && node bench/checkpoint-save.mjs [repeats=15] [digits=2000,10000] [fitRepeats=5]
import * as tf from "@tensorflow/tfjs";
import { fit, kerasArchiveBytes, ModelCheckpoint, saveModel } from "../dist/index.js";
import { mkdtempSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { digits, interleave, makeMlp, median, setBackend } from "./common.mjs";

const repeats = Number(process.argv[2] ?? 15);
const sizes = (process.argv[3] ?? "2000,10000").split(",").map(Number);
const fitRepeats = Number(process.argv[4] ?? 5);
const backend = await setBackend();

async function oneSave() {
  const model = makeMlp();
  await model.trainOnBatch(tf.zeros([2, 784]), tf.tensor2d([[1], [0]]));
  const dir = mkdtempSync(join(tmpdir(), "bench-save-"));
  const variants = {
    // The unsafe baseline: the same two files written in place, no fsync, no rename (what a crash can tear).
    "plain writeFile, no fsync (unsafe)": async () => {
      const d = join(dir, "plain");
      await mkdir(d, { recursive: true });
      await model.save(tf.io.withSaveHandler(async (a) => {
        await writeFile(join(d, "weights.bin"), new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData)));
        await writeFile(join(d, "model.json"), JSON.stringify({ modelTopology: a.modelTopology, weightsManifest: [{ paths: ["./weights.bin"], weights: a.weightSpecs }] }));
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
      }));
    },
    "TF.js layers folder (fsync + two renames)": () => saveModel(model, join(dir, "best")),
    ".keras archive (fsync + one rename)": () => saveModel(model, join(dir, "best.keras")),
    // The CPU part of a .keras save (copy of the state, HDF5, ZIP) without the disk: what runs on the training thread.
    ".keras bytes only, no disk (snapshot + HDF5 + ZIP)": () => kerasArchiveBytes(model),
  };
  const times = await interleave(variants, repeats);
  rmSync(dir, { recursive: true, force: true });
  model.dispose();
  const base = median(times["plain writeFile, no fsync (unsafe)"]);
  const rows = [`### One save (backend ${backend}, MNIST MLP 784-64-10 with Adam state, ${repeats} interleaved runs, medians)`, "", "| variant | median ms | ratio |", "|---|---:|---:|"];
  for (const [name, t] of Object.entries(times)) rows.push(`| ${name} | ${median(t).toFixed(1)} | ${(median(t) / base).toFixed(2)} |`);
  return rows.join("\n");
}

/** Wraps the checkpoint's hooks with timers: per fit (train begin + end) and summed over epochs. */
function timed(ckpt, acc) {
  for (const [hook, kind] of [["onTrainBegin", "fit"], ["onTrainEnd", "end"], ["onEpochEnd", "epoch"]]) {
    const own = ckpt[hook];
    ckpt[hook] = async function (...args) {
      const t0 = performance.now();
      try {
        return await own.apply(this, args);
      } finally {
        acc[kind] += performance.now() - t0;
      }
    };
  }
  return ckpt;
}

async function fits(limit) {
  const epochs = 3;
  const { x, y, yFloat } = digits(limit);
  yFloat.dispose();
  const opts = { epochs, batchSize: 32, validationSplit: 0.2, verbose: 0 };
  const hooks = { sync: [], background: [] };
  const saves = [];
  const withCheckpoint = (background) => async ({ model, dir }) => {
    const acc = { fit: 0, end: 0, epoch: 0 };
    const ckpt = timed(new ModelCheckpoint({ filepath: join(dir, "best.keras"), saveBestOnly: true, background }), acc);
    const t0 = performance.now();
    await fit(model, x, y, { ...opts, callbacks: [ckpt] });
    acc.wall = performance.now() - t0;
    hooks[background ? "background" : "sync"].push(acc);
    saves.push(ckpt.saved.length);
  };
  const variants = {
    "fit, no checkpoint": ({ model }) => fit(model, x, y, opts),
    "fit + ModelCheckpoint, synchronous (background: false)": withCheckpoint(false),
    "fit + ModelCheckpoint, background (default)": withCheckpoint(true),
  };
  const times = await interleave(variants, fitRepeats, {
    setup: () => ({ model: makeMlp(7), dir: mkdtempSync(join(tmpdir(), "bench-ckpt-")) }),
    teardown: ({ model, dir }) => (model.dispose(), rmSync(dir, { recursive: true, force: true })),
  });
  tf.dispose([x, y]);
  const base = median(times["fit, no checkpoint"]);
  const rows = [
    `### Fits with a checkpoint: ${limit.toLocaleString("en")} digits, ${epochs} epochs, batch 32, ${backend}, ${fitRepeats} interleaved runs (saves per fit: median ${median(saves)})`,
    "",
    "| variant | median fit ms | ratio to no checkpoint |",
    "|---|---:|---:|",
  ];
  for (const [name, t] of Object.entries(times)) rows.push(`| ${name} | ${median(t).toFixed(0)} | ${(median(t) / base).toFixed(3)} |`);
  rows.push("", "| ModelCheckpoint hook time (median over its fits, warm-up excluded) | onTrainBegin ms | per epoch (onEpochEnd) ms | onTrainEnd ms (waits for the last write) | all hooks, share of the fit |", "|---|---:|---:|---:|---:|");
  for (const [mode, list] of Object.entries(hooks)) {
    const later = list.slice(1);
    const m = (f) => median(later.map(f));
    rows.push(`| ${mode} | ${m((a) => a.fit).toFixed(1)} | ${m((a) => a.epoch / epochs).toFixed(1)} | ${m((a) => a.end).toFixed(1)} | ${(100 * m((a) => (a.fit + a.end + a.epoch) / a.wall)).toFixed(1)} % |`);
  }
  return rows.join("\n");
}

const out = [await oneSave()];
for (const limit of sizes) out.push(await fits(limit));
console.log(`${out.join("\n\n")}\n\n(load average ${(await import("node:os")).loadavg().map((l) => l.toFixed(1)).join(" ")} at the end; the machine is shared: read the ratios)`);
