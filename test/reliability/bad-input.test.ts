// The bad-input table: every public function and option, given something it cannot use. Each row names the call,
// the error class it must throw, the argument the message must name, and what the message must say is allowed.
// Warning rows assert that the warning is printed exactly once however many epochs run. Read it as documentation:
// `node scripts/run-tests.mjs test/reliability/bad-input.test.ts` prints one line per row.
import * as tf from "@tensorflow/tfjs";
import { zipSync } from "fflate";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import {
  BackupAndRestore,
  Callback,
  CallbackError,
  CSVLogger,
  EarlyStopping,
  EventFileCorruptError,
  fit,
  formatPath,
  LivePlot,
  loadMnist,
  SummaryWriter,
  fitDataset,
  LambdaCallback,
  LearningRateScheduler,
  loadKeras,
  loadKerasWeights,
  loadLayersWeights,
  ModelCheckpoint,
  ProgressBar,
  readEventFile,
  ReduceLROnPlateau,
  saveKeras,
  saveKerasWeights,
  saveModel,
  TensorBoard,
  TerminateOnNaN,
  type Logs,
} from "../../src/index.js";
import { kerasWeightsTree } from "../../src/io/keras/save.js";
import { writeH5 } from "../../src/io/keras/h5.js";
import { captureConsole, tempDir, toyData, tinyModel, useCpu } from "../helpers.js";

before(useCpu);

type ErrorClass = new (...args: never[]) => Error;

interface ErrorRow {
  /** What is wrong, as a user would describe it. */
  input: string;
  run: () => unknown;
  error: ErrorClass;
  /** The argument the message must name. */
  names: string;
  /** What the message must say is allowed (or what to do instead). */
  allowed: RegExp;
}

const data = () => toyData(24);
const fitWith = (options: object, metrics?: string[]) => () => {
  const { x, y } = data();
  return fit(metrics ? customMetricModel(metrics[0]) : tinyModel(), x, y, { verbose: 0, ...options });
};

/** A model compiled with a custom metric function called `name` (tfjs logs it under that name). */
function customMetricModel(name: string): tf.LayersModel {
  const model = tinyModel();
  const metric = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.mean(tf.sub(yPred, yPred));
  Object.defineProperty(metric, "name", { value: name });
  model.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy", metrics: [metric] });
  return model;
}
const dataset = (n = 3) => {
  const { x, y } = toyData(8 * n);
  return tf.data.zip({ xs: tf.data.array(tf.split(x, n)), ys: tf.data.array(tf.split(y, n)) }) as tf.data.Dataset<tf.TensorContainer>;
};
const dir = () => tempDir("tslab-fit-bad-");

const rows: ErrorRow[] = [
  // ── fit options ──
  { input: "fit options that are not an object", run: () => { const { x, y } = data(); return fit(tinyModel(), x, y, 5 as never); }, error: TypeError, names: "options", allowed: /must be an object such as \{ epochs: 10/ },
  { input: "an unknown fit option (typo `epoch`)", run: fitWith({ epoch: 10 }), error: TypeError, names: '"epoch"', allowed: /the options are epochs, initialEpoch/ },
  { input: "epochs as a string", run: fitWith({ epochs: "10" }), error: TypeError, names: "epochs", allowed: /whole number >= 1, got "10"/ },
  { input: "epochs 0", run: fitWith({ epochs: 0 }), error: RangeError, names: "epochs", allowed: /whole number >= 1, got 0/ },
  { input: "epochs 2.5", run: fitWith({ epochs: 2.5 }), error: RangeError, names: "epochs", allowed: /whole number >= 1/ },
  { input: "initialEpoch -1", run: fitWith({ initialEpoch: -1 }), error: RangeError, names: "initialEpoch", allowed: /whole number >= 0/ },
  { input: "batchSize 0", run: fitWith({ batchSize: 0 }), error: RangeError, names: "batchSize", allowed: /whole number >= 1/ },
  { input: "validationSplit 1.5", run: fitWith({ validationSplit: 1.5 }), error: RangeError, names: "validationSplit", allowed: /strictly between 0 and 1/ },
  { input: 'validationSplit "0.2" (a string)', run: fitWith({ validationSplit: "0.2" }), error: TypeError, names: "validationSplit", allowed: /a number strictly between 0 and 1/ },
  { input: "validationSplit that leaves no training sample", run: fitWith({ validationSplit: 0.99 }), error: RangeError, names: "validationSplit", allowed: /at least one sample on each side/ },
  { input: "validationData with one entry", run: () => { const { x, y } = data(); return fit(tinyModel(), x, y, { verbose: 0, validationData: [x] as never }); }, error: TypeError, names: "validationData", allowed: /\[x, y\]/ },
  { input: "validationFreq 0", run: fitWith({ validationFreq: 0 }), error: RangeError, names: "validationFreq", allowed: /whole number >= 1/ },
  { input: "verbose 3", run: fitWith({ verbose: 3 }), error: RangeError, names: "verbose", allowed: /0, 1 or 2/ },
  { input: 'shuffle "yes"', run: fitWith({ shuffle: "yes" }), error: TypeError, names: "shuffle", allowed: /true or false/ },
  { input: 'stopOnInterrupt "yes"', run: fitWith({ stopOnInterrupt: "yes" }), error: TypeError, names: "stopOnInterrupt", allowed: /true or false, got "yes"/ },
  { input: "signal that is not an AbortSignal", run: fitWith({ signal: {} }), error: TypeError, names: "signal", allowed: /AbortSignal/ },
  { input: "callbacks not an array", run: fitWith({ callbacks: new EarlyStopping() }), error: TypeError, names: "callbacks", allowed: /an array of callbacks/ },
  { input: "a callback that is a number", run: fitWith({ callbacks: [42] }), error: TypeError, names: "callbacks[0]", allowed: /a Callback instance or an object of hook functions/ },
  { input: "the same callback twice in one list", run: () => { const es = new EarlyStopping(); return fitWith({ callbacks: [es, new History0(), es] })(); }, error: Error, names: "callbacks[2]", allowed: /same EarlyStopping instance as callbacks\[0\]: pass each callback once/ },

  // ── the data ──
  { input: "x as a plain array", run: () => fit(tinyModel(), [[1, 2, 3, 4]] as never, tf.tensor1d([0]), { verbose: 0 }), error: TypeError, names: "x", allowed: /a tf.Tensor or an array of tf.Tensors/ },
  { input: "x of strings", run: () => fit(tinyModel(), tf.tensor(["a", "b"]) as tf.Tensor, tf.tensor1d([0, 1]), { verbose: 0 }), error: TypeError, names: "x", allowed: /numbers \(float32, int32 or bool\), got dtype string/ },
  { input: "labels (y) of strings", run: () => fit(tinyModel(), tf.ones([2, 4]), tf.tensor(["a", "b"]), { verbose: 0 }), error: TypeError, names: "y", allowed: /numbers \(float32, int32 or bool\)/ },
  { input: "y with fewer samples than x", run: () => fit(tinyModel(), tf.ones([10, 4]), tf.tensor1d([1, 2, 0], "int32"), { verbose: 0 }), error: RangeError, names: "y", allowed: /same first dimension/ },
  { input: "labels shaped for 5 classes, model outputs 3", run: () => fit(oneHotModel(), tf.ones([6, 4]), tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0], "int32"), 5), { verbose: 0 }), error: RangeError, names: "y", allowed: /expected .* shape \[3\]/ },
  { input: "x with 5 features, model takes 4", run: () => fit(tinyModel(), tf.ones([6, 5]), tf.tensor1d([0, 1, 2, 0, 1, 2], "int32"), { verbose: 0 }), error: RangeError, names: "x", allowed: /shape \[4\]/ },
  { input: "empty arrays (0 samples)", run: () => fit(tinyModel(), tf.zeros([0, 4]), tf.zeros([0], "int32"), { verbose: 0 }), error: RangeError, names: "x", allowed: /at least one sample/ },
  { input: "two inputs for a one-input model", run: () => { const { x, y } = data(); return fit(tinyModel(), [x, x], y, { verbose: 0 }); }, error: RangeError, names: "x", allowed: /the model has 1 input\(s\) but 2/ },
  { input: "a model that is not a tf.LayersModel", run: () => { const { x, y } = data(); return fit({} as never, x, y); }, error: TypeError, names: "model", allowed: /tf.LayersModel .* compiled/ },
  { input: "an uncompiled model", run: () => { const { x, y } = data(); return fit(tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] })] }), x, y); }, error: Error, names: "model", allowed: /call model.compile/ },
  { input: "a model with no weights", run: () => fit(noWeightsModel(), tf.ones([4, 4]), tf.ones([4, 4]), { verbose: 0 }), error: Error, names: "model", allowed: /no trainable weights.*add a layer with weights/ },

  // ── fitDataset ──
  { input: "validationSplit with fitDataset", run: () => fitDataset(tinyModel(), dataset(), { validationSplit: 0.2 } as never), error: TypeError, names: "validationSplit", allowed: /pass validationData/ },
  { input: "batchSize with fitDataset (the dataset is batched already)", run: () => fitDataset(tinyModel(), dataset(), { batchSize: 8 } as never), error: TypeError, names: '"batchSize"', allowed: /the options are .*batchesPerEpoch/ },
  { input: "batchesPerEpoch 0", run: () => fitDataset(tinyModel(), dataset(), { batchesPerEpoch: 0 }), error: RangeError, names: "batchesPerEpoch", allowed: /whole number >= 1/ },
  { input: "an empty dataset", run: () => fitDataset(tinyModel(), dataset().take(0), { verbose: 0 }), error: RangeError, names: "dataset", allowed: /no batches in the first epoch; fitDataset needs a dataset of \{xs, ys\} batches/ },
  { input: "a dataset of bare tensors, not {xs, ys}", run: () => fitDataset(tinyModel(), tf.data.array([tf.ones([2, 4])]) as never, { verbose: 0 }), error: TypeError, names: "dataset", allowed: /\{xs, ys\} objects of batched tensors/ },
  { input: "dataset labels shaped for 5 classes", run: () => fitDataset(oneHotModel(), tf.data.array([{ xs: tf.ones([2, 4]), ys: tf.ones([2, 5]) }]) as never, { verbose: 0 }), error: RangeError, names: "dataset", allowed: /shape \[3\]/ },

  // ── EarlyStopping / ReduceLROnPlateau (the monitor options) ──
  { input: 'EarlyStopping mode "best"', run: () => new EarlyStopping({ mode: "best" as never }), error: RangeError, names: "mode", allowed: /"auto", "min" or "max"/ },
  { input: "EarlyStopping monitor ''", run: () => new EarlyStopping({ monitor: "" }), error: RangeError, names: "monitor", allowed: /a logs key such as "val_loss"/ },
  { input: "EarlyStopping mode auto on a logged metric whose direction is unknown", run: fitWith({ callbacks: [new EarlyStopping({ monitor: "myscore" })] }, ["myscore"]), error: RangeError, names: "myscore", allowed: /pass mode: "max" or mode: "min"/ },
  { input: "EarlyStopping patience -1", run: () => new EarlyStopping({ patience: -1 }), error: RangeError, names: "patience", allowed: /an integer >= 0/ },
  { input: 'EarlyStopping patience "3"', run: () => new EarlyStopping({ patience: "3" as never }), error: TypeError, names: "patience", allowed: /an integer >= 0, got "3"/ },
  { input: "EarlyStopping baseline NaN", run: () => new EarlyStopping({ baseline: NaN }), error: RangeError, names: "baseline", allowed: /a finite number/ },
  { input: 'EarlyStopping restoreBestWeights "yes"', run: () => new EarlyStopping({ restoreBestWeights: "yes" as never }), error: TypeError, names: "restoreBestWeights", allowed: /true or false/ },
  { input: "EarlyStopping verbose 5", run: () => new EarlyStopping({ verbose: 5 }), error: RangeError, names: "verbose", allowed: /0 \(silent\) or 1/ },
  { input: "EarlyStopping unknown option (typo `patients`)", run: () => new EarlyStopping({ patients: 3 } as never), error: TypeError, names: '"patients"', allowed: /the options are monitor, minDelta, patience/ },
  { input: "EarlyStopping options that are a string", run: () => new EarlyStopping("val_loss" as never), error: TypeError, names: "options", allowed: /an object such as \{ monitor: "val_loss", patience: 3 \}/ },
  { input: "ReduceLROnPlateau factor 1.5", run: () => new ReduceLROnPlateau({ factor: 1.5 }), error: RangeError, names: "factor", allowed: />= 0 and < 1/ },
  { input: "ReduceLROnPlateau minLr -1", run: () => new ReduceLROnPlateau({ minLr: -1 }), error: RangeError, names: "minLr", allowed: />= 0/ },
  { input: 'ReduceLROnPlateau cooldown "2"', run: () => new ReduceLROnPlateau({ cooldown: "2" as never }), error: TypeError, names: "cooldown", allowed: /an integer >= 0/ },

  // ── ModelCheckpoint ──
  { input: "ModelCheckpoint with a bare string", run: () => new ModelCheckpoint("best.keras" as never), error: TypeError, names: "filepath", allowed: /an options object with filepath, e.g. \{ filepath: "models\/best_model.keras" \}/ },
  { input: "ModelCheckpoint filepath ''", run: () => new ModelCheckpoint({ filepath: "" }), error: RangeError, names: "filepath", allowed: /non-empty string \(a folder, ".keras" or ".weights.h5" path\)/ },
  { input: "ModelCheckpoint filepath 42", run: () => new ModelCheckpoint({ filepath: 42 as never }), error: TypeError, names: "filepath", allowed: /non-empty string/ },
  { input: "ModelCheckpoint legacy .h5 path", run: () => new ModelCheckpoint({ filepath: "m.h5" }), error: RangeError, names: "filepath", allowed: /use ".keras", ".weights.h5" or a folder/ },
  { input: "ModelCheckpoint template with an unsupported spec {epoch:xd}", run: () => new ModelCheckpoint({ filepath: "m-{epoch:xd}.keras" }), error: RangeError, names: "filepath", allowed: /unsupported format spec.*02d, .2f, .3e/ },
  { input: "ModelCheckpoint template with an unbalanced brace", run: () => new ModelCheckpoint({ filepath: "m-{epoch.keras" }), error: RangeError, names: "filepath", allowed: /unbalanced brace.*\{epoch:02d\}/ },
  { input: "ModelCheckpoint template val_ key without validation data", run: fitWith({ callbacks: [new ModelCheckpoint({ filepath: join(dir(), "m-{val_loss:.2f}.keras") })] }), error: CallbackError, names: "val_loss", allowed: /can never be filled: this fit has no validation data \(pass validationData or validationSplit\)/ },
  { input: "ModelCheckpoint template val_ key with batch saves", run: fitWith({ validationSplit: 0.25, callbacks: [new ModelCheckpoint({ filepath: join(dir(), "m-{val_loss:.2f}"), saveFreq: 2 })] }), error: CallbackError, names: "val_loss", allowed: /batch logs have no val_ keys. Keys this fit logs: loss, accuracy, epoch, learning_rate, batch/ },
  { input: "ModelCheckpoint initialValueThreshold NaN", run: () => new ModelCheckpoint({ filepath: "m", initialValueThreshold: NaN }), error: RangeError, names: "initialValueThreshold", allowed: /a finite number/ },
  { input: "ModelCheckpoint initialValueThreshold Infinity", run: () => new ModelCheckpoint({ filepath: "m", initialValueThreshold: Infinity }), error: RangeError, names: "initialValueThreshold", allowed: /a finite number/ },
  { input: "ModelCheckpoint saveFreq 0", run: () => new ModelCheckpoint({ filepath: "m", saveFreq: 0 }), error: RangeError, names: "saveFreq", allowed: /"epoch" or a whole number of batches >= 1/ },
  { input: 'ModelCheckpoint saveFreq "batch"', run: () => new ModelCheckpoint({ filepath: "m", saveFreq: "batch" as never }), error: TypeError, names: "saveFreq", allowed: /"epoch" or a whole number of batches/ },
  { input: 'ModelCheckpoint saveBestOnly "yes"', run: () => new ModelCheckpoint({ filepath: "m", saveBestOnly: "yes" as never }), error: TypeError, names: "saveBestOnly", allowed: /true or false/ },
  { input: "ModelCheckpoint unknown option (Keras's `save_best_only`)", run: () => new ModelCheckpoint({ filepath: "m", save_best_only: true } as never), error: TypeError, names: '"save_best_only"', allowed: /the options are filepath, monitor, verbose, saveBestOnly/ },
  { input: "ModelCheckpoint .keras path that is a folder", run: () => { const d = dir(); mkdirSync(join(d, "best.keras")); return fitWith({ callbacks: [new ModelCheckpoint({ filepath: join(d, "best.keras") })] })(); }, error: CallbackError, names: "best.keras", allowed: /is a folder; a .keras checkpoint must be a file path/ },

  // ── the other callbacks ──
  { input: "LearningRateScheduler with a number", run: () => new LearningRateScheduler(0.1 as never), error: TypeError, names: "schedule", allowed: /a function \(epoch, learningRate\) => number/ },
  { input: "LearningRateScheduler schedule returning NaN", run: fitWith({ callbacks: [new LearningRateScheduler(() => NaN)] }), error: CallbackError, names: "schedule", allowed: /must return a finite number; at epoch 0 it returned NaN/ },
  { input: "CSVLogger filename ''", run: () => new CSVLogger(""), error: RangeError, names: "filename", allowed: /non-empty file path.*new CSVLogger\(\{ filename: "logs\/training.csv"/ },
  { input: "CSVLogger filename 42", run: () => new CSVLogger(42 as never), error: TypeError, names: "filename", allowed: /non-empty file path/ },
  { input: "CSVLogger options without filename", run: () => new CSVLogger({} as never), error: TypeError, names: "filename", allowed: /the signatures are new CSVLogger\("logs\/training.csv"/ },
  { input: "CSVLogger filename given twice", run: () => new CSVLogger("a.csv", { filename: "b.csv" }), error: TypeError, names: "filename", allowed: /given twice; the signatures are/ },
  { input: 'CSVLogger append "yes"', run: () => new CSVLogger({ filename: "a.csv", append: "yes" as never }), error: TypeError, names: "append", allowed: /true or false/ },
  { input: "CSVLogger separator ''", run: () => new CSVLogger("a.csv", { separator: "" }), error: TypeError, names: "separator", allowed: /non-empty string such as "," or ";"/ },
  { input: "BackupAndRestore backupDir ''", run: () => new BackupAndRestore(""), error: RangeError, names: "backupDir", allowed: /non-empty folder path/ },
  { input: "BackupAndRestore saveFreq -1", run: () => new BackupAndRestore("b", { saveFreq: -1 }), error: RangeError, names: "saveFreq", allowed: /"epoch" or a whole number of batches >= 1/ },
  { input: 'BackupAndRestore deleteCheckpoint "no"', run: () => new BackupAndRestore({ backupDir: "b", deleteCheckpoint: "no" as never }), error: TypeError, names: "deleteCheckpoint", allowed: /true or false/ },
  { input: 'TerminateOnNaN raiseError "yes"', run: () => new TerminateOnNaN({ raiseError: "yes" as never }), error: TypeError, names: "raiseError", allowed: /true or false/ },
  { input: "LambdaCallback with an unknown hook", run: () => new LambdaCallback({ onEpochStart: () => {} } as never), error: Error, names: "onEpochStart", allowed: /use onTrainBegin, onEpochEnd/ },
  { input: "ProgressBar verbose 3", run: () => new ProgressBar({ verbose: 3 as never }), error: Error, names: "verbose", allowed: /1 or 2/ },
  { input: "TensorBoard unknown option (Keras's `log_dir`)", run: () => new TensorBoard({ log_dir: "logs" } as never), error: Error, names: '"log_dir"', allowed: /the options are logDir, histogramFreq/ },
  { input: "TensorBoard histogramFreq -1", run: () => new TensorBoard({ histogramFreq: -1 }), error: Error, names: "histogramFreq", allowed: /whole number >= 0/ },

  // ── saving and loading ──
  { input: "saveModel to a legacy .h5 path", run: () => saveModel(tinyModel(), join(dir(), "m.h5")), error: RangeError, names: "filepath", allowed: /use ".keras", ".weights.h5" or a folder/ },
  { input: "saveKeras to a path that is a folder", run: () => { const p = join(dir(), "m.keras"); mkdirSync(p); return saveKeras(tinyModel(), p); }, error: Error, names: "m.keras", allowed: /is a folder; .* Choose a file path/ },
  { input: "loadKeras on a folder", run: () => { const p = join(dir(), "m.keras"); mkdirSync(p); return loadKeras(p); }, error: Error, names: "m.keras", allowed: /is a folder, not a .keras file \(a zip archive\)/ },
  { input: "loadKeras on a zip that is not a Keras archive", run: () => { const p = join(dir(), "notes.keras"); writeFileSync(p, zipSync({ "notes.txt": new TextEncoder().encode("hello") })); return loadKeras(p); }, error: Error, names: "notes.keras", allowed: /no config.json \(members: notes.txt\)/ },
  { input: "loadKeras on a truncated .keras", run: async () => { const p = join(dir(), "m.keras"); await saveKeras(tinyModel(), p); const b = readFileSync(p); writeFileSync(p, b.subarray(0, Math.floor(b.length / 2))); return loadKeras(p); }, error: Error, names: "m.keras", allowed: /not a readable zip archive/ },
  { input: "loadKeras on a file that is not a zip", run: () => { const p = join(dir(), "m.keras"); writeFileSync(p, "not a model"); return loadKeras(p); }, error: Error, names: "m.keras", allowed: /a .keras file is a zip archive/ },
  { input: "loadKerasWeights on an HDF5 file with a missing dataset", run: async () => { const p = join(dir(), "m.weights.h5"); const m = tinyModel(); const tree = await kerasWeightsTree(m, false); tree.datasets.delete([...tree.datasets.keys()][1]); writeFileSync(p, await writeH5(tree)); return loadKerasWeights(tinyModel(), p); }, error: Error, names: "m.weights.h5", allowed: /expects 2 variables, but layers\/dense\/vars holds 1/ },
  { input: "loadKeras on a path that does not exist", run: () => loadKeras(join(dir(), "missing.keras")), error: Error, names: "missing.keras", allowed: /no such file; loadKeras needs the path of a .keras file/ },
  { input: "saveKerasWeights to a path without .weights.h5", run: () => saveKerasWeights(tinyModel(), join(dir(), "w.h5")), error: Error, names: "saveKerasWeights", allowed: /must end in .weights.h5/ },
  { input: "loadLayersWeights into a model of another shape", run: async () => { const p = join(dir(), "w"); await saveModel(tinyModel(), p, { weightsOnly: true }); return loadLayersWeights(twoLayerModel(5), p); }, error: Error, names: "weight 0", allowed: /has shape \[4,8\] but the model's .* is \[4,5\]/ },

  // ── TensorBoard files, templates, data, charts ──
  { input: "SummaryWriter flushMillis -1", run: () => new SummaryWriter(join(dir(), "run"), { flushMillis: -1 }), error: RangeError, names: "flushMillis", allowed: />= 0/ },
  { input: "SummaryWriter step 1.5", run: () => withWriter((w) => w.scalar("loss", 1, 1.5)), error: RangeError, names: "step", allowed: /must be an integer/ },
  { input: "SummaryWriter step going backwards for a tag", run: () => withWriter((w) => (w.scalar("loss", 1, 2), w.scalar("loss", 1, 1))), error: RangeError, names: "step 1", allowed: /steps must strictly increase per tag/ },
  { input: "readEventFile on a file that is not an event file", run: () => { const p = join(dir(), "events.out.tfevents.1.host"); writeFileSync(p, Buffer.alloc(40, 7)); return readEventFile(p); }, error: EventFileCorruptError, names: "events.out.tfevents.1.host", allowed: /CRC mismatch .* at byte offset 0/ },
  { input: "formatPath with a key not in the values", run: () => formatPath("{epoch}-{acc:.2f}", { epoch: 1 }), error: Error, names: '"acc"', allowed: /Available keys: epoch/ },
  { input: "loadMnist limit -1", run: () => loadMnist({ limit: -1 }), error: Error, names: "limit", allowed: /whole number >= 2/ },
  { input: "loadMnist testFraction 2", run: () => loadMnist({ testFraction: 2 }), error: Error, names: "testFraction", allowed: />= 0 and < 1/ },
  { input: "LivePlot every 0", run: () => new LivePlot({ every: 0 }), error: Error, names: "every", allowed: /an integer >= 1/ },
];

function withWriter(use: (w: SummaryWriter) => void): void {
  const w = new SummaryWriter(join(dir(), "run"));
  try {
    use(w);
  } finally {
    w.close();
  }
}

/** A History-like extra callback, so the duplicate sits at index 2. */
class History0 extends Callback {}

function oneHotModel(units = 3): tf.LayersModel {
  const m = tf.sequential({ layers: [tf.layers.dense({ units, inputShape: [4], activation: "softmax" })] });
  m.compile({ optimizer: "sgd", loss: "categoricalCrossentropy" });
  return m;
}

function twoLayerModel(hidden: number): tf.LayersModel {
  return tf.sequential({ layers: [tf.layers.dense({ units: hidden, inputShape: [4] }), tf.layers.dense({ units: 3 })] });
}

function noWeightsModel(): tf.LayersModel {
  const m = tf.sequential({ layers: [tf.layers.activation({ activation: "relu", inputShape: [4] })] });
  m.compile({ optimizer: "sgd", loss: "meanSquaredError" });
  return m;
}

describe("bad input: each row throws its error class, naming the argument and what is allowed", () => {
  it(`the table has at least 40 rows (${rows.length})`, () => assert.ok(rows.length >= 40));
  for (const row of rows) {
    it(`${row.input} → ${row.error.name} naming ${row.names}`, async () => {
      let thrown: unknown;
      try {
        await row.run();
      } catch (e) {
        thrown = e;
      }
      assert.ok(thrown !== undefined, "it must throw");
      assert.ok(thrown instanceof row.error, `expected a ${row.error.name}, got ${(thrown as Error)?.constructor?.name}: ${(thrown as Error)?.message}`);
      const message = (thrown as Error).message;
      assert.ok(message.includes(row.names), `the message names ${row.names}: ${message}`);
      assert.match(message, row.allowed);
    });
  }
});

interface WarningRow {
  input: string;
  run: () => Promise<unknown>;
  warning: RegExp;
}

const warningRows: WarningRow[] = [
  {
    input: "EarlyStopping on a key this fit does not log",
    run: fitWith({ epochs: 4, callbacks: [new EarlyStopping({ monitor: "val_loss" })] }),
    warning: /Early stopping conditioned on metric `val_loss` which is not available. Available metrics are: loss,accuracy/,
  },
  {
    input: "EarlyStopping monitor with a typo (val_los): Keras warns, listing the keys",
    run: fitWith({ epochs: 4, validationSplit: 0.25, callbacks: [new EarlyStopping({ monitor: "val_los" })] }),
    warning: /conditioned on metric `val_los` which is not available. Available metrics are: loss,accuracy,val_loss,val_accuracy/,
  },
  {
    input: "ReduceLROnPlateau on a key this fit does not log",
    run: fitWith({ epochs: 4, callbacks: [new ReduceLROnPlateau({ monitor: "val_accuracy" })] }),
    warning: /Learning rate reduction is conditioned on metric `val_accuracy` which is not available. Available metrics are: loss,accuracy,learning_rate/,
  },
  {
    input: "ModelCheckpoint(saveBestOnly) on a key this fit does not log (saves anyway)",
    run: fitWith({ epochs: 4, callbacks: [new ModelCheckpoint({ filepath: join(dir(), "m"), saveBestOnly: true })] }),
    warning: /Can save best model only with val_loss available. Available keys: loss,accuracy/,
  },
  {
    input: "ModelCheckpoint template key no metric produces (a callback may add it)",
    run: () => {
      const adder = new LambdaCallback({ onEpochEnd: (_e: number, logs: Logs) => void (logs.score = 1) });
      return fitWith({ epochs: 3, callbacks: [adder, new ModelCheckpoint({ filepath: join(dir(), "m-{epoch}-{score:.1f}") })] })();
    },
    warning: /the filepath key "score" is not one this fit logs \(loss, accuracy, epoch, learning_rate\)/,
  },
  {
    input: "a batchesPerEpoch dataset that runs dry",
    run: () => fitDataset(tinyModel(), dataset(5), { epochs: 4, batchesPerEpoch: 2, verbose: 0 }),
    warning: /the dataset ran out of data in epoch 3; stopping training. With batchesPerEpoch: 2 and 4 epoch\(s\) it must give at least 8 batches; add .repeat\(\)/,
  },
  {
    input: "TensorBoard writeImages without histogramFreq",
    run: async () => new TensorBoard({ logDir: dir(), writeImages: true }),
    warning: /writeImages draws weights together with the histograms; set histogramFreq >= 1/,
  },
];

describe("warnings: printed once, however many epochs run", () => {
  for (const row of warningRows) {
    it(row.input, async () => {
      const { warnings } = await captureConsole(row.run);
      const matching = warnings.filter((w) => row.warning.test(w));
      assert.equal(matching.length, 1, `exactly one warning matching ${row.warning}; got:\n${warnings.join("\n")}`);
    });
  }
});

describe("accepted forms and reuse", () => {
  it("new CSVLogger({ filename }) works like new CSVLogger(filename)", async () => {
    const d = dir();
    await fitWith({ epochs: 2, callbacks: [new CSVLogger({ filename: join(d, "a.csv"), separator: ";" }), new CSVLogger(join(d, "b.csv"), { separator: ";" })] })();
    assert.equal(readFileSync(join(d, "a.csv"), "utf8").split("\n")[0], "epoch;accuracy;loss;val_accuracy;val_loss");
    assert.equal(readFileSync(join(d, "a.csv"), "utf8").trim().split("\n").length, 3);
    assert.equal(readFileSync(join(d, "b.csv"), "utf8").split("\n")[0], readFileSync(join(d, "a.csv"), "utf8").split("\n")[0]);
  });

  it("new BackupAndRestore({ backupDir }) works like new BackupAndRestore(backupDir)", async () => {
    const d = dir();
    const backup = new BackupAndRestore({ backupDir: join(d, "b"), deleteCheckpoint: false });
    await fitWith({ epochs: 2, callbacks: [backup] })();
    assert.deepEqual(readdirSync(join(d, "b", "latest")).sort(), ["manifest.json", "weights.bin"]);
  });

  it("callback instances reused across fits start afresh (EarlyStopping, CSVLogger, TensorBoard: new event files)", async () => {
    const d = dir();
    const { x, y } = data();
    const model = tinyModel();
    const es = new EarlyStopping({ monitor: "loss", patience: 100 });
    const csv = new CSVLogger(join(d, "log.csv"));
    const tb = new TensorBoard({ logDir: join(d, "tb") });
    await fit(model, x, y, { epochs: 3, verbose: 0, callbacks: [es, csv, tb] });
    await fit(model, x, y, { epochs: 2, verbose: 0, callbacks: [es, csv, tb] });
    assert.equal(es.stoppedEpoch, 0);
    assert.equal(readFileSync(join(d, "log.csv"), "utf8").trim().split("\n").length, 3, "the second fit rewrote the CSV: header + 2 rows");
    const files = readdirSync(join(d, "tb", "train"));
    assert.equal(files.length, 2, "one event file per fit");
    const steps = files.map((f) => readEventFile(join(d, "tb", "train", f)).records.filter((r) => r.tag === "epoch_loss").length);
    assert.deepEqual(steps.sort(), [2, 3]);
  });

  it("two fits writing into one log folder at the same time: distinct files, both readable, one warning", async () => {
    const d = join(dir(), "shared");
    const { x, y } = data();
    const { warnings } = await captureConsole(() =>
      Promise.all([
        fit(tinyModel({ seed: 1 }), x, y, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [new TensorBoard({ logDir: d })] }),
        fit(tinyModel({ seed: 2 }), x, y, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [new TensorBoard({ logDir: d })] }),
      ]),
    );
    const files = readdirSync(join(d, "train"));
    assert.equal(files.length, 2, "two distinct event files");
    for (const f of files) {
      const contents = readEventFile(join(d, "train", f));
      assert.deepEqual(contents.records.filter((r) => r.tag === "epoch_loss").map((r) => r.step), [0, 1, 2]);
    }
    assert.equal(warnings.filter((w) => /another fit is also writing to .*train.*Give each fit its own logDir/.test(w)).length, 1);
  });
});
