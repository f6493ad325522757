import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { BackupAndRestore } from "../../src/index.js";
import { tempDir } from "../helpers.js";

function runChild(env: Record<string, string>) {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(__dirname, "..", "fixtures", "backup-child.ts")], {
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  const lines = r.stdout.split("\n").filter((l) => l.startsWith("{"));
  return { signal: r.signal, status: r.status, json: lines.map((l) => JSON.parse(l)), stdout: r.stdout, stderr: r.stderr };
}

describe("BackupAndRestore", () => {
  it("resumes epoch, weights and optimizer state after the process was killed", () => {
    const dir = join(tempDir(), "backup");
    const first = runChild({ BACKUP_DIR: dir, KILL_AT: "1" });
    assert.equal(first.signal, "SIGKILL", first.stderr);
    const { weights: weightsAtKill } = first.json[0];
    assert.ok(existsSync(join(dir, "latest", "manifest.json")), "the backup survived the kill");

    // A different seed proves the weights come from the backup, not from the same initialisation.
    const second = runChild({ BACKUP_DIR: dir, SEED: "123" });
    assert.equal(second.status, 0, second.stderr);
    const result = second.json.at(-1);
    assert.match(second.stdout, /restored the backup .* resuming at epoch 3/);
    assert.deepEqual(result.epochs, [2, 3, 4], "resumes at the epoch after the last backup");
    assert.deepEqual(result.firstWeights, weightsAtKill, "weights equal those at the kill");
    assert.equal(result.optimizerIterations, 10, "adam's step count (2 epochs × 5 batches) came back too");
    assert.ok(!existsSync(dir), "a normal end deletes the backup");
  });

  it("keeps the backup when the fit is interrupted, and does not leak tensors while backing up and restoring", async () => {
    const tf = await import("@tensorflow/tfjs");
    await tf.setBackend("cpu");
    const { fit, LambdaCallback } = await import("../../src/index.js");
    const { toyData, tinyModel, captureConsole } = await import("../helpers.js");
    const dir = join(tempDir(), "backup");
    const { x, y } = toyData(40);
    const model = tinyModel();
    await fit(model, x, y, { epochs: 1, verbose: 0 }); // optimizer state exists from here on
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const stopper = new LambdaCallback({ onEpochEnd: (e: number) => { if (e === 1) controller.abort(); } });
    await captureConsole(() => fit(model, x, y, { epochs: 5, batchSize: 8, verbose: 0, signal: controller.signal, callbacks: [new BackupAndRestore(dir), stopper] }));
    assert.ok(existsSync(join(dir, "latest", "manifest.json")), "an interrupted fit keeps its backup");
    assert.equal(tf.memory().numTensors, before, "backups leak nothing");
    const { result: history } = await captureConsole(() => fit(model, x, y, { epochs: 3, batchSize: 8, verbose: 0, callbacks: [new BackupAndRestore(dir)] }));
    assert.deepEqual(history.epoch, [2], "resumed after the last finished epoch");
    assert.equal(tf.memory().numTensors, before, "restoring leaks nothing");
    assert.ok(!existsSync(dir), "a normal end deletes the backup");
  });

  it("rejects bad arguments", () => {
    assert.throws(() => new BackupAndRestore(""), /backupDir must be a non-empty folder path/);
    assert.throws(() => new BackupAndRestore("b", { saveFreq: -1 }), /saveFreq must be "epoch" or a whole number of batches >= 1/);
  });
});
