// Issue 15: Keras 3's MultiHeadAttention as a tfjs layer. Its outputs are checked against a plain-JS reference of
// Keras's attention math written here with loops (no tfjs), a transformer block trains with fit on the best backend,
// and the .keras file round-trips with Keras's config keys and weight paths (read back by h5py).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { useBestBackend } from "../../src/backend.js";
import { fit } from "../../src/fit/fit.js";
import { loadKeras, readKerasArchive, saveKeras } from "../../src/io/keras/index.js";
import { MultiHeadAttention, multiHeadAttention } from "../../src/layers/index.js";

const quiet = { onWarning: () => {} };
let dir: string;

before(async () => {
  await useBestBackend({ quiet: true });
  dir = mkdtempSync(path.join(os.tmpdir(), "tslab-fit-mha-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

// ---- the reference: Keras's MultiHeadAttention forward pass with loops ----

/** A dense array with its shape, indexed row-major. */
interface Arr {
  shape: number[];
  data: ArrayLike<number>;
}

const at = (a: Arr, ...idx: number[]) => {
  let flat = 0;
  for (let i = 0; i < idx.length; i++) flat = flat * a.shape[i] + idx[i];
  return a.data[flat];
};

interface RefWeights {
  wq: Arr; bq: Arr | null; wk: Arr; bk: Arr | null; wv: Arr; bv: Arr | null; wo: Arr; bo: Arr | null;
}

/**
 * Keras's computation (multi_head_attention.py): EinsumDense projections `abc,cde->abde` of query, key (defaults to
 * value) and value; scores `q·k / sqrt(keyDim)` per head; positions where the mask is 0 get -1e9 before the softmax
 * over the key axis; the weighted sum of values; the output EinsumDense `abcd,cde->abe` (flattened output dims).
 */
function reference(
  query: Arr, value: Arr, key: Arr | null, w: RefWeights,
  opts: { heads: number; keyDim: number; valueDim: number; causal?: boolean; mask?: Arr },
): number[] {
  const k = key ?? value;
  const [B, T, dq] = query.shape;
  const S = value.shape[1];
  const { heads: N, keyDim: H, valueDim: Hv } = opts;
  const E = w.wo.shape.slice(2).reduce((a, c) => a * c, 1);
  const proj = (x: Arr, W: Arr, bias: Arr | null, b: number, t: number, n: number, h: number, dim: number) => {
    let sum = bias ? at(bias, n, h) : 0;
    for (let c = 0; c < x.shape[2]; c++) sum += at(x, b, t, c) * W.data[(c * N + n) * dim + h];
    return sum;
  };
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      // context[n][h] for this (b, t)
      const context: number[][] = [];
      for (let n = 0; n < N; n++) {
        const q = Array.from({ length: H }, (_, h) => proj(query, w.wq, w.bq, b, t, n, h, H));
        const scores: number[] = [];
        for (let s = 0; s < S; s++) {
          let dot = 0;
          for (let h = 0; h < H; h++) dot += q[h] * proj(k, w.wk, w.bk, b, s, n, h, H);
          let allowed = true;
          if (opts.causal && s > t) allowed = false;
          if (opts.mask && at(opts.mask, opts.mask.shape[0] === 1 ? 0 : b, t, s) === 0) allowed = false;
          scores.push(dot / Math.sqrt(H) + (allowed ? 0 : -1e9));
        }
        const max = Math.max(...scores);
        const e = scores.map((x) => Math.exp(x - max));
        const total = e.reduce((a, c) => a + c, 0);
        const p = e.map((x) => x / total);
        context.push(Array.from({ length: Hv }, (_, h) => {
          let sum = 0;
          for (let s = 0; s < S; s++) sum += p[s] * proj(value, w.wv, w.bv, b, s, n, h, Hv);
          return sum;
        }));
      }
      for (let e = 0; e < E; e++) {
        let sum = w.bo ? w.bo.data[e] : 0;
        for (let n = 0; n < N; n++) for (let h = 0; h < Hv; h++) sum += context[n][h] * w.wo.data[(n * Hv + h) * E + e];
        out.push(sum);
      }
    }
  }
  void dq;
  return out;
}

function arr(t: tf.Tensor): Arr {
  return { shape: t.shape, data: t.dataSync() };
}

function weightsOf(layer: MultiHeadAttention): RefWeights {
  const ws = layer.getWeights().map(arr);
  if (!layer.useBias) return { wq: ws[0], bq: null, wk: ws[1], bk: null, wv: ws[2], bv: null, wo: ws[3], bo: null };
  return { wq: ws[0], bq: ws[1], wk: ws[2], bk: ws[3], wv: ws[4], bv: ws[5], wo: ws[6], bo: ws[7] };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, "same number of values");
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Random weights, biases included, so that every term of the formula shows in the output. */
function randomize(layer: tf.layers.Layer, seed: number): void {
  layer.setWeights(layer.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.5, "float32", seed + i)));
}

interface Case {
  name: string;
  B: number; T: number; S: number; dq: number; dv: number; dk?: number;
  heads: number; keyDim: number; valueDim?: number; outputShape?: number | number[]; useBias?: boolean;
  causal?: boolean; mask?: boolean;
}

const CASES: Case[] = [
  { name: "self-attention shape, one head", B: 2, T: 5, S: 5, dq: 4, dv: 4, heads: 1, keyDim: 3 },
  { name: "query and value of different lengths and widths, three heads", B: 2, T: 3, S: 6, dq: 5, dv: 7, heads: 3, keyDim: 2 },
  { name: "key given, valueDim ≠ keyDim", B: 3, T: 4, S: 2, dq: 3, dv: 6, dk: 5, heads: 2, keyDim: 4, valueDim: 3 },
  { name: "outputShape set, no bias", B: 2, T: 4, S: 3, dq: 6, dv: 2, heads: 2, keyDim: 3, outputShape: 5, useBias: false },
  { name: "outputShape of two dims", B: 1, T: 3, S: 3, dq: 4, dv: 4, heads: 2, keyDim: 2, outputShape: [2, 3] },
  { name: "causal mask", B: 2, T: 6, S: 6, dq: 4, dv: 4, heads: 2, keyDim: 3, causal: true },
  { name: "causal mask with T ≠ S", B: 2, T: 3, S: 5, dq: 4, dv: 3, heads: 2, keyDim: 2, causal: true },
  { name: "attention mask input with key", B: 2, T: 4, S: 5, dq: 3, dv: 3, dk: 2, heads: 2, keyDim: 2, mask: true },
  { name: "attention mask and causal mask", B: 2, T: 5, S: 5, dq: 3, dv: 3, heads: 3, keyDim: 2, mask: true, causal: true },
];

/** A 0/1 mask with some zeros but at least one allowed key per query row. */
function attentionMask(B: number, T: number, S: number): tf.Tensor {
  const data = new Float32Array(B * T * S);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let s = 0; s < S; s++) data[(b * T + t) * S + s] = s === 0 || (b + t + s) % 3 !== 0 ? 1 : 0;
  return tf.tensor3d(data, [B, T, S]);
}

describe("MultiHeadAttention: Keras's math", () => {
  for (const c of CASES) {
    it(`matches the loop reference: ${c.name}`, () => {
      const layer = multiHeadAttention({
        numHeads: c.heads, keyDim: c.keyDim, valueDim: c.valueDim, outputShape: c.outputShape, useBias: c.useBias,
        useCausalMask: c.causal, attentionMaskInput: c.mask,
      });
      const query = tf.randomNormal([c.B, c.T, c.dq], 0, 1, "float32", 1);
      const value = tf.randomNormal([c.B, c.S, c.dv], 0, 1, "float32", 2);
      const key = c.dk ? tf.randomNormal([c.B, c.S, c.dk], 0, 1, "float32", 3) : null;
      const mask = c.mask ? attentionMask(c.B, c.T, c.S) : null;
      const inputs = [query, value, ...(key ? [key] : []), ...(mask ? [mask] : [])];
      layer.apply(inputs); // builds
      randomize(layer, 10);
      const y = layer.apply(inputs) as tf.Tensor;
      const outDims = c.outputShape === undefined ? [c.dq] : typeof c.outputShape === "number" ? [c.outputShape] : c.outputShape;
      assert.deepEqual(y.shape, [c.B, c.T, ...outDims]);
      const ref = reference(arr(query), arr(value), key ? arr(key) : null, weightsOf(layer), {
        heads: c.heads, keyDim: c.keyDim, valueDim: c.valueDim ?? c.keyDim, causal: c.causal, mask: mask ? arr(mask) : undefined,
      });
      const d = maxDiff(y.dataSync(), ref);
      assert.ok(d < 1e-4, `max |tfjs − reference| = ${d}`);
    });
  }

  it("holds Keras's variables: kernels (d, heads, dim), biases (heads, dim), output (heads, valueDim, out)", () => {
    const layer = multiHeadAttention({ numHeads: 3, keyDim: 4, valueDim: 5, outputShape: 7 });
    layer.apply([tf.zeros([1, 2, 6]), tf.zeros([1, 3, 8]), tf.zeros([1, 3, 9])]);
    assert.deepEqual(layer.getWeights().map((w) => w.shape), [[6, 3, 4], [3, 4], [9, 3, 4], [3, 4], [8, 3, 5], [3, 5], [3, 5, 7], [7]]);
  });

  it("self-attention: the query alone, [x, x] and [x, x, x] compute the same", () => {
    const layer = multiHeadAttention({ numHeads: 2, keyDim: 3 });
    const x = tf.randomNormal([2, 4, 5], 0, 1, "float32", 8);
    const alone = (layer.apply(x) as tf.Tensor).dataSync();
    randomize(layer, 20);
    const one = (layer.apply(x) as tf.Tensor).dataSync();
    assert.ok(maxDiff(alone, one) > 1e-3, "new weights, new output");
    assert.ok(maxDiff(one, (layer.apply([x, x]) as tf.Tensor).dataSync()) < 1e-6);
    assert.ok(maxDiff(one, (layer.apply([x, x, x]) as tf.Tensor).dataSync()) < 1e-6);
    const ref = reference(arr(x), arr(x), null, weightsOf(layer), { heads: 2, keyDim: 3, valueDim: 3 });
    assert.ok(maxDiff(one, ref) < 1e-4);
  });

  it("the causal mask really hides later positions (changing them leaves earlier outputs alone)", () => {
    const layer = multiHeadAttention({ numHeads: 2, keyDim: 3, useCausalMask: true });
    const x = tf.randomNormal([1, 5, 4], 0, 1, "float32", 4);
    const changed = tf.concat([x.slice([0, 0, 0], [1, 3, 4]), tf.randomNormal([1, 2, 4], 0, 1, "float32", 5)], 1);
    const a = (layer.apply([x, x]) as tf.Tensor).slice([0, 0, 0], [1, 3, 4]);
    const b = (layer.apply([changed, changed]) as tf.Tensor).slice([0, 0, 0], [1, 3, 4]);
    assert.ok(maxDiff(a.dataSync(), b.dataSync()) < 1e-6);
  });

  it("dropout acts in training only", () => {
    const layer = multiHeadAttention({ numHeads: 2, keyDim: 3, dropout: 0.5 });
    const x = tf.randomNormal([2, 6, 4], 0, 1, "float32", 6);
    const inference = layer.apply([x, x]) as tf.Tensor;
    const again = layer.apply([x, x], { training: false }) as tf.Tensor;
    const noDrop = multiHeadAttention({ numHeads: 2, keyDim: 3 });
    noDrop.apply([x, x]);
    noDrop.setWeights(layer.getWeights());
    assert.ok(maxDiff(inference.dataSync(), (noDrop.apply([x, x]) as tf.Tensor).dataSync()) < 1e-6, "identity at inference");
    assert.ok(maxDiff(inference.dataSync(), again.dataSync()) < 1e-6);
    const training = layer.apply([x, x], { training: true }) as tf.Tensor;
    assert.ok(maxDiff(inference.dataSync(), training.dataSync()) > 1e-3, "training output differs");
  });

  it("bad arguments name the argument and what is allowed", () => {
    assert.throws(() => multiHeadAttention({ numHeads: 0, keyDim: 2 }), /numHeads must be a positive integer/);
    assert.throws(() => multiHeadAttention({ numHeads: 2, keyDim: 1.5 }), /keyDim must be a positive integer/);
    assert.throws(() => multiHeadAttention({ numHeads: 2, keyDim: 2, dropout: 1 }), /dropout must be a number in \[0, 1\)/);
    assert.throws(() => multiHeadAttention({ numHeads: 2, keyDim: 2, attentionAxes: [1] as unknown as null }), /attentionAxes \[1\] is not supported/);
    assert.throws(() => multiHeadAttention({ numHeads: 2, keyDim: 2, inputIndices: [1, 0, 0] }), /inputIndices must be null, \[0, 1, 1\], \[0, 0, 1\] or \[0, 1, 0\] \(got \[1,0,0\]\)/);
    const layer = multiHeadAttention({ numHeads: 2, keyDim: 2 });
    const x = tf.input({ shape: [3, 4] });
    assert.throws(() => layer.apply([x, x, x, x]), /expects the inputs query, \[query, value\] or \[query, value, key\], got 4 input\(s\)/);
    const masked = multiHeadAttention({ numHeads: 2, keyDim: 2, attentionMaskInput: true });
    assert.throws(() => masked.apply([tf.input({ shape: [3, 4] })]), /expects the inputs \[query, attentionMask\].*got 1 input\(s\)/);
    assert.throws(() => layer.apply([tf.input({ shape: [3, 4] }), tf.input({ shape: [5, 4] }), tf.input({ shape: [4, 4] })]), /same sequence length/);
    assert.throws(() => multiHeadAttention({ numHeads: 2, keyDim: 2 }).apply([tf.input({ shape: [3, 4, 2] }), tf.input({ shape: [3, 4, 2] })]), /\(batch, sequence, features\)/);
  });
});

// ---- a Functional transformer block: fit, .keras round trip, Keras's config and weight layout ----

const SEQ = 8;
const VOCAB = 12;

/** Token sequences; the label says whether token 1 occurs in the sequence (about half of them). */
function containsTask(n: number): { x: tf.Tensor; y: tf.Tensor } {
  const ids: number[] = [];
  const labels: number[] = [];
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < n; i++) {
    const seq = Array.from({ length: SEQ }, () => 1 + Math.floor(rand() * (VOCAB - 1)));
    ids.push(...seq);
    labels.push(seq.includes(1) ? 1 : 0);
  }
  return { x: tf.tensor2d(ids, [n, SEQ], "int32"), y: tf.oneHot(tf.tensor1d(labels, "int32"), 2).toFloat() };
}

function transformerBlock(): tf.LayersModel {
  const tokens = tf.input({ shape: [SEQ], dtype: "int32", name: "tokens" });
  const x = tf.layers.embedding({ inputDim: VOCAB, outputDim: 16 }).apply(tokens) as tf.SymbolicTensor;
  const attended = multiHeadAttention({ numHeads: 2, keyDim: 8, dropout: 0.1 }).apply([x, x]) as tf.SymbolicTensor;
  const sum = tf.layers.add().apply([x, attended]) as tf.SymbolicTensor;
  const normed = tf.layers.layerNormalization().apply(sum) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling1d().apply(normed) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, activation: "softmax" }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: tokens, outputs: out, name: "transformer_block" });
}

/** The first python3 that imports h5py, or undefined. */
function findPython(): string | undefined {
  for (const exe of ["/usr/bin/python3", "python3"]) {
    if (spawnSync(exe, ["-c", "import h5py"], { encoding: "utf8" }).status === 0) return exe;
  }
  return undefined;
}
const python = findPython();

/** Group name attributes and dataset shapes of a .keras file, read by Python's zipfile and h5py (no tslab-fit code). */
function h5pyLayout(file: string): { groups: Record<string, string | null>; datasets: Record<string, number[]> } {
  const script = [
    "import io, json, sys, zipfile, h5py",
    "z = zipfile.ZipFile(sys.argv[1])",
    "f = h5py.File(io.BytesIO(z.read('model.weights.h5')), 'r')",
    "groups, datasets = {}, {}",
    "def visit(name, obj):",
    "    if isinstance(obj, h5py.Group): groups[name] = obj.attrs['name'] if 'name' in obj.attrs else None",
    "    else: datasets[name] = list(obj.shape)",
    "f.visititems(visit)",
    "print(json.dumps({'groups': groups, 'datasets': datasets}))",
  ].join("\n");
  const r = spawnSync(python!, ["-c", script, file], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe("MultiHeadAttention in a Functional model", () => {
  let model: tf.LayersModel;
  let file: string;
  let data: { x: tf.Tensor; y: tf.Tensor };
  before(() => {
    data = containsTask(256);
  });

  it("a transformer block trains with fit on the best backend and its loss falls", async (t) => {
    model = transformerBlock();
    model.compile({ optimizer: tf.train.adam(0.01), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    const history = await fit(model, data.x, data.y, { epochs: 12, batchSize: 32, verbose: 0 });
    const losses = history.history.loss as number[];
    t.diagnostic(`transformer block on ${tf.getBackend()}: loss ${losses.map((l) => l.toFixed(3)).join(", ")}`);
    assert.ok(losses[losses.length - 1] < 0.6 * losses[0], `loss fell on ${tf.getBackend()}: ${losses.map((l) => l.toFixed(3)).join(", ")}`);
  });

  it("saves as Keras's MultiHeadAttention and loads back predicting the same", async () => {
    file = path.join(dir, "transformer.keras");
    await saveKeras(model, file, quiet);
    const back = await loadKeras(file, quiet);
    assert.ok(back.layers.find((l) => l instanceof MultiHeadAttention), "the reloaded model has a MultiHeadAttention layer");
    const [a, b] = [await (model.predict(data.x) as tf.Tensor).data(), await (back.predict(data.x) as tf.Tensor).data()];
    assert.ok(maxDiff(a, b) <= 1e-6, `predictions differ by ${maxDiff(a, b)}`);
    // The optimizer state came back too: Adam's slots for the eight attention variables.
    const archive = await readKerasArchive(file);
    const trainable = model.trainableWeights.length;
    assert.equal([...archive.weights.datasets.keys()].filter((k) => k.startsWith("optimizer/vars/")).length, 2 + 2 * trainable);
  });

  it("config.json has Keras 3's MultiHeadAttention entry: its keys, the call node and the build shapes", async () => {
    const archive = await readKerasArchive(file);
    const entry = (archive.config.config as any).layers.find((l: any) => l.class_name === "MultiHeadAttention");
    assert.equal(entry.module, "keras.layers");
    assert.deepEqual(Object.keys(entry.config), [
      "name", "trainable", "dtype", "num_heads", "key_dim", "value_dim", "dropout", "use_bias", "output_shape", "attention_axes",
      "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer",
      "kernel_constraint", "bias_constraint",
    ]);
    const c = entry.config;
    assert.deepEqual([c.num_heads, c.key_dim, c.value_dim, c.dropout, c.use_bias, c.output_shape, c.attention_axes], [2, 8, 8, 0.1, true, null, [1]]);
    assert.equal(c.kernel_initializer.class_name, "GlorotUniform");
    assert.equal(c.bias_initializer.class_name, "Zeros");
    assert.deepEqual(entry.build_config, { shapes_dict: { query_shape: [null, SEQ, 16], value_shape: [null, SEQ, 16] } });
    const [node] = entry.inbound_nodes;
    assert.equal(node.args.length, 2);
    const embedding = model.layers.find((l) => l.getClassName() === "Embedding")!;
    for (const a of node.args) assert.deepEqual(a.config.keras_history, [embedding.name, 0, 0]);
    assert.deepEqual(node.args[0], node.args[1], "self-attention: query and value are the same tensor");
    assert.deepEqual(node.kwargs, { query_mask: null, value_mask: null });
  });

  it("model.weights.h5 puts the projections where Keras's saver does, read by h5py", { skip: python ? false : "no python3 with h5py on this machine" }, () => {
    const { groups, datasets } = h5pyLayout(file);
    const mha = "layers/multi_head_attention";
    const attention = Object.fromEntries(Object.entries(datasets).filter(([p]) => p.startsWith(mha)));
    assert.deepEqual(attention, {
      [`${mha}/key_dense/vars/0`]: [16, 2, 8],
      [`${mha}/key_dense/vars/1`]: [2, 8],
      [`${mha}/output_dense/vars/0`]: [2, 8, 16],
      [`${mha}/output_dense/vars/1`]: [16],
      [`${mha}/query_dense/vars/0`]: [16, 2, 8],
      [`${mha}/query_dense/vars/1`]: [2, 8],
      [`${mha}/value_dense/vars/0`]: [16, 2, 8],
      [`${mha}/value_dense/vars/1`]: [2, 8],
    });
    assert.equal(groups[`${mha}/query_dense/vars`], "query");
    assert.equal(groups[`${mha}/key_dense/vars`], "key");
    assert.equal(groups[`${mha}/value_dense/vars`], "value");
    assert.equal(groups[`${mha}/output_dense/vars`], "attention_output");
    for (const empty of ["vars", "_dropout_layer/vars", "_softmax/vars"]) assert.ok(`${mha}/${empty}` in groups, `${mha}/${empty} exists`);
  });
});

/** Rewrites config.json of a .keras file (the weights stay) and returns the new file's path. */
async function editConfig(src: string, name: string, edit: (config: any) => void): Promise<string> {
  const { strFromU8, strToU8, unzipSync, zipSync } = await import("fflate");
  const { readFileSync, writeFileSync } = await import("node:fs");
  const members = unzipSync(new Uint8Array(readFileSync(src)));
  const config = JSON.parse(strFromU8(members["config.json"]));
  edit(config);
  members["config.json"] = strToU8(JSON.stringify(config));
  const out = path.join(dir, name);
  writeFileSync(out, zipSync(members));
  return out;
}

describe("MultiHeadAttention call arguments in .keras files", () => {
  const T = 4;
  const S = 5;
  let model: tf.LayersModel;
  let file: string;
  let feed: tf.Tensor[];

  before(async () => {
    const q = tf.input({ shape: [T, 6], name: "q" });
    const v = tf.input({ shape: [S, 3], name: "v" });
    const k = tf.input({ shape: [S, 2], name: "k" });
    const m = tf.input({ shape: [T, S], name: "m" });
    const attention = multiHeadAttention({
      numHeads: 3, keyDim: 2, valueDim: 4, outputShape: 5, useCausalMask: true, attentionMaskInput: true, name: "cross",
    });
    const y = attention.apply([q, v, k, m]) as tf.SymbolicTensor;
    model = tf.model({ inputs: [q, v, k, m], outputs: y });
    randomize(attention, 30);
    feed = [tf.randomNormal([2, T, 6], 0, 1, "float32", 1), tf.randomNormal([2, S, 3], 0, 1, "float32", 2),
      tf.randomNormal([2, S, 2], 0, 1, "float32", 3), attentionMask(2, T, S)];
    file = path.join(dir, "cross.keras");
    await saveKeras(model, file, quiet);
  });

  it("key, attention_mask and use_causal_mask are written as Keras's call arguments, and read back", async () => {
    const archive = await readKerasArchive(file);
    const entry = (archive.config.config as any).layers.find((l: any) => l.class_name === "MultiHeadAttention");
    const [node] = entry.inbound_nodes;
    assert.deepEqual(node.args.map((a: any) => a.config.keras_history[0]), ["q", "v", "k"]);
    assert.deepEqual(Object.keys(node.kwargs), ["attention_mask", "use_causal_mask", "query_mask", "value_mask", "key_mask"]);
    assert.equal(node.kwargs.attention_mask.config.keras_history[0], "m");
    assert.equal(node.kwargs.use_causal_mask, true);
    assert.deepEqual(entry.build_config, { shapes_dict: { query_shape: [null, T, 6], value_shape: [null, S, 3], key_shape: [null, S, 2] } });
    assert.deepEqual([entry.config.value_dim, entry.config.output_shape], [4, [5]]);
    assert.equal(entry.config.use_causal_mask, undefined, "a call argument, not a constructor argument");

    const back = await loadKeras(file, quiet);
    const layer = back.getLayer("cross") as MultiHeadAttention;
    assert.ok(layer instanceof MultiHeadAttention);
    assert.deepEqual([layer.useCausalMask, layer.attentionMaskInput, layer.valueDim, layer.outputDims], [true, true, 4, [5]]);
    const [a, b] = [await (model.predict(feed) as tf.Tensor).data(), await (back.predict(feed) as tf.Tensor).data()];
    assert.ok(maxDiff(a, b) <= 1e-6, `predictions differ by ${maxDiff(a, b)}`);
    const ref = reference(arr(feed[0]), arr(feed[1]), arr(feed[2]), weightsOf(layer), {
      heads: 3, keyDim: 2, valueDim: 4, causal: true, mask: arr(feed[3]),
    });
    assert.ok(maxDiff(b, ref) < 1e-4, `reloaded model vs reference: ${maxDiff(b, ref)}`);
  });

  it("a model with key, attention-mask input and causal mask trains with fit on the best backend", async () => {
    const trained = await loadKeras(file, quiet);
    trained.compile({ optimizer: tf.train.adam(0.02), loss: "meanSquaredError" });
    const n = 64;
    const xs = [tf.randomNormal([n, T, 6], 0, 1, "float32", 11), tf.randomNormal([n, S, 3], 0, 1, "float32", 12),
      tf.randomNormal([n, S, 2], 0, 1, "float32", 13), tf.tile(attentionMask(1, T, S), [n, 1, 1])];
    const target = tf.tanh(tf.randomNormal([n, T, 5], 0, 1, "float32", 14));
    const history = await fit(trained, xs, target, { epochs: 15, batchSize: 16, verbose: 0 });
    const losses = history.history.loss as number[];
    assert.ok(losses[losses.length - 1] < 0.8 * losses[0], `loss fell on ${tf.getBackend()}: ${losses.map((l) => l.toFixed(3)).join(", ")}`);
  });

  it("reads the other ways Keras records a call: keyword tensors, a key equal to the value, attention_axes null", async () => {
    const edited = await editConfig(file, "keywords.keras", (config) => {
      const entry = config.config.layers.find((l: any) => l.class_name === "MultiHeadAttention");
      const [q, v, k] = entry.inbound_nodes[0].args;
      entry.inbound_nodes[0] = { args: [], kwargs: { query: q, value: v, key: k, ...entry.inbound_nodes[0].kwargs } };
      entry.config.attention_axes = null;
    });
    const back = await loadKeras(edited, quiet);
    const [a, b] = [await (model.predict(feed) as tf.Tensor).data(), await (back.predict(feed) as tf.Tensor).data()];
    assert.ok(maxDiff(a, b) <= 1e-6);
  });

  it("refuses, by name, what tslab-fit's MultiHeadAttention does not compute", async () => {
    const cases: [string, (entry: any) => void, RegExp][] = [
      ["axes", (e) => { e.config.attention_axes = [2]; }, /attention_axes=\[2\] is not supported/],
      ["gate", (e) => { e.config.use_gate = true; }, /use_gate=true is not supported/],
      ["window", (e) => { e.config.sliding_window = 4; }, /sliding_window=4 is not supported/],
      ["scores", (e) => { e.inbound_nodes[0].kwargs.return_attention_scores = true; }, /return_attention_scores=True/],
      ["training", (e) => { e.inbound_nodes[0].kwargs.training = false; }, /fixed training=false/],
      ["padding", (e) => { e.inbound_nodes[0].kwargs.value_mask = e.inbound_nodes[0].args[1]; }, /receives value_mask \(the padding mask of an Embedding\(mask_zero=True\) or Masking input\)/],
      ["regularizer", (e) => { e.config.activity_regularizer = { class_name: "L2", config: { l2: 0.01 } }; }, /activity_regularizer/],
    ];
    for (const [name, edit, message] of cases) {
      const edited = await editConfig(file, `${name}.keras`, (config) => edit(config.config.layers.find((l: any) => l.class_name === "MultiHeadAttention")));
      await assert.rejects(loadKeras(edited, quiet), (e: Error) => {
        assert.match(e.message, /layer "cross"/, name);
        assert.match(e.message, message, name);
        return true;
      });
    }
  });

  it("a Sequential model with self-attention is refused at save time: Keras's Sequential cannot call it on query and value", async () => {
    const m = tf.sequential({ layers: [multiHeadAttention({ numHeads: 2, keyDim: 2, inputShape: [4, 3] })] });
    assert.deepEqual(m.outputs[0].shape, [null, 4, 3], "tfjs runs it as self-attention");
    await assert.rejects(saveKeras(m, path.join(dir, "sequential.keras"), quiet), /inside a Sequential model.*Build the model with tf\.model/);
  });

  it("a padding mask reaching the layer in TypeScript is refused with what to do instead", () => {
    const tokens = tf.input({ shape: [6] });
    const x = tf.layers.embedding({ inputDim: 10, outputDim: 4, maskZero: true }).apply(tokens) as tf.SymbolicTensor;
    assert.throws(() => multiHeadAttention({ numHeads: 1, keyDim: 2 }).apply([x, x]), /carries the padding mask of layer "embedding[^"]*".*attentionMaskInput: true/);
  });
});

describe("MultiHeadAttention given one tensor in two roles (query = value, or query = key)", () => {
  const T = 4;
  // tfjs's predict frees a tensor once per input slot but counts it once per consuming layer: given twice to the
  // layer, x was freed before the residual Add used it ("Tensor is disposed").
  for (const roles of ["query=value", "query=key"] as const) {
    it(`${roles}, with a residual: predict equals Keras's math, and the model round-trips through tfjs JSON and .keras`, async () => {
      const input = tf.input({ shape: [T, 6], name: "x" });
      // An intermediate tensor (a model input is never freed by predict).
      const x = tf.layers.activation({ activation: "tanh", name: "tanh" }).apply(input) as tf.SymbolicTensor;
      const other = tf.input({ shape: [T, roles === "query=value" ? 3 : 6], name: "other" });
      const layer = multiHeadAttention({ numHeads: 2, keyDim: 3, name: "shared_roles" });
      const attended = layer.apply(roles === "query=value" ? [x, x, other] : [x, other, x]) as tf.SymbolicTensor;
      const y = tf.layers.add().apply([x, attended]) as tf.SymbolicTensor;
      const model = tf.model({ inputs: [input, other], outputs: y });
      randomize(layer, 40);
      const feed = [tf.randomNormal([2, T, 6], 0, 1, "float32", 41), tf.randomNormal([2, T, other.shape[2] as number], 0, 1, "float32", 42)];
      const got = await (model.predict(feed) as tf.Tensor).data();
      const [q, o] = [arr(tf.tanh(feed[0])), arr(feed[1])];
      const attn = roles === "query=value" ? reference(q, q, o, weightsOf(layer), { heads: 2, keyDim: 3, valueDim: 3 })
        : reference(q, o, q, weightsOf(layer), { heads: 2, keyDim: 3, valueDim: 3 });
      const expected = attn.map((a, i) => a + q.data[i]);
      assert.ok(maxDiff(got, expected) < 1e-4, `predict vs reference: ${maxDiff(got, expected)}`);

      const fromJson = await tf.models.modelFromJSON(model.toJSON(null, false) as unknown as tf.io.ModelJSON);
      fromJson.setWeights(model.getWeights());
      assert.ok(maxDiff(got, await (fromJson.predict(feed) as tf.Tensor).data()) <= 1e-6, "tfjs JSON round trip");

      const file = path.join(dir, `roles-${roles}.keras`);
      await saveKeras(model, file, quiet);
      const entry = ((await readKerasArchive(file)).config.config as any).layers.find((l: any) => l.class_name === "MultiHeadAttention");
      const [node] = entry.inbound_nodes;
      const names = [...node.args, node.kwargs.key].filter(Boolean).map((a: any) => a.config.keras_history[0]);
      assert.deepEqual(names, roles === "query=value" ? ["tanh", "tanh", "other"] : ["tanh", "other", "tanh"], "Keras's query, value, key");
      const back = await loadKeras(file, quiet);
      assert.ok(maxDiff(got, await (back.predict(feed) as tf.Tensor).data()) <= 1e-6, ".keras round trip");
    });
  }

  it("a layer takes one arrangement of its inputs: applying it again in another is refused, by name", () => {
    const x = tf.input({ shape: [T, 6] });
    const k = tf.input({ shape: [T, 3] });
    const layer = multiHeadAttention({ numHeads: 1, keyDim: 2 });
    layer.apply([x, x, k]);
    assert.throws(() => layer.apply([x, k]), /MultiHeadAttention "[^"]+": .*query, value and key/);
  });
});
