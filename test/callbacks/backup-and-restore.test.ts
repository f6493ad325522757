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

  it("rejects bad arguments", () => {
    assert.throws(() => new BackupAndRestore(""), /backupDir must be a non-empty folder path/);
    assert.throws(() => new BackupAndRestore("b", { saveFreq: -1 }), /saveFreq must be "epoch" or a whole number of batches >= 1/);
  });
});
