// kill -9 of a training child (test/fixtures/kill-child.ts) at random moments and at aimed ones (between the two
// renames of a folder swap): what is on disk afterwards must be what the README promises.
//   KILL_RUNS=20 node scripts/run-tests.mjs test/reliability/kill.test.ts   — more random kills per case
//   KILL_SEED=…                                                               — replay one sequence of delays
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { loadKeras, readEventFile } from "../../src/index.js";
import { tempDir, useCpu, weightsOf } from "../helpers.js";

before(useCpu);

const RUNS = Number(process.env.KILL_RUNS ?? 2);
const SEED = Number(process.env.KILL_SEED ?? Date.now() % 100000);
let seed = SEED;
/** Seeded, so a failing sequence can be replayed with KILL_SEED. */
const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);

interface Line {
  saving?: number;
  saved?: number;
  weights?: number[];
  optimizer?: number[];
  backingUp?: number;
  backedUp?: number;
  resumedAt?: number;
  batch?: number;
  finished?: boolean;
}

interface ChildRun {
  signal: NodeJS.Signals | null;
  code: number | null;
  lines: Line[];
  stderr: string;
}

/**
 * Runs the child; once a line satisfies `armed`, waits `delayMs` and sends SIGKILL (unless it already exited).
 * Without `armed` the child runs until it exits (or kills itself, for the aimed kills).
 */
function runChild(env: Record<string, string>, armed?: (line: Line) => boolean, delayMs = 0): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, "..", "fixtures", "kill-child.ts")], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: Line[] = [];
    let stderr = "";
    let buffered = "";
    let fired = false;
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      for (const part of parts) {
        if (!part.startsWith("{")) continue;
        const line = JSON.parse(part) as Line;
        lines.push(line);
        if (!fired && armed?.(line)) {
          fired = true;
          setTimeout(() => child.kill("SIGKILL"), delayMs);
        }
      }
    });
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, lines, stderr }));
  });
}

/** The weights the child reported for the save at `epoch`. */
const reported = (run: ChildRun, epoch: number) => run.lines.find((l) => l.saving === epoch)!.weights!;

/** The saves that may be on disk after a kill: the last one that completed, and the one in progress, if any. */
function candidates(run: ChildRun): number[] {
  const lastSaved = Math.max(...run.lines.filter((l) => l.saved !== undefined).map((l) => l.saved!));
  const inProgress = run.lines.some((l) => l.saving === lastSaved + 1) ? [lastSaved + 1] : [];
  return [lastSaved, ...inProgress];
}

async function loadWeights(path: string): Promise<number[]> {
  const model = path.endsWith(".keras") ? await loadKeras(path, { onWarning: () => {} }) : await tf.loadLayersModel(`file://${path}/model.json`);
  return weightsOf(model).flat();
}

const quietly = async <T>(fn: () => Promise<T>): Promise<T> => {
  const warn = console.warn;
  console.warn = () => {};
  try {
    return await fn();
  } finally {
    console.warn = warn;
  }
};

/** No side copies left once a folder was loaded (the loader recovers, then removes what dead processes left). */
function assertNoLeftovers(dir: string, name: string): void {
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith(`.${name}.`)), [], "no side copies left behind");
}

for (const format of ["folder", "keras"] as const) {
  const file = format === "folder" ? "best" : "best.keras";
  describe(`kill -9 during ModelCheckpoint saves (${format === "folder" ? "TF.js layers folder" : ".keras"}; KILL_SEED=${SEED})`, () => {
    for (let run = 0; run < RUNS; run++) {
      it(`random kill ${run + 1}/${RUNS}: the path holds the last completed best model, or the one being saved`, async () => {
        const dir = tempDir("tslab-fit-kill-");
        const delay = Math.floor(random() * 800);
        const child = await runChild({ MODE: "ckpt", CKPT_PATH: join(dir, file) }, (l) => l.saved !== undefined, delay);
        assert.equal(child.signal, "SIGKILL", `killed after ${delay} ms (it finished instead?)\n${child.stderr}`);
        const weights = await quietly(() => loadWeights(join(dir, file)));
        const options = candidates(child);
        const match = options.find((e) => reported(child, e).every((v, i) => v === weights[i]));
        assert.ok(match !== undefined, `the loaded model is the save of epoch ${options.join(" or ")} (killed ${delay} ms after the first save)`);
        if (format === "folder") assertNoLeftovers(dir, file);
      });
    }

    const aimed: Array<{ at: string; expect: "previous" | "new"; why: string }> =
      format === "folder"
        ? [
            { at: "3:after:1", expect: "previous", why: "new copy complete beside it, old one still in place" },
            { at: "3:after:2", expect: "new", why: "old copy moved aside, new not yet in place: the path is missing until recovered" },
            { at: "3:after:3", expect: "new", why: "new copy in place, old copy not yet removed" },
          ]
        : [
            { at: "3:before:1", expect: "previous", why: "the new file written beside, not yet renamed" },
            { at: "3:after:1", expect: "new", why: "renamed into place" },
          ];
    for (const { at, expect, why } of aimed) {
      it(`kill aimed at rename ${at} (${why}): the ${expect} model loads`, async () => {
        const dir = tempDir("tslab-fit-kill-");
        const child = await runChild({ MODE: "ckpt", CKPT_PATH: join(dir, file), KILL_AT_RENAME: at });
        assert.equal(child.signal, "SIGKILL", child.stderr);
        assert.equal(child.lines.at(-1)!.saving, 3, "killed inside the save of epoch 4 (index 3)");
        const weights = await quietly(() => loadWeights(join(dir, file)));
        assert.deepEqual(weights, reported(child, expect === "new" ? 3 : 2));
        if (format === "folder") assertNoLeftovers(dir, file);
      });
    }
  });
}

describe(`kill -9 with BackupAndRestore (KILL_SEED=${SEED})`, () => {
  async function resumeAndCheck(backupDir: string, killed: ChildRun): Promise<void> {
    // A fresh process with another seed: whatever it resumes with must come from the backup.
    const resumed = await quietly(() => runChild({ MODE: "backup", BACKUP_DIR: backupDir, SEED: "99", EPOCHS: "100000" }, (l) => l.resumedAt !== undefined, 0));
    const start = resumed.lines.find((l) => l.resumedAt !== undefined);
    assert.ok(start, `the second run started training\n${resumed.stderr}`);
    const lastDone = Math.max(...killed.lines.filter((l) => l.backedUp !== undefined).map((l) => l.backedUp!));
    const allowed = [lastDone, ...(killed.lines.some((l) => l.backingUp === lastDone + 1) ? [lastDone + 1] : [])];
    assert.ok(allowed.includes(start.resumedAt!), `resumed at epoch index ${start.resumedAt}, expected ${allowed.join(" or ")}`);
    const expected = killed.lines.find((l) => l.backingUp === start.resumedAt)!;
    assert.deepEqual(start.weights, expected.weights, "the same weights");
    assert.deepEqual(start.optimizer, expected.optimizer, "the same optimizer state (Adam's step count and moments)");
  }

  for (let run = 0; run < RUNS; run++) {
    it(`random kill ${run + 1}/${RUNS}: the next fit resumes with the same weights, optimizer state and epoch`, async () => {
      const backupDir = join(tempDir("tslab-fit-kill-"), "backup");
      const delay = Math.floor(random() * 800);
      const killed = await runChild({ MODE: "backup", BACKUP_DIR: backupDir }, (l) => l.backedUp !== undefined, delay);
      assert.equal(killed.signal, "SIGKILL", killed.stderr);
      await resumeAndCheck(backupDir, killed);
    });
  }

  it("kill aimed between the two renames of a backup: the next fit recovers it and resumes after that epoch", async () => {
    const backupDir = join(tempDir("tslab-fit-kill-"), "backup");
    const killed = await runChild({ MODE: "backup", BACKUP_DIR: backupDir, KILL_AT_RENAME: "3:after:2" });
    assert.equal(killed.signal, "SIGKILL", killed.stderr);
    assert.deepEqual(readdirSync(backupDir).filter((n) => n === "latest"), [], "latest/ is missing at this moment");
    await resumeAndCheck(backupDir, killed);
    const resumedLines = killed.lines.filter((l) => l.backingUp === 4);
    assert.equal(resumedLines.length, 1, "the save that was cut off was the backup for epoch index 4");
  });
});

describe(`kill -9 while event files are written (KILL_SEED=${SEED})`, () => {
  it(`every whole record stays readable after ${RUNS} random kills, and each run writes a new file`, async () => {
    const logDir = join(tempDir("tslab-fit-kill-"), "logs");
    const train = join(logDir, "train");
    const before = new Map<string, Buffer>();
    for (let run = 0; run < RUNS; run++) {
      const delay = Math.floor(random() * 800);
      const child = await runChild({ MODE: "events", LOG_DIR: logDir }, (l) => l.batch !== undefined, delay);
      assert.equal(child.signal, "SIGKILL", child.stderr);
      const files = readdirSync(train).sort();
      assert.equal(files.length, run + 1, "each run created its own file");
      for (const [f, bytes] of before) assert.ok(readFileSync(join(train, f)).equals(bytes), `${f} of an earlier run is untouched`);
      const newest = files.find((f) => !before.has(f))!;
      const contents = readEventFile(join(train, newest)); // throws on a bad checksum
      const steps = contents.records.filter((r) => r.tag === "batch_loss").map((r) => r.step);
      const lastReported = Math.max(...child.lines.filter((l) => l.batch !== undefined).map((l) => l.batch!));
      assert.deepEqual(steps, Array.from({ length: steps.length }, (_, i) => i + 1), "consecutive steps from 1, none lost in the middle");
      assert.ok(steps.length >= lastReported, `every batch reported written (${lastReported}) is in the file (${steps.length})`);
      for (const f of files) before.set(f, readFileSync(join(train, f)));
    }
  });
});
