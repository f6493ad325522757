import * as tf from "@tensorflow/tfjs";
import { addGroup, type H5Tree } from "./h5.js";

/**
 * Optimizer variables in Keras's `optimizer/vars` group: `0` iterations (int64), `1` learning rate (float32), then
 * slot variables over `model.trainable_variables`, in the order each Keras optimizer's `build` creates them.
 * Mapped both ways (the update rules match, so training continues identically):
 * - Adam: (momentum, velocity) interleaved per variable = tfjs (m, v);
 * - SGD with momentum: Keras keeps `-lr·a` where tfjs keeps the accumulator `a` (equal for a constant rate);
 * - RMSprop: all velocities, then momentums (if momentum > 0), then average gradients (if centered) = tfjs rms, momentum, mg;
 * - Adagrad: accumulators;
 * - Adadelta: (accumulated_grad, accumulated_delta_var) interleaved per variable = tfjs (accum_grad, accum_var);
 * - Adamax: (momentum, norm) interleaved per variable = tfjs (m, v); tfjs keeps beta_1^t itself, rebuilt from
 *   the iteration count.
 * Plain SGD has no slots.
 */

interface Slot {
  originalName: string;
  variable: tf.Variable;
}

/** One kind of slot variable: where tfjs keeps it and how its values map to Keras's. */
interface SlotKind {
  /** The tfjs slot name suffix (`<variable name>/<suffix>`). */
  suffix: string;
  /** The tfjs optimizer field holding these slots. */
  field: string;
  /** The value of a slot tfjs has not created yet (Keras builds the same). */
  fresh: (opt: Record<string, unknown>) => number;
  toKeras?: (x: number, lr: number) => number;
  fromKeras?: (x: number, lr: number) => number;
}

interface Plan {
  /** Keras's slot kinds, in creation order. */
  kinds: SlotKind[];
  /** Interleaved per variable (Adam) or one block per kind (the others). */
  interleaved: boolean;
  /** tfjs `setWeights` order, as indices into `kinds` (undefined: a zero-filled block tfjs needs but Keras lacks). */
  tfjsOrder: (number | undefined)[];
  /** Installs the blocks when the tfjs optimizer has no `setWeights` of its own (Adamax). */
  setState?: (opt: tf.Optimizer, iterations: number, blocks: NamedTensor[][]) => void;
}

const zero = () => 0;

function planFor(opt: tf.Optimizer): Plan | undefined {
  const c = opt.getConfig() as Record<string, number | boolean>;
  switch (opt.getClassName()) {
    case "SGD":
      return { kinds: [], interleaved: false, tfjsOrder: [] };
    case "Adam":
    case "AdamW":
      return {
        kinds: [
          { suffix: "m", field: "accumulatedFirstMoment", fresh: zero },
          { suffix: "v", field: "accumulatedSecondMoment", fresh: zero },
        ],
        interleaved: true,
        tfjsOrder: [0, 1],
      };
    case "Momentum":
      return {
        kinds: [{ suffix: "momentum", field: "accumulations", fresh: zero, toKeras: (x, lr) => -lr * x, fromKeras: (x, lr) => -x / lr }],
        interleaved: false,
        tfjsOrder: [0],
      };
    case "RMSProp": {
      const kinds: SlotKind[] = [{ suffix: "rms", field: "accumulatedMeanSquares", fresh: zero }];
      const hasMomentum = Number(c.momentum) > 0;
      if (hasMomentum) kinds.push({ suffix: "momentum", field: "accumulatedMoments", fresh: zero });
      if (c.centered) kinds.push({ suffix: "mg", field: "accumulatedMeanGrads", fresh: zero });
      // tfjs always keeps a momentum block (unused when momentum is 0).
      const order: (number | undefined)[] = [0, hasMomentum ? 1 : undefined];
      if (c.centered) order.push(kinds.length - 1);
      return { kinds, interleaved: false, tfjsOrder: order };
    }
    case "Adagrad":
      return {
        kinds: [{ suffix: "accumulator", field: "accumulatedGrads", fresh: (o) => Number(o.initialAccumulatorValue ?? 0.1) }],
        interleaved: false,
        tfjsOrder: [0],
      };
    case "Adadelta":
      return {
        kinds: [
          { suffix: "accum_grad", field: "accumulatedGrads", fresh: zero },
          { suffix: "accum_var", field: "accumulatedUpdates", fresh: zero },
        ],
        interleaved: true,
        tfjsOrder: [0, 1],
      };
    case "Adamax":
      return {
        kinds: [
          { suffix: "m", field: "accumulatedFirstMoment", fresh: zero },
          { suffix: "v", field: "accumulatedWeightedInfNorm", fresh: zero },
        ],
        interleaved: true,
        tfjsOrder: [0, 1],
        setState: setAdamaxState,
      };
    default:
      return undefined;
  }
}

/**
 * tfjs's Adamax has no `setWeights`: its slots, its decay step and its running beta_1 power (beta_1^(t+1) after t
 * steps, the factor Keras computes from `iterations`) are set directly.
 */
function setAdamaxState(opt: tf.Optimizer, iterations: number, blocks: NamedTensor[][]): void {
  const o = opt as unknown as {
    accumulatedFirstMoment: Slot[];
    accumulatedWeightedInfNorm: Slot[];
    iteration: tf.Variable;
    accBeta1: tf.Variable;
    beta1: number;
    iterations_: number;
  };
  const slots = (block: NamedTensor[]): Slot[] => block.map((b) => ({ originalName: b.name, variable: b.tensor.variable(false) }));
  tf.dispose([...o.accumulatedFirstMoment, ...o.accumulatedWeightedInfNorm].filter((s) => s).map((s) => s.variable));
  o.accumulatedFirstMoment = slots(blocks[0]);
  o.accumulatedWeightedInfNorm = slots(blocks[1]);
  tf.tidy(() => {
    o.iteration.assign(tf.scalar(iterations));
    o.accBeta1.assign(tf.scalar(o.beta1 ** (iterations + 1)));
  });
  o.iterations_ = iterations;
}

/** Keras's optimizer `name` (the `name` attribute of `optimizer/vars`). */
const KERAS_OPTIMIZER_NAMES: Record<string, string> = {
  Adam: "adam",
  AdamW: "adamw",
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

function learningRate(opt: tf.Optimizer): number {
  return Number((opt.getConfig() as { learningRate?: number }).learningRate ?? 0);
}

/** Keras dataset index of slot `k` of trainable variable `i`. */
function slotIndex(plan: Plan, k: number, i: number, n: number): number {
  return 2 + (plan.interleaved ? i * plan.kinds.length + k : k * n + i);
}

export async function addOptimizerVars(tree: H5Tree, model: tf.LayersModel): Promise<void> {
  const opt = (model as unknown as { optimizer?: tf.Optimizer }).optimizer;
  if (!opt) return;
  const cls = opt.getClassName();
  const internals = opt as unknown as Record<string, unknown>;
  const lr = learningRate(opt);
  addGroup(tree, "optimizer/vars", { name: KERAS_OPTIMIZER_NAMES[cls] ?? cls.toLowerCase() });
  tree.datasets.set("optimizer/vars/0", { shape: [], dtype: "<i8", data: BigInt64Array.of(BigInt(Number(internals.iterations ?? 0))) });
  tree.datasets.set("optimizer/vars/1", { shape: [], dtype: "<f4", data: Float32Array.of(lr) });
  const plan = planFor(opt);
  if (!plan) return;
  const weights = model.trainableWeights;
  for (const [k, kind] of plan.kinds.entries()) {
    const slots = new Map(((internals[kind.field] as Slot[] | undefined) ?? []).filter((s) => s).map((s) => [s.originalName, s.variable]));
    for (const [i, w] of weights.entries()) {
      const shape = w.shape as number[];
      const v = slots.get(`${variableName(w)}/${kind.suffix}`);
      let data = v ? new Float32Array((await v.data()) as Float32Array) : new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(kind.fresh(internals));
      if (kind.toKeras) data = data.map((x) => kind.toKeras!(x, lr));
      tree.datasets.set(`optimizer/vars/${slotIndex(plan, k, i, weights.length)}`, { shape, dtype: "<f4", data });
    }
  }
}

/**
 * Restores Keras optimizer variables into a freshly compiled tfjs optimizer when the counts and shapes fit;
 * otherwise leaves the optimizer fresh and says why (as Keras does).
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
  const plan = planFor(opt);
  const expected = plan ? 2 + plan.kinds.length * weights.length : undefined;
  if (!plan || names.length !== expected) {
    return warn(
      `optimizer variables skipped: ${names.length} saved, while tfjs ${cls} over ${weights.length} trainable variables ` +
        `can only take ${expected ?? "none"}`,
    );
  }
  const lr = learningRate(opt);
  const blocks: NamedTensor[][] = [];
  const iterTensor = tf.scalar(iter, "int32");
  try {
    for (const k of plan.tfjsOrder) {
      const block: NamedTensor[] = [];
      blocks.push(block);
      for (const [i, w] of weights.entries()) {
        const shape = w.shape as number[];
        const name = `${variableName(w)}/${k === undefined ? "momentum" : plan.kinds[k].suffix}`;
        if (k === undefined) {
          block.push({ name, tensor: tf.zeros(shape) });
          continue;
        }
        const kind = plan.kinds[k];
        const d = at(slotIndex(plan, k, i, weights.length));
        if (!d || d.shape.join() !== shape.join() || (kind.fromKeras && lr === 0)) {
          return warn(`optimizer variables skipped: slot ${kind.suffix} of ${w.name} does not match [${shape}]`);
        }
        const values = kind.fromKeras ? (d.data as Float32Array).map((x) => kind.fromKeras!(x, lr)) : (d.data as Float32Array);
        block.push({ name, tensor: tf.tensor(values, shape) });
      }
    }
    if (plan.setState) plan.setState(opt, iter, blocks);
    else await opt.setWeights([{ name: "iter", tensor: iterTensor }, ...blocks.flat()]);
  } finally {
    iterTensor.dispose();
    blocks.flat().forEach((t) => t.tensor.dispose());
  }
}
