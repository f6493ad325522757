import * as tf from "@tensorflow/tfjs";
import { addGroup, type H5Tree } from "./h5.js";

/**
 * Optimizer variables in Keras's `optimizer/vars` group: `0` iterations (int64), `1` learning rate (float32), then
 * slot variables over `model.trainable_variables`. Mapped both ways: Adam (m, v interleaved per variable; tfjs and
 * Keras keep the same moments), plain SGD (no slots) and SGD with momentum (Keras keeps `-lr·a` where tfjs keeps the
 * accumulator `a`; equal updates for a constant rate). For other optimizers only the first two are written and
 * Keras warns that it skips loading optimizer variables (never an error).
 */

interface Slot {
  originalName: string;
  variable: tf.Variable;
}

interface OptimizerInternals {
  iterations?: number;
  accumulations?: Slot[];
  accumulatedFirstMoment?: Slot[];
  accumulatedSecondMoment?: Slot[];
}

/** Keras's optimizer `name` (the `name` attribute of `optimizer/vars`). */
const KERAS_OPTIMIZER_NAMES: Record<string, string> = {
  Adam: "adam",
  SGD: "SGD",
  Momentum: "SGD",
  RMSProp: "rmsprop",
  Adagrad: "adagrad",
  Adadelta: "adadelta",
  Adamax: "adamax",
};

/** The tf.Variable name tfjs keys optimizer slots by. */
function variableName(w: tf.LayerVariable): string {
  return (w.read() as tf.Variable).name;
}

interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

async function slotValues(slots: Slot[] | undefined, suffix: string, weights: tf.LayerVariable[]): Promise<Float32Array[]> {
  const byName = new Map((slots ?? []).filter((s) => s).map((s) => [s.originalName, s.variable]));
  return Promise.all(
    weights.map(async (w) => {
      const v = byName.get(`${variableName(w)}/${suffix}`);
      // No slot yet (never trained): Keras's freshly built slots are zeros too.
      return v ? ((await v.data()) as Float32Array) : new Float32Array((w.shape as number[]).reduce((a, b) => a * b, 1));
    }),
  );
}

export async function addOptimizerVars(tree: H5Tree, model: tf.LayersModel): Promise<void> {
  const opt = (model as unknown as { optimizer?: tf.Optimizer }).optimizer;
  if (!opt) return;
  const cls = opt.getClassName();
  const internals = opt as unknown as OptimizerInternals;
  addGroup(tree, "optimizer/vars", { name: KERAS_OPTIMIZER_NAMES[cls] ?? cls.toLowerCase() });
  tree.datasets.set("optimizer/vars/0", { shape: [], dtype: "<i8", data: BigInt64Array.of(BigInt(internals.iterations ?? 0)) });
  const lr = Number((opt.getConfig() as { learningRate?: number }).learningRate ?? 0);
  tree.datasets.set("optimizer/vars/1", { shape: [], dtype: "<f4", data: Float32Array.of(lr) });
  const weights = model.trainableWeights;
  if (cls === "Momentum") {
    const a = await slotValues(internals.accumulations, "momentum", weights);
    weights.forEach((w, i) => {
      tree.datasets.set(`optimizer/vars/${2 + i}`, { shape: w.shape as number[], dtype: "<f4", data: a[i].map((x) => -lr * x) });
    });
    return;
  }
  if (cls !== "Adam") return;
  const m = await slotValues(internals.accumulatedFirstMoment, "m", weights);
  const v = await slotValues(internals.accumulatedSecondMoment, "v", weights);
  weights.forEach((w, i) => {
    const shape = w.shape as number[];
    tree.datasets.set(`optimizer/vars/${2 + 2 * i}`, { shape, dtype: "<f4", data: m[i] });
    tree.datasets.set(`optimizer/vars/${3 + 2 * i}`, { shape, dtype: "<f4", data: v[i] });
  });
}

/**
 * Restores Keras optimizer variables into a freshly compiled tfjs Adam or SGD optimizer when the counts and shapes
 * fit; otherwise leaves the optimizer fresh and says why (as Keras does).
 */
export async function restoreOptimizerVars(model: tf.LayersModel, tree: H5Tree, warn: (msg: string) => void): Promise<void> {
  const opt = (model as unknown as { optimizer?: tf.Optimizer }).optimizer;
  const names = [...tree.datasets.keys()].filter((k) => k.startsWith("optimizer/vars/"));
  if (!opt || names.length === 0) return;
  const at = (i: number) => tree.datasets.get(`optimizer/vars/${i}`);
  const iterations = at(0);
  if (!iterations || iterations.shape.length !== 0) return warn("optimizer variables skipped: no scalar iteration counter");
  const iter = Number(iterations.data[0]);
  const cls = opt.getClassName();
  const weights = model.trainableWeights;
  if (cls === "SGD" && names.length === 2) {
    await opt.setWeights([{ name: "iter", tensor: tf.scalar(iter, "int32") }]);
    return;
  }
  const expected = cls === "Adam" ? 2 + 2 * weights.length : cls === "Momentum" ? 2 + weights.length : cls === "SGD" ? 2 : undefined;
  if (expected === undefined || names.length !== expected) {
    return warn(
      `optimizer variables skipped: ${names.length} saved, while tfjs ${cls} over ${weights.length} trainable variables ` +
        `can only take ${expected ?? "none"}`,
    );
  }
  if (cls === "Momentum") {
    const lr = Number((opt.getConfig() as { learningRate?: number }).learningRate ?? 0);
    const acc: NamedTensor[] = [];
    for (let i = 0; i < weights.length; i++) {
      const shape = weights[i].shape as number[];
      const d = at(2 + i);
      if (!d || d.shape.join() !== shape.join() || lr === 0) {
        acc.forEach((t) => t.tensor.dispose());
        return warn(`optimizer variables skipped: momentum slot ${i} does not match trainable variable ${weights[i].name} [${shape}]`);
      }
      acc.push({ name: `${variableName(weights[i])}/momentum`, tensor: tf.tensor((d.data as Float32Array).map((x) => -x / lr), shape) });
    }
    await opt.setWeights([{ name: "iter", tensor: tf.scalar(iter, "int32") }, ...acc]);
    acc.forEach((t) => t.tensor.dispose());
    return;
  }
  const m: NamedTensor[] = [];
  const v: NamedTensor[] = [];
  for (let i = 0; i < weights.length; i++) {
    const shape = weights[i].shape as number[];
    const a = at(2 + 2 * i);
    const b = at(3 + 2 * i);
    if (!a || !b || a.shape.join() !== shape.join() || b.shape.join() !== shape.join()) {
      return warn(`optimizer variables skipped: slot shapes do not match trainable variable ${weights[i].name} [${shape}]`);
    }
    m.push({ name: `${variableName(weights[i])}/m`, tensor: tf.tensor(a.data as Float32Array, shape) });
    v.push({ name: `${variableName(weights[i])}/v`, tensor: tf.tensor(b.data as Float32Array, shape) });
  }
  await opt.setWeights([{ name: "iter", tensor: tf.scalar(iter, "int32") }, ...m, ...v]);
  [...m, ...v].forEach((t) => t.tensor.dispose());
}
