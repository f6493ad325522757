// ModelCheckpoint's background writes: what the snapshot holds, the order and replacement of writes, when fit
// resolves, and how failures surface. A gate on fs.promises.rename holds a write at its last step, so each case
// sets up the interleaving it is about instead of hoping for it. (kill -9 during these writes: kill.test.ts.)
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import * as nodeFs from "node:fs";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, before, describe, it } from "node:test";
import { fit, LambdaCallback, loadKeras, loadKerasWeights, ModelCheckpoint, readKerasArchive, type Logs } from "../../src/index.js";
import { captureConsole, tempDir, tinyModel, toyData, useCpu, weightsOf } from "../helpers.js";

before(useCpu);
const originalRename = nodeFs.promises.rename;
afterEach(() => void (nodeFs.promises.rename = originalRename));

function scripted(key: string, values: number[]) {
  return new LambdaCallback({ onEpochEnd: (epoch: number, logs: Logs) => void (logs[key] = values[epoch]) });
}

/** Holds every rename into `dir` until `open()`; records the renames' targets. */
function renameGate(dir: string) {
  const rename = originalRename;
  let release!: () => void;
  const opened = new Promise<void>((r) => (release = r));
  const gate = { held: 0, targets: [] as string[], open: () => release() };
  nodeFs.promises.rename = (async (from: string, to: string) => {
    if (String(to).startsWith(dir)) {
      gate.held += 1;
      await opened;
      gate.targets.push(String(to).slice(dir.length + 1));
    }
    return rename(from, to);
  }) as typeof rename;
  return gate;
}

describe("ModelCheckpoint background writes", () => {
  it("the hook returns before the file is written (training goes on); fit resolves with each epoch's own weights on disk", async () => {
    const dir = tempDir();
    const { x, y } = toyData(40);
    const model = tinyModel();
    const snapshots: number[][][] = [];
    const pendingAfterHook: Array<number | undefined> = [];
    const onSaved: Array<[string, number, boolean]> = [];
    const ckpt = new ModelCheckpoint({
      filepath: join(dir, "m-{epoch:02d}.keras"),
      onSaved: (path, epoch) => onSaved.push([path, epoch, existsSync(path)]),
    });
    const before = new LambdaCallback({ onEpochEnd: () => void snapshots.push(weightsOf(model)) });
    const after = new LambdaCallback({ onEpochEnd: (epoch: number) => void pendingAfterHook.push(ckpt.saved.includes(join(dir, `m-0${epoch + 1}.keras`)) ? undefined : ckpt.writing?.epoch) });
    await fit(model, x, y, { epochs: 3, verbose: 0, callbacks: [before, ckpt, after] });
    assert.equal(pendingAfterHook[0], 0, "epoch 1's save was still being written when the next callback ran");
    assert.deepEqual(onSaved.map(([p, e, there]) => [p.split("/").at(-1), e, there]), [["m-01.keras", 0, true], ["m-02.keras", 1, true], ["m-03.keras", 2, true]]);
    for (let e = 0; e < 3; e++) {
      const loaded = await loadKeras(join(dir, `m-0${e + 1}.keras`), { onWarning: () => {} });
      assert.deepEqual(weightsOf(loaded), snapshots[e], `epoch ${e + 1} holds the weights of its own epoch end`);
    }
    assert.deepEqual(readdirSync(dir).sort(), ["m-01.keras", "m-02.keras", "m-03.keras"], "no temporary files left");
    tf.dispose([x, y]);
  });

  it("background: false writes inside the hook, as Keras does: the next callback finds the file", async () => {
    const dir = tempDir();
    const { x, y } = toyData(40);
    const path = join(dir, "best.keras");
    const ckpt = new ModelCheckpoint({ filepath: path, background: false });
    const seen: boolean[] = [];
    const after = new LambdaCallback({ onEpochEnd: () => void seen.push(existsSync(path) && ckpt.saved.length > 0 && ckpt.writing === undefined) });
    await fit(tinyModel(), x, y, { epochs: 2, verbose: 0, callbacks: [ckpt, after] });
    assert.deepEqual(seen, [true, true]);
    tf.dispose([x, y]);
  });

  it("a newer best replaces a save still waiting for the write before it; the file ends as the newest best", async () => {
    const dir = tempDir();
    const gate = renameGate(dir);
    const { x, y } = toyData(40);
    const model = tinyModel();
    const snapshots: number[][][] = [];
    const reported: number[] = [];
    const path = join(dir, "best.keras");
    const ckpt = new ModelCheckpoint({ filepath: path, saveBestOnly: true, onSaved: (_p, epoch) => void reported.push(epoch) });
    // Epoch 1's write is held at its rename while epochs 2, 3 and 4 improve: 2 waits, 3 replaces it, 4 replaces 3.
    const after = new LambdaCallback({
      onEpochEnd: (epoch: number) => {
        snapshots.push(weightsOf(model));
        if (epoch === 3) gate.open();
      },
    });
    const events: string[] = [];
    const marks = new LambdaCallback({ onTrainEnd: () => void events.push(...ckpt.events.filter((e) => e.kind === "checkpoint").map((e) => String(e.epoch))) });
    await fit(model, x, y, { epochs: 4, verbose: 0, callbacks: [scripted("val_loss", [0.5, 0.4, 0.3, 0.2]), ckpt, after, marks] });
    assert.deepEqual(reported, [0, 3], "epochs 2 and 3 were replaced before their writes began");
    assert.deepEqual(ckpt.saved, [path, path]);
    assert.deepEqual(gate.targets, ["best.keras", "best.keras"], "two writes, not four");
    assert.deepEqual(weightsOf(await loadKeras(path, { onWarning: () => {} })), snapshots[3]);
    assert.deepEqual(events, ["0", "3"], "the chart marks only the saves that reached the disk");
    assert.equal(ckpt.best, 0.2);
    tf.dispose([x, y]);
  });

  it("saves to different paths are all written, in order; a third waits in its hook while two are pending", async () => {
    const dir = tempDir();
    const gate = renameGate(dir);
    const { x, y } = toyData(40);
    const model = tinyModel();
    const snapshots: number[][][] = [];
    let hookReturnedWhileHeld = false;
    const ckpt = new ModelCheckpoint({ filepath: join(dir, "e{epoch}.keras") });
    const before = new LambdaCallback({
      onEpochEnd: (epoch: number) => {
        snapshots.push(weightsOf(model));
        // Epoch 1's write is held; epoch 2's waits behind it; epoch 3's hook cannot queue a third until the gate opens.
        if (epoch === 2) setTimeout(() => gate.open(), 150);
      },
    });
    const after = new LambdaCallback({ onEpochEnd: (epoch: number) => void (epoch === 2 && gate.targets.length === 0 && (hookReturnedWhileHeld = true)) });
    await fit(model, x, y, { epochs: 3, verbose: 0, callbacks: [before, ckpt, after] });
    assert.equal(hookReturnedWhileHeld, false, "epoch 3's checkpoint hook waited for a free slot");
    assert.deepEqual(gate.targets, ["e1.keras", "e2.keras", "e3.keras"]);
    for (let e = 0; e < 3; e++) assert.deepEqual(weightsOf(await loadKeras(join(dir, `e${e + 1}.keras`), { onWarning: () => {} })), snapshots[e]);
    tf.dispose([x, y]);
  });

  it("a Functional model with branches: the archive holds the weights and Adam state of the epoch it was taken at", async () => {
    const dir = tempDir();
    const gate = renameGate(dir);
    const input = tf.input({ shape: [4] });
    const left = tf.layers.dense({ units: 5, activation: "relu" }).apply(input) as tf.SymbolicTensor;
    const right = tf.layers.dense({ units: 3, activation: "tanh" }).apply(input) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate().apply([left, right]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(joined) as tf.SymbolicTensor });
    model.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError" });
    const x = tf.randomNormal([32, 4], 0, 1, "float32", 5);
    const y = x.sum(1, true);
    const path = join(dir, "f.keras");
    let atSave: { weights: number[][]; iterations: number } | undefined;
    const ckpt = new ModelCheckpoint({ filepath: path, saveBestOnly: true, monitor: "loss", mode: "min" });
    const probe = new LambdaCallback({
      onEpochEnd: (epoch: number) => {
        if (epoch !== 0) return;
        atSave = { weights: weightsOf(model), iterations: Number((model.optimizer as unknown as { iterations: number }).iterations) };
        // Held until two more epochs (16 more Adam steps) ran: the archive must still be epoch 1's.
        setTimeout(() => gate.open(), 200);
      },
    });
    const worse = new LambdaCallback({ onEpochEnd: (epoch: number, logs: Logs) => void (epoch > 0 && (logs.loss = 1e9)) });
    await fit(model, x, y, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [worse, probe, ckpt] });
    const archive = await readKerasArchive(path);
    assert.equal(Number(archive.weights.datasets.get("optimizer/vars/0")!.data[0]), atSave!.iterations, "Adam's step count at the save");
    assert.equal(atSave!.iterations, 8);
    assert.deepEqual(weightsOf(await loadKeras(path, { onWarning: () => {} })), atSave!.weights);
    assert.notDeepEqual(weightsOf(model), atSave!.weights, "the model trained on meanwhile");
    tf.dispose([x, y]);
  });

  it(".weights.h5 and TF.js layers folders are written in the background too", async () => {
    const dir = tempDir();
    const { x, y } = toyData(40);
    const model = tinyModel();
    const h5 = new ModelCheckpoint({ filepath: join(dir, "w.weights.h5"), saveWeightsOnly: true });
    const folder = new ModelCheckpoint({ filepath: join(dir, "folder") });
    const pending: Array<number | undefined> = [];
    const after = new LambdaCallback({ onEpochEnd: () => void pending.push(h5.writing?.epoch, folder.writing?.epoch) });
    await fit(model, x, y, { epochs: 1, verbose: 0, callbacks: [h5, folder, after] });
    assert.deepEqual(pending, [0, 0], "both were still being written after their hooks");
    const fresh = tinyModel({ seed: 99 });
    await loadKerasWeights(fresh, join(dir, "w.weights.h5"));
    assert.deepEqual(weightsOf(fresh), weightsOf(model));
    assert.deepEqual(weightsOf(await tf.loadLayersModel(`file://${join(dir, "folder", "model.json")}`)), weightsOf(model));
    tf.dispose([x, y]);
  });

  it("a write that fails in the background (not for space) makes fit reject with the reason; nothing is reported saved", async () => {
    const dir = tempDir();
    const { x, y } = toyData(20);
    writeFileSync(join(dir, "file"), ""); // the checkpoint's folder is a file: only the write finds out
    const reported: number[] = [];
    const ckpt = new ModelCheckpoint({ filepath: join(dir, "file", "m.keras"), onSaved: (_p, e) => void reported.push(e) });
    await assert.rejects(fit(tinyModel(), x, y, { epochs: 3, verbose: 0, callbacks: [ckpt] }), /ModelCheckpoint\.on(EpochEnd|TrainEnd) threw: .*(ENOTDIR|EEXIST|not a directory)/);
    assert.deepEqual(ckpt.saved, []);
    assert.deepEqual(reported, []);
    assert.deepEqual(ckpt.events.filter((e) => e.kind === "checkpoint"), [], "no chart mark for a save that failed");
    tf.dispose([x, y]);
  });

  it("an onSaved that throws stops fit like a failed write; a bad onSaved or background is refused up front", async () => {
    const dir = tempDir();
    const { x, y } = toyData(20);
    const ckpt = new ModelCheckpoint({
      filepath: join(dir, "m.keras"),
      onSaved: () => {
        throw new Error("upload failed");
      },
    });
    await assert.rejects(fit(tinyModel(), x, y, { epochs: 2, verbose: 0, callbacks: [ckpt] }), /ModelCheckpoint\.on(EpochEnd|TrainEnd) threw: upload failed/);
    assert.ok(existsSync(join(dir, "m.keras")), "the file itself was written");
    assert.throws(() => new ModelCheckpoint({ filepath: "m.keras", onSaved: "log" as never }), /onSaved must be a function \(path, epoch\) => void, got "log"/);
    assert.throws(() => new ModelCheckpoint({ filepath: "m.keras", background: 1 as never }), /background/);
    tf.dispose([x, y]);
  });

  it("when training fails, the writes under way are still finished (each was a better model)", async () => {
    const dir = tempDir();
    const gate = renameGate(dir);
    const { x, y } = toyData(20);
    const model = tinyModel();
    const path = join(dir, "best.keras");
    const ckpt = new ModelCheckpoint({ filepath: path });
    let atSave: number[][] | undefined;
    const boom = new LambdaCallback({
      onEpochEnd: (epoch: number) => {
        atSave = weightsOf(model);
        setTimeout(() => gate.open(), 50);
        throw new Error(`boom at ${epoch}`);
      },
    });
    const { warnings } = await captureConsole(() => assert.rejects(fit(model, x, y, { epochs: 3, verbose: 0, callbacks: [ckpt, boom] }), /boom at 0/));
    assert.deepEqual(ckpt.saved, [path], "fit rejected only after the write finished");
    assert.deepEqual(weightsOf(await loadKeras(path, { onWarning: () => {} })), atSave);
    assert.deepEqual(warnings.filter((w) => /ModelCheckpoint/.test(w)), []);
    tf.dispose([x, y]);
  });
});
