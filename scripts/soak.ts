// Soak: many epochs of a tiny model with every callback at once, watching for slow leaks. After a warm-up the tfjs
// tensor count and the open file handles must stay exactly constant, RSS must stay bounded, and the files written
// must hold exactly what the epochs produced (event records, CSV rows, checkpoints).
//
//   npm run soak                      1,000 epochs (prints a summary; exits 1 on a failed check)
//   npm run soak -- --epochs 200      CI runs this many from test/reliability/soak.test.ts
import * as tf from "@tensorflow/tfjs";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BackupAndRestore,
  CSVLogger,
  EarlyStopping,
  fit,
  LambdaCallback,
  LearningRateScheduler,
  LivePlot,
  loadKeras,
  ModelCheckpoint,
  ProgressBar,
  readEventFile,
  ReduceLROnPlateau,
  TensorBoard,
  TerminateOnNaN,
  useBestBackend,
} from "../src/index.js";
import { RECORD_FOOTER_BYTES, RECORD_HEADER_BYTES, scanRecords } from "../src/tensorboard/record.js";
import { toyData } from "../test/helpers.js";

export interface SoakOptions {
  epochs: number;
  /** Epochs before the counts are taken as the baseline (optimizer slots, writers and snapshots exist by then). */
  warmup?: number;
  /** Allowed RSS growth after the warm-up, in MiB. */
  rssBudgetMiB?: number;
  /** Keep the output folder (default: removed). */
  keep?: boolean;
  log?: (line: string) => void;
}

export interface SoakSample {
  epoch: number;
  tensors: number;
  fds: number;
  rssMiB: number;
  /** Size of the train event file after this epoch's flush. */
  eventBytes: number;
}

export interface SoakResult {
  epochs: number;
  seconds: number;
  backend: string;
  samples: SoakSample[];
  eventFileBytes: number;
  /** Failed checks, in words; empty when the soak passed. */
  failures: string[];
  dir: string;
}

const HISTOGRAM_FREQ = 25;

function openFileHandles(): number {
  // Linux: one entry per open descriptor. Elsewhere the check is skipped (reported as -1).
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return -1;
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const { epochs } = options;
  const warmup = options.warmup ?? Math.min(20, Math.floor(epochs / 5));
  const rssBudgetMiB = options.rssBudgetMiB ?? 128;
  const log = options.log ?? (() => {});
  await useBestBackend();
  const dir = await mkdtemp(join(tmpdir(), "tslab-fit-soak-"));
  const { x, y } = toyData(64, 3);
  // A functional model with two branches, so the checkpoints and the graph carry a real DAG.
  const input = tf.input({ shape: [4] });
  const wide = tf.layers.dense({ units: 12, activation: "relu" }).apply(input) as tf.SymbolicTensor;
  const deep = tf.layers.dense({ units: 6, activation: "tanh" }).apply(tf.layers.dense({ units: 8, activation: "relu" }).apply(input)) as tf.SymbolicTensor;
  const merged = tf.layers.concatenate().apply([wide, deep]) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 3, activation: "softmax" }).apply(merged) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  model.compile({ optimizer: tf.train.adam(0.01), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });

  const samples: SoakSample[] = [];
  const csvPath = join(dir, "log.csv");
  const logDir = join(dir, "tb");
  const trainDir = join(logDir, "train");
  const checkpoints = [
    new ModelCheckpoint({ filepath: join(dir, "best.keras"), saveBestOnly: true }),
    new ModelCheckpoint({ filepath: join(dir, "last") }),
  ];
  const sampler = new LambdaCallback({
    onEpochEnd: async (epoch: number) => {
      // Checkpoints are written in the background: a write in flight holds a file open. Count once they settled.
      await Promise.all(checkpoints.map((c) => c.flush()));
      const eventBytes = statSync(join(trainDir, readdirSync(trainDir)[0])).size;
      samples.push({ epoch, tensors: tf.memory().numTensors, fds: openFileHandles(), rssMiB: process.memoryUsage().rss / 2 ** 20, eventBytes });
      if ((epoch + 1) % 100 === 0) log(`epoch ${epoch + 1}/${epochs}: ${tf.memory().numTensors} tensors, ${openFileHandles()} fds, ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB RSS`);
    },
  });
  const sink = { text: "", write(t: string) { this.text = t.slice(-200); } };
  const start = performance.now();
  const warn = console.warn;
  const out = console.log;
  const printed: string[] = [];
  console.warn = (...a: unknown[]) => void printed.push(a.join(" "));
  console.log = (...a: unknown[]) => void printed.push(a.join(" "));
  try {
    await fit(model, x, y, {
      epochs,
      batchSize: 16,
      validationSplit: 0.25,
      verbose: 1,
      callbacks: [
        new TerminateOnNaN(),
        new LearningRateScheduler((_epoch, lr) => lr),
        new ReduceLROnPlateau({ monitor: "val_loss", factor: 0.5, patience: 10, minLr: 1e-4 }),
        new EarlyStopping({ monitor: "val_loss", patience: epochs, restoreBestWeights: true }),
        ...checkpoints,
        new BackupAndRestore(join(dir, "backup")),
        new CSVLogger(csvPath),
        new TensorBoard({ logDir, histogramFreq: HISTOGRAM_FREQ, writeStepsPerSecond: true }),
        new LivePlot({ path: join(dir, "live.json") }),
        new ProgressBar({ verbose: 1, stream: sink }),
        sampler,
      ],
    });
  } finally {
    console.warn = warn;
    console.log = out;
  }
  const seconds = (performance.now() - start) / 1000;

  const failures: string[] = [];
  const check = (ok: boolean, what: string) => void (ok || failures.push(what));
  check(samples.length === epochs, `${epochs} epochs ran (got ${samples.length})`);
  const steady = samples.slice(warmup);
  const base = steady[0];
  const tensorsSeen = [...new Set(steady.map((s) => s.tensors))];
  check(tensorsSeen.length === 1, `tensor count constant after epoch ${warmup} (saw ${tensorsSeen.join(", ")})`);
  if (base.fds >= 0) {
    const fdsSeen = [...new Set(steady.map((s) => s.fds))];
    check(fdsSeen.length === 1, `open file handles constant after epoch ${warmup} (saw ${fdsSeen.join(", ")})`);
  }
  const maxRss = Math.max(...steady.map((s) => s.rssMiB));
  check(maxRss - base.rssMiB <= rssBudgetMiB, `RSS grew by at most ${rssBudgetMiB} MiB after the warm-up (${base.rssMiB.toFixed(0)} → max ${maxRss.toFixed(0)} MiB)`);
  const unexpected = printed.filter((l) => !/ReduceLROnPlateau|tslab-fit: training on|LivePlot|chart/.test(l));
  check(unexpected.length === 0, `nothing unexpected printed (got: ${unexpected.slice(0, 3).join(" | ")})`);

  // The event files hold exactly the records the epochs produced, each whole, and nothing else.
  const [trainFile, ...extraTrain] = readdirSync(trainDir);
  check(extraTrain.length === 0, "one train event file");
  const bytes = new Uint8Array(readFileSync(join(trainDir, trainFile)));
  const scan = scanRecords(bytes);
  const framed = scan.records.reduce((sum, r) => sum + RECORD_HEADER_BYTES + r.data.length + RECORD_FOOTER_BYTES, 0);
  check(framed === bytes.length && scan.trailingBytes === 0 && !scan.corruption, `train event file is whole records only (${framed} of ${bytes.length} bytes)`);
  const train = readEventFile(join(trainDir, trainFile));
  const count = (tag: string) => train.records.filter((r) => r.tag === tag).length;
  for (const tag of ["epoch_loss", "epoch_accuracy", "epoch_learning_rate", "epoch_steps_per_second"]) {
    check(count(tag) === epochs, `${tag}: one point per epoch (${count(tag)})`);
  }
  const histograms = train.records.filter((r) => r.kind === "histogram").length;
  const weights = model.weights.length;
  check(histograms === Math.ceil(epochs / HISTOGRAM_FREQ) * weights, `histograms every ${HISTOGRAM_FREQ} epochs for ${weights} weights (${histograms})`);
  check(count("keras") === 1, "the graph once");
  const [validationFile] = readdirSync(join(logDir, "validation"));
  const validation = readEventFile(join(logDir, "validation", validationFile));
  check(validation.records.filter((r) => r.tag === "epoch_loss").length === epochs, "validation epoch_loss: one point per epoch");
  const eventFileBytes = statSync(join(trainDir, trainFile)).size + statSync(join(logDir, "validation", validationFile)).size;
  // Bytes per epoch do not drift: every epoch without histograms adds the same bytes to the file, give or take the
  // step's varint growing a byte at 128 and 16,384 (4 scalars per epoch), so nothing accumulates in the records.
  const deltas = samples.slice(1).filter((s) => s.epoch % HISTOGRAM_FREQ !== 0).map((s) => s.eventBytes - samples[s.epoch - 1].eventBytes);
  const [minDelta, maxDelta] = [Math.min(...deltas), Math.max(...deltas)];
  check(maxDelta - minDelta <= 8, `each epoch adds the same bytes to the event file (${minDelta}–${maxDelta})`);
  const epochRecords = train.records.filter((r) => r.kind === "scalar");
  check(epochRecords.length === 4 * epochs, `4 scalars per epoch (${epochRecords.length})`);

  const rows = readFileSync(csvPath, "utf8").trim().split("\n");
  check(rows.length === epochs + 1, `CSV: header + ${epochs} rows (${rows.length})`);
  check(existsSync(join(dir, "best.keras")), "best.keras exists");
  const best = await loadKeras(join(dir, "best.keras"), { onWarning: () => {} });
  check(best.weights.length === weights, "best.keras loads");
  best.dispose();
  const last = await tf.loadLayersModel(`file://${join(dir, "last", "model.json")}`);
  check(last.weights.length === weights, "the folder checkpoint loads");
  last.dispose();
  check(readdirSync(dir).filter((n) => n.startsWith(".")).length === 0, "no side copies left by the saves");
  check(!existsSync(join(dir, "backup")), "BackupAndRestore removed its backup at the normal end");

  const result: SoakResult = { epochs, seconds, backend: tf.getBackend(), samples, eventFileBytes, failures, dir };
  tf.dispose([x, y]);
  model.dispose();
  if (!options.keep) await rm(dir, { recursive: true, force: true });
  return result;
}

export function summary(r: SoakResult): string {
  const warm = r.samples[Math.min(r.samples.length - 1, Math.min(20, Math.floor(r.epochs / 5)))];
  const end = r.samples.at(-1)!;
  return [
    `soak: ${r.epochs} epochs in ${r.seconds.toFixed(1)} s on ${r.backend} (${((r.seconds * 1000) / r.epochs).toFixed(1)} ms/epoch), every callback`,
    `  tensors  after warm-up ${warm.tensors}, at the end ${end.tensors}`,
    `  open fds after warm-up ${warm.fds}, at the end ${end.fds}`,
    `  RSS      after warm-up ${warm.rssMiB.toFixed(0)} MiB, at the end ${end.rssMiB.toFixed(0)} MiB, max ${Math.max(...r.samples.map((s) => s.rssMiB)).toFixed(0)} MiB`,
    `  event files ${r.eventFileBytes} bytes (${(r.eventFileBytes / r.epochs).toFixed(0)} bytes/epoch, train and validation)`,
    r.failures.length === 0 ? "  all checks passed" : `  FAILED:\n${r.failures.map((f) => `    - ${f}`).join("\n")}`,
  ].join("\n");
}

if (require.main === module) {
  const i = process.argv.indexOf("--epochs");
  const epochs = i > 0 ? Number(process.argv[i + 1]) : 1000;
  runSoak({ epochs, keep: process.argv.includes("--keep"), log: (l) => void process.stdout.write(l + "\n") }).then((r) => {
    console.log(summary(r));
    if (process.argv.includes("--keep")) console.log(`  files kept in ${r.dir}`);
    process.exit(r.failures.length === 0 ? 0 : 1);
  });
}
