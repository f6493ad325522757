// A kernel interrupt while `fit` runs in the real tslab kernel: training stops at the next batch boundary, onTrainEnd
// runs, the History resolves, and nothing of the training loop leaks into the cells that follow.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ensureBuilt, kernelSkipReason, makeKernelEnv, PYTHON } from "../display/kernel-env.js";

interface Msg {
  t: number;
  msg_type: string;
  content: { text?: string; name?: string; execution_state?: string };
}

const setup = `
import * as tf from "@tensorflow/tfjs";
import { fit, LambdaCallback, useBestBackend } from "tslab-fit";
await useBestBackend({ quiet: true });
const x = tf.randomNormal([2048, 16]);
const y = tf.randomUniform([2048], 0, 4, "int32");
const model = tf.sequential({ layers: [tf.layers.dense({ units: 64, activation: "relu", inputShape: [16] }), tf.layers.dense({ units: 4, activation: "softmax" })] });
model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
const state = { batchesAfterEnd: 0, trainEnded: false, epochs: 0 };
(globalThis as any).fitState = state;
console.log("ready");
`;

const train = `
const probe = new LambdaCallback({
  onEpochEnd: (epoch) => { state.epochs = epoch + 1; console.log("EPOCH " + epoch); },
  onTrainBatchEnd: () => { if (state.trainEnded) state.batchesAfterEnd++; },
  onTrainEnd: () => { state.trainEnded = true; console.log("TRAIN_END"); },
});
const running = fit(model, x, y, { epochs: 500, batchSize: 16, verbose: 0, callbacks: [probe] });
running.then((h) => { (globalThis as any).resolvedEpochs = h.epoch.length; console.log("RESOLVED " + h.epoch.length); });
await running;
console.log("CELL_CONTINUED");
`;

const after = `
await new Promise((r) => setTimeout(r, 1500));
console.log(JSON.stringify({ ...(globalThis as any).fitState, resolvedEpochs: (globalThis as any).resolvedEpochs }));
`;

const skip = kernelSkipReason();

describe("kernel interrupt during fit (real tslab kernel)", { skip }, () => {
  it("stops training, runs onTrainEnd, resolves the History, and leaks nothing into later cells", () => {
    ensureBuilt();
    const kernel = makeKernelEnv();
    const cellsFile = join(kernel.root, "cells.json");
    const outFile = join(kernel.root, "out.json");
    writeFileSync(cellsFile, JSON.stringify({ setup, train, after, interrupt_when: "EPOCH 1" }));
    const r = spawnSync(PYTHON, [join(__dirname, "interrupt_driver.py"), cellsFile, kernel.notebookDir, outFile], {
      env: kernel.env,
      encoding: "utf8",
      timeout: 300_000,
    });
    assert.equal(r.status, 0, `driver failed:\n${r.stdout}\n${r.stderr}`);
    const out = JSON.parse(readFileSync(outFile, "utf8")) as Record<string, Msg[]> & { interrupted_at: number | null };
    const text = (msgs: Msg[]) => msgs.filter((m) => m.msg_type === "stream").map((m) => m.content.text).join("");
    assert.match(text(out.setup), /ready/, text(out.setup));
    assert.notEqual(out.interrupted_at, null, "training printed EPOCH 1, so the interrupt was sent");

    // tslab ends the interrupted cell at once ("Interrupted asynchronously"); the stop message, onTrainEnd and the
    // resolved History follow under that same cell (same parent id), never under the next one.
    const trainText = text(out.train) + text(out.train_late);
    assert.match(trainText, /interrupted — stopping at the next batch boundary/);
    assert.match(trainText, /TRAIN_END/);
    assert.match(trainText, /RESOLVED \d+/);
    // fit resolves (as the issue asks), so tslab lets the rest of that cell run, under that cell.
    assert.match(trainText, /TRAIN_END[\s\S]*RESOLVED \d+[\s\S]*CELL_CONTINUED/);

    const afterText = text(out.after);
    assert.doesNotMatch(afterText, /EPOCH|TRAIN_END|RESOLVED|CELL_CONTINUED/, "no training output leaked into the next cell");
    const state = JSON.parse(afterText.trim().split("\n").at(-1)!);
    assert.equal(state.trainEnded, true);
    assert.equal(state.batchesAfterEnd, 0, "no batch ran after onTrainEnd");
    assert.ok(state.epochs >= 2 && state.epochs < 500, `stopped early, after ${state.epochs} epochs`);
    assert.equal(state.resolvedEpochs, state.epochs, "fit resolved with the History of the epochs that ran");
  });
});
