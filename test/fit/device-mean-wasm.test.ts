import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import "../../src/index.js"; // registers the kernels
import { DeviceMean } from "../../src/fit/device-mean.js";
import { ACCUMULATE } from "../../src/kernels/wasm/accumulate.js";

// On wasm, DeviceMean adds a batch in one kernel (src/kernels/wasm/accumulate.ts) instead of stack, cast, multiply
// and add; the sums must be the same float32 numbers as the generic path's, which runs on cpu here.

function values(n: number): Array<[number, number, number]> {
  let s = 12345;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: n }, () => [next() * 3, next(), 1 + Math.floor(next() * 64)]);
}

async function run(backend: string): Promise<{ batches: number[][]; epoch: Record<string, number>; kernels: string[] }> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const mean = new DeviceMean(["loss", "acc"]);
  const views = [];
  let kernels: string[] = [];
  for (const [i, [loss, acc, samples]] of values(300).entries()) {
    const add = () => mean.add([tf.scalar(loss), tf.scalar(acc)], samples);
    if (i === 5) kernels = (await tf.profile(add)).kernels.map((k) => k.name);
    else add();
    views.push(mean.batchLogs());
  }
  const epoch = await mean.epochLogs();
  assert.equal(tf.memory().numTensors, before, `${backend}: no tensor left behind`);
  return { batches: views.map((v) => [v.loss, v.acc]), epoch, kernels };
}

test("DeviceMean on wasm (one kernel per batch) gives the generic path's float32 sums, batch by batch and for the epoch", async () => {
  try {
    const cpu = await run("cpu");
    const wasm = await run("wasm");
    assert.deepEqual(wasm.kernels, [ACCUMULATE]);
    assert.ok(!cpu.kernels.includes(ACCUMULATE));
    assert.deepStrictEqual(wasm.batches, cpu.batches);
    assert.deepStrictEqual(wasm.epoch, cpu.epoch);
    assert.ok(wasm.epoch.loss > 0 && wasm.epoch.acc > 0);
  } finally {
    await tf.setBackend("wasm");
  }
});
