// Faults inside one process: a callback that throws, a dataset that runs dry, a folder save cut off between its
// renames (the state a kill -9 leaves; the kills themselves are in kill.test.ts), and a full disk — a real small
// tmpfs when this runs as root, and an injected ENOSPC everywhere.
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  BackupAndRestore,
  Callback,
  CallbackError,
  CSVLogger,
  fit,
  fitDataset,
  LambdaCallback,
  loadKeras,
  ModelCheckpoint,
  readEventFile,
  TensorBoard,
  type Logs,
} from "../../src/index.js";
import { recoverDir } from "../../src/io/atomic.js";
import { captureConsole, tempDir, toyData, tinyModel, useCpu, weightsOf } from "../helpers.js";

// The very module objects src/ reads its fs functions from at call time, so a test can make one fail.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeFs: typeof import("node:fs") = require("node:fs");

before(useCpu);

class Thrower extends Callback {
  override onEpochEnd(epoch: number): void {
    if (epoch === 1) throw new TypeError("boom at epoch 1");
  }
}

describe("a callback that throws is named", () => {
  it("fit rejects with a CallbackError naming the class and hook, the original as cause, its stack kept", async () => {
    const { x, y } = toyData(24);
    const error = await fit(tinyModel(), x, y, { epochs: 3, verbose: 0, callbacks: [new CSVLogger(join(tempDir(), "l.csv")), new Thrower()] }).then(
      () => assert.fail("fit must reject"),
      (e: unknown) => e as CallbackError,
    );
    assert.ok(error instanceof CallbackError);
    assert.equal(error.message, "Thrower.onEpochEnd threw: boom at epoch 1");
    assert.equal(error.callback, "Thrower");
    assert.equal(error.hook, "onEpochEnd");
    assert.ok(error.cause instanceof TypeError);
    assert.equal((error.cause as Error).message, "boom at epoch 1");
    assert.match(error.stack!, /Caused by: TypeError: boom at epoch 1\n\s+at Thrower.onEpochEnd/);
  });

  it("names plain objects by position, and two callbacks of one class by position", async () => {
    const { x, y } = toyData(24);
    const plain = { onTrainBatchEnd: () => { throw new Error("plain broke"); } };
    await assert.rejects(fit(tinyModel(), x, y, { epochs: 1, verbose: 0, callbacks: [new Thrower(), plain] }), {
      name: "CallbackError",
      message: "callbacks[1] (a plain object).onTrainBatchEnd threw: plain broke",
    });
    const quiet = new LambdaCallback({});
    const loud = new LambdaCallback({ onEpochBegin: () => { throw new Error("lambda broke"); } });
    await assert.rejects(fit(tinyModel(), x, y, { epochs: 1, verbose: 0, callbacks: [quiet, loud] }), {
      message: "LambdaCallback (callbacks[1]).onEpochBegin threw: lambda broke",
    });
  });
});

describe("a batchesPerEpoch dataset that runs dry", () => {
  const batches = (n: number) => {
    const { x, y } = toyData(8 * n);
    return tf.data.zip({ xs: tf.data.array(tf.split(x, n)), ys: tf.data.array(tf.split(y, n)) }) as tf.data.Dataset<tf.TensorContainer>;
  };

  it("mid-epoch: that epoch ends with the batches it got, then training stops, with one warning (Keras)", async () => {
    const seen: number[] = [];
    const counter = new LambdaCallback({ onTrainBatchEnd: (b: number) => void seen.push(b) });
    const { result: history, warnings } = await captureConsole(() =>
      fitDataset(tinyModel(), batches(5), { epochs: 6, batchesPerEpoch: 2, verbose: 0, callbacks: [counter] }),
    );
    assert.deepEqual(history.epoch, [0, 1, 2], "epoch 3 (index 2) had one batch and ended; no restart");
    assert.deepEqual(seen, [0, 1, 0, 1, 0]);
    assert.equal(warnings.filter((w) => /ran out of data in epoch 3; stopping training/.test(w)).length, 1);
  });

  it("at an epoch boundary: the empty epoch does not end (no row, no checkpoint), training stops", async () => {
    const dir = tempDir();
    const ckpt = new ModelCheckpoint({ filepath: join(dir, "m-{epoch}") });
    const { result: history, warnings } = await captureConsole(() =>
      fitDataset(tinyModel(), batches(4), { epochs: 6, batchesPerEpoch: 2, verbose: 0, callbacks: [ckpt] }),
    );
    assert.deepEqual(history.epoch, [0, 1]);
    assert.deepEqual(readdirSync(dir).sort(), ["m-1", "m-2"]);
    assert.equal(warnings.filter((w) => /ran out of data in epoch 3/.test(w)).length, 1);
  });
});

describe("folder saves cut off between their renames", () => {
  const sideName = (target: string, kind: string, pid: number, n: number) => join(target, "..", `.${target.split("/").pop()}.${kind}-${pid}-${1700000000000 + n}-${n}`);

  async function savedFolder(model: tf.LayersModel): Promise<string> {
    const d = join(tempDir(), "src");
    await model.save(`file://${d}`);
    return d;
  }

  it("target missing, new and old copies beside it: loading recovers the new one, and removes the old", async () => {
    const dir = tempDir();
    const target = join(dir, "best");
    const oldModel = tinyModel({ seed: 1 });
    const newModel = tinyModel({ seed: 2 });
    const deadPid = 2 ** 22 + 12345; // above pid_max: no live process has it
    cpSync(await savedFolder(newModel), sideName(target, "new", deadPid, 2), { recursive: true });
    cpSync(await savedFolder(oldModel), sideName(target, "old", deadPid, 1), { recursive: true });
    const { result: loaded, warnings } = await captureConsole(() => tf.loadLayersModel(`file://${target}/model.json`));
    assert.deepEqual(weightsOf(loaded), weightsOf(newModel));
    assert.match(warnings[0], /best was missing after an interrupted save; recovered the new copy/);
    assert.deepEqual(readdirSync(dir), ["best"], "the superseded copy of the dead process is gone");
  });

  it("only the old copy survived (killed after moving it aside, before the new one was complete): it comes back", async () => {
    const dir = tempDir();
    const target = join(dir, "best");
    const oldModel = tinyModel({ seed: 3 });
    const deadPid = 2 ** 22 + 54321;
    cpSync(await savedFolder(oldModel), sideName(target, "old", deadPid, 1), { recursive: true });
    mkdirSync(sideName(target, "tmp", deadPid, 2)); // a half-written folder: never picked
    writeFileSync(join(sideName(target, "tmp", deadPid, 2), "weights.bin"), "partial");
    const { warnings } = await captureConsole(() => recoverDir(target));
    assert.match(warnings[0], /recovered the previous copy/);
    const loaded = await tf.loadLayersModel(`file://${target}/model.json`);
    assert.deepEqual(weightsOf(loaded), weightsOf(oldModel));
    assert.deepEqual(readdirSync(dir), ["best"]);
  });

  it("the target is there: a leftover complete copy of a dead process is dropped, the target kept", async () => {
    const dir = tempDir();
    const target = join(dir, "best");
    const current = tinyModel({ seed: 4 });
    cpSync(await savedFolder(current), target, { recursive: true });
    cpSync(await savedFolder(tinyModel({ seed: 5 })), sideName(target, "new", 2 ** 22 + 777, 9), { recursive: true });
    const { result, warnings } = await captureConsole(() => recoverDir(target));
    assert.equal(result, undefined);
    assert.deepEqual(warnings, []);
    assert.deepEqual(weightsOf(await tf.loadLayersModel(`file://${target}/model.json`)), weightsOf(current));
    assert.deepEqual(readdirSync(dir), ["best"]);
  });
});

describe("folder saves reach the disk", () => {
  it("every file of a TF.js layers folder, and the folders, are fsynced before the swap; the parent after it", async () => {
    const dir = tempDir();
    const target = join(dir, "best");
    const events: string[] = [];
    const { open, rename } = nodeFs.promises;
    nodeFs.promises.open = (async (p: string, ...rest: unknown[]) => {
      const handle = await (open as (...a: unknown[]) => Promise<import("node:fs/promises").FileHandle>)(p, ...rest);
      const sync = handle.sync.bind(handle);
      handle.sync = async () => {
        events.push(`sync ${String(p).replace(dir, "")}`);
        return sync();
      };
      return handle;
    }) as typeof open;
    nodeFs.promises.rename = (async (from: string, to: string) => {
      events.push(`rename ${String(from).replace(dir, "")} -> ${String(to).replace(dir, "")}`);
      return rename(from, to);
    }) as typeof rename;
    try {
      const { x, y } = toyData(16);
      // Only the second save matters: it replaces the folder the first one made (written in the background: wait).
      const ckpt = new ModelCheckpoint({ filepath: target });
      const reset = new LambdaCallback({
        onEpochEnd: async (epoch: number) => {
          if (epoch !== 1) return;
          await ckpt.flush();
          events.length = 0;
        },
      });
      await fit(tinyModel(), x, y, { epochs: 2, verbose: 0, callbacks: [reset, ckpt] });
    } finally {
      Object.assign(nodeFs.promises, { open, rename });
    }
    const normalized = events.map((e) => e.replace(/-\d+-\d+-\d+/g, "-N"));
    assert.deepEqual(normalized.slice(0, 2).sort(), ["sync /.best.tmp-N/model.json", "sync /.best.tmp-N/weights.bin"]);
    assert.deepEqual(normalized.slice(2), [
      "sync /.best.tmp-N",
      "rename /.best.tmp-N -> /.best.new-N",
      "rename /best -> /.best.old-N",
      "rename /.best.new-N -> /best",
      "sync ",
    ]);
  });
});

/** An Error as Node's fs reports a full disk. */
function enospc(syscall: string, path?: string): NodeJS.ErrnoException {
  const e = new Error(`ENOSPC: no space left on device, ${syscall}${path ? ` '${path}'` : ""}`) as NodeJS.ErrnoException;
  e.code = "ENOSPC";
  e.errno = -28;
  e.syscall = syscall;
  return e;
}

/**
 * Makes every write under `dir` fail with ENOSPC while `full` is true: the promise API (model saves, backups) and the
 * sync API (event files, CSV rows), as Node's fs would on a full disk.
 */
function injectFullDisk(dir: string) {
  const state = { full: false };
  const fds = new Set<number>();
  const { openSync, writeSync } = nodeFs;
  const { open, writeFile } = nodeFs.promises;
  nodeFs.openSync = ((p: string, ...rest: unknown[]) => {
    const fd = (openSync as (...a: unknown[]) => number)(p, ...rest);
    if (String(p).startsWith(dir)) fds.add(fd);
    return fd;
  }) as typeof openSync;
  nodeFs.writeSync = ((fd: number, ...rest: unknown[]) => {
    if (state.full && fds.has(fd)) throw enospc("write");
    return (writeSync as (...a: unknown[]) => number)(fd, ...rest);
  }) as typeof writeSync;
  nodeFs.promises.open = (async (p: string, ...rest: unknown[]) => {
    const handle = await (open as (...a: unknown[]) => Promise<import("node:fs/promises").FileHandle>)(p, ...rest);
    if (!String(p).startsWith(dir)) return handle;
    const write = handle.writeFile.bind(handle);
    handle.writeFile = (async (...a: unknown[]) => {
      if (state.full) throw enospc("write");
      return (write as (...b: unknown[]) => Promise<void>)(...a);
    }) as typeof handle.writeFile;
    return handle;
  }) as typeof open;
  nodeFs.promises.writeFile = (async (p: unknown, ...rest: unknown[]) => {
    if (state.full && String(p).startsWith(dir)) throw enospc("write", String(p));
    return (writeFile as (...a: unknown[]) => Promise<void>)(p, ...rest);
  }) as typeof writeFile;
  return {
    state,
    restore() {
      Object.assign(nodeFs, { openSync, writeSync });
      Object.assign(nodeFs.promises, { open, writeFile });
    },
  };
}

/**
 * The disk-full scenario, on whatever disk `dir` is: five epochs, every one an improvement; `fill()` at the start of
 * epoch 3 and `free()` at the start of epoch 5. Checks what the README promises.
 */
async function diskFullScenario(dir: string, fill: () => void, free: () => void, appendsMayFit = false): Promise<void> {
  const { x, y } = toyData(32);
  const model = tinyModel();
  const snapshots: number[][][] = [];
  const losses = [0.5, 0.4, 0.3, 0.2, 0.1];
  const scripted = new LambdaCallback({ onEpochEnd: (epoch: number, logs: Logs) => void (logs.val_loss = losses[epoch]) });
  const ckpt = new ModelCheckpoint({ filepath: join(dir, "best.keras"), saveBestOnly: true });
  const folderCkpt = new ModelCheckpoint({ filepath: join(dir, "best-folder"), saveBestOnly: true });
  // Checkpoints are written in the background: the disk fills (and is freed) once the saves before are done, so
  // that the saves of epochs 3 and 4 fail, in the background, while it is full.
  const settled = () => Promise.all([ckpt.flush(), folderCkpt.flush()]);
  const disk = new LambdaCallback({
    onEpochBegin: async (epoch: number) => {
      if (epoch === 2) await settled().then(fill);
      if (epoch === 4) await settled().then(free);
    },
  });
  let bestWhileFull: number[][] | undefined;
  const probe = new LambdaCallback({
    onEpochEnd: async (epoch: number) => {
      snapshots.push(weightsOf(model));
      if (epoch === 3) bestWhileFull = weightsOf(await loadKeras(join(dir, "best.keras"), { onWarning: () => {} }));
    },
  });
  const { result: history, warnings } = await captureConsole(() =>
    fit(model, x, y, {
      epochs: 5,
      batchSize: 8,
      verbose: 0,
      callbacks: [
        disk,
        scripted,
        ckpt,
        folderCkpt,
        new TensorBoard({ logDir: join(dir, "tb"), writeGraph: false }),
        new CSVLogger(join(dir, "log.csv")),
        new BackupAndRestore(join(dir, "backup"), { deleteCheckpoint: false }),
        probe,
      ],
    }),
  );
  assert.deepEqual(history.epoch, [0, 1, 2, 3, 4], "training went on through the full disk");
  // The previous best survived, intact, while the disk was full; after it was freed the next improvement was saved.
  assert.deepEqual(bestWhileFull, snapshots[1], "while full, best.keras was still epoch 2's model");
  assert.deepEqual(ckpt.saved.length, 3, "saved at epochs 1, 2 and 5");
  assert.deepEqual(weightsOf(await loadKeras(join(dir, "best.keras"), { onWarning: () => {} })), snapshots[4]);
  assert.deepEqual(weightsOf(await tf.loadLayersModel(`file://${join(dir, "best-folder", "model.json")}`)), snapshots[4]);
  // Told once per writer, naming the path.
  const once = (re: RegExp) => assert.equal(warnings.filter((w) => re.test(w)).length, 1, `one warning matching ${re}:\n${warnings.join("\n")}`);
  once(/^ModelCheckpoint: could not write .*best\.keras: no space left on the device \(ENOSPC\)\. The model saved there before is intact; training goes on/);
  once(/^ModelCheckpoint: could not write .*best-folder: no space left/);
  once(/^BackupAndRestore: could not write .*backup\/latest: no space left.*The previous backup is intact/);
  // On a real disk a small append can still fit in the file's last allocated block; then there is nothing to report.
  const appends = [/^TensorBoard: could not write .*tb\/train\/events\.out\.tfevents\.\S+: no space left on the device/, /^CSVLogger: could not write .*log\.csv: no space left/];
  for (const re of appends) {
    if (appendsMayFit) assert.ok(warnings.filter((w) => re.test(w)).length <= 1, `at most one warning matching ${re}`);
    else once(re);
  }
  const expected = appendsMayFit ? [3, 4, 5] : [5];
  assert.ok(expected.includes(warnings.filter((w) => /could not write/.test(w)).length), "once each, not every epoch or batch");
  // Nothing lost from the logs: rows and records waited in memory and went out, whole and in order, when there was room.
  const rows = readFileSync(join(dir, "log.csv"), "utf8").trim().split("\n");
  assert.deepEqual(rows.map((r) => r.split(",")[0]), ["epoch", "0", "1", "2", "3", "4"]);
  const [eventFile] = readdirSync(join(dir, "tb", "train"));
  const events = readEventFile(join(dir, "tb", "train", eventFile));
  assert.equal(events.trailingBytes, 0);
  assert.deepEqual(events.records.filter((r) => r.tag === "epoch_loss").map((r) => r.step), [0, 1, 2, 3, 4]);
  const manifest = JSON.parse(readFileSync(join(dir, "backup", "latest", "manifest.json"), "utf8"));
  assert.equal(manifest.epoch, 5, "the last backup (after the disk was freed) is complete");
}

describe("a full disk (ENOSPC)", () => {
  it("injected ENOSPC: previous best intact, one warning per writer naming the path, training goes on", async () => {
    const dir = tempDir("tslab-fit-enospc-");
    const disk = injectFullDisk(dir);
    try {
      await diskFullScenario(dir, () => (disk.state.full = true), () => (disk.state.full = false));
    } finally {
      disk.restore();
    }
  });

  const mountPoint = join(tempDir("tslab-fit-tmpfs-"), "disk");
  mkdirSync(mountPoint);
  const mounted = process.platform === "linux" && spawnSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint]).status === 0;
  after(() => {
    if (mounted) spawnSync("umount", [mountPoint]);
  });
  const skip = mounted ? false : "needs root to mount a 4 MiB tmpfs (the injected-ENOSPC test above covers the same paths)";
  it("a real full tmpfs: the same guarantees", { skip }, async () => {
    const filler = join(mountPoint, "filler");
    const fill = () => {
      const fd = nodeFs.openSync(filler, "w");
      const chunk = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) nodeFs.writeSync(fd, chunk);
      } catch (e) {
        assert.equal((e as NodeJS.ErrnoException).code, "ENOSPC");
      } finally {
        nodeFs.closeSync(fd);
      }
      // What a partial page left is used up too, byte by byte.
      const fd2 = nodeFs.openSync(`${filler}-2`, "w");
      try {
        for (;;) nodeFs.writeSync(fd2, Buffer.alloc(512, 1));
      } catch {
        // full
      } finally {
        nodeFs.closeSync(fd2);
      }
    };
    const free = () => {
      rmSync(filler, { force: true });
      rmSync(`${filler}-2`, { force: true });
    };
    await diskFullScenario(mountPoint, fill, free, true);
    assert.ok(!existsSync(filler));
  });
});
