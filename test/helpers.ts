import * as tf from "@tensorflow/tfjs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Tests use the pure-JS cpu backend: deterministic and always there. */
export async function useCpu(): Promise<void> {
  await tf.setBackend("cpu");
  await tf.ready();
}

export function tempDir(prefix = "tslab-fit-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A 4-feature, 3-class toy problem that a small model learns within a few epochs. */
export function toyData(n = 64, seed = 1): { x: tf.Tensor2D; y: tf.Tensor1D } {
  let s = seed;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const xs: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 3;
    xs.push([label + rand() * 0.5, rand(), label * 0.5 - rand(), rand()]);
    ys.push(label);
  }
  return { x: tf.tensor2d(xs), y: tf.tensor1d(ys, "int32") };
}

export function tinyModel(options: { optimizer?: string | tf.Optimizer; metrics?: string[]; seed?: number } = {}): tf.Sequential {
  const init = tf.initializers.glorotUniform({ seed: options.seed ?? 7 });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, activation: "relu", inputShape: [4], kernelInitializer: init }),
      tf.layers.dense({ units: 3, activation: "softmax", kernelInitializer: init }),
    ],
  });
  model.compile({
    optimizer: options.optimizer ?? tf.train.adam(0.05),
    loss: "sparseCategoricalCrossentropy",
    metrics: options.metrics ?? ["accuracy"],
  });
  return model;
}

/** Runs `fn` with console.log/warn captured; returns what was printed. */
export async function captureConsole<T>(fn: () => Promise<T>): Promise<{ result: T; logs: string[]; warnings: string[] }> {
  const logs: string[] = [];
  const warnings: string[] = [];
  const { log, warn } = console;
  console.log = (...a: unknown[]) => void logs.push(a.join(" "));
  console.warn = (...a: unknown[]) => void warnings.push(a.join(" "));
  try {
    return { result: await fn(), logs, warnings };
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

export function weightsOf(model: tf.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}
