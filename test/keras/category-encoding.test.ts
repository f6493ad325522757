// CategoryEncoding both ways: for each output mode on rank-1 and rank-2 integer inputs, tfjs predicts what Keras 3's
// math gives (a plain re-implementation below, after keras/src/utils/numerical_utils.py: one_hot, then a max or sum
// over axis 1 for rank 2 and over the batch axis for rank 1); the saved file carries Keras's config and reloads with
// the same predictions; the input shapes where tfjs's own layer cannot compute Keras's result are refused on save.
// tslab-fit's KerasCategoryEncoding (what Keras files load as) covers every non-sparse case Keras 3.4+ computes, checked
// against a plain reference of keras/src/utils/numerical_utils.py (one_hot adds an axis, replacing a trailing 1;
// multi_hot and count reduce over axis 1, or over the batch for rank 1).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { useBestBackend } from "../../src/backend.js";
import { loadKeras, readKerasArchive, saveKeras } from "../../src/io/keras/index.js";
import { kerasCategoryEncoding } from "../../src/layers/index.js";

const quiet = { onWarning: () => {} };
let dir: string;
before(async () => {
  await useBestBackend({ quiet: true });
  dir = mkdtempSync(path.join(os.tmpdir(), "tslab-fit-catenc-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

type Mode = "multi_hot" | "one_hot" | "count";
const TFJS_MODE = { multi_hot: "multiHot", one_hot: "oneHot", count: "count" } as const;
const N = 6;

const oneHot = (v: number): number[] => Array.from({ length: N }, (_, i) => (i === v ? 1 : 0));
const reduce = (rows: number[][], mode: Mode): number[] =>
  rows.reduce((acc, r) => acc.map((a, i) => (mode === "count" ? a + r[i] : Math.max(a, r[i]))), new Array(N).fill(0));

/** Keras 3's CategoryEncoding on a batch (rank 1: values; rank 2: rows of values). */
function kerasEncode(x: number[] | number[][], mode: Mode): number[] | number[][] {
  if (mode === "one_hot") return (x as (number | number[])[]).map((v) => oneHot(Array.isArray(v) ? v[0] : v)); // (b) or (b, 1)
  if (!Array.isArray(x[0])) return reduce((x as number[]).map(oneHot), mode); // rank 1: reduced over the batch axis
  return (x as number[][]).map((row) => reduce(row.map(oneHot), mode));
}

const CASES: { mode: Mode; shape: number[]; x: number[] | number[][] }[] = [
  { mode: "multi_hot", shape: [], x: [3, 0, 3, 5] },
  { mode: "count", shape: [], x: [3, 0, 3, 5] },
  { mode: "one_hot", shape: [], x: [3, 0, 3, 5] },
  { mode: "multi_hot", shape: [3], x: [[0, 1, 1], [5, 5, 2], [4, 0, 4]] },
  { mode: "count", shape: [3], x: [[0, 1, 1], [5, 5, 2], [4, 0, 4]] },
  { mode: "one_hot", shape: [1], x: [[2], [0], [5]] },
];

function build(mode: Mode, shape: number[]): tf.LayersModel {
  const input = tf.input({ shape, dtype: "int32" });
  const layer = tf.layers.categoryEncoding({ numTokens: N, outputMode: TFJS_MODE[mode] as never });
  return tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
}

describe("CategoryEncoding: TypeScript → .keras → TypeScript, equal to Keras's math", () => {
  for (const c of CASES) {
    it(`${c.mode}, input shape (batch${c.shape.map((d) => `, ${d}`).join("")})`, async () => {
      const model = build(c.mode, c.shape);
      // tfjs 4.22's computeOutputShape overwrote the Input's shape with (batch, num_tokens); tslab-fit patches it.
      assert.deepEqual(model.inputs[0].shape, [null, ...c.shape], "the Input keeps its own shape");
      const x = tf.tensor(c.x as number[], undefined, "int32");
      const expected = kerasEncode(c.x, c.mode);
      // tfjs's predict() reshapes a rank-1 batch to (batch, 1), so a model on scalar inputs is called directly.
      const run = (m: tf.LayersModel) => (c.shape.length === 0 ? (m.apply(x) as tf.Tensor) : (m.predict(x) as tf.Tensor)).arraySync();
      const ours = run(model);
      assert.deepEqual(ours, expected, "tfjs equals Keras's math");

      const file = path.join(dir, `${c.mode}-${c.shape.length}.keras`);
      await saveKeras(model, file, quiet);
      const layer = ((await readKerasArchive(file)).config as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } })
        .config.layers.find((l) => l.class_name === "CategoryEncoding")!;
      assert.equal(layer.config.output_mode, c.mode);
      assert.equal(layer.config.num_tokens, N);
      assert.equal(layer.config.sparse, false);
      const back = await loadKeras(file, quiet);
      assert.deepEqual(back.inputs[0].shape, [null, ...c.shape], "the input keeps its shape");
      assert.deepEqual(run(back), expected, "the reloaded model predicts the same");
    });
  }
});

describe("CategoryEncoding: tfjs's own layer is refused where it differs from Keras; Keras files load as KerasCategoryEncoding", () => {
  it("saving one_hot on a (batch, 3) input is refused", async () => {
    const model = build("one_hot", [3]);
    await assert.rejects(saveKeras(model, path.join(dir, "bad.keras"), quiet), /\(CategoryEncoding\).*output_mode "one_hot" on an input of shape \[null,3\].*rank 3/);
  });

  /** A saved file whose CategoryEncoding entry is edited as given. */
  async function edited(name: string, edit: (entry: { config: Record<string, unknown>; build_config: { input_shape: unknown } }) => void): Promise<string> {
    const good = path.join(dir, `${name}-src.keras`);
    await saveKeras(build("multi_hot", [3]), good, quiet);
    const members = unzipSync(new Uint8Array(readFileSync(good)));
    const config = JSON.parse(strFromU8(members["config.json"]));
    edit(config.config.layers.find((l: { class_name: string }) => l.class_name === "CategoryEncoding"));
    members["config.json"] = strToU8(JSON.stringify(config));
    const file = path.join(dir, `${name}.keras`);
    writeFileSync(file, zipSync(members));
    return file;
  }

  it("loading one_hot on a (batch, 3) input gives KerasCategoryEncoding, one row per value", async () => {
    const file = await edited("onehot3", (e) => { e.config.output_mode = "one_hot"; });
    const back = await loadKeras(file, quiet);
    assert.equal(back.layers[1].getClassName(), "KerasCategoryEncoding");
    const x = tf.tensor2d([[0, 5, 2]], undefined, "int32");
    assert.deepEqual((back.predict(x) as tf.Tensor).arraySync(), [[oneHot(0), oneHot(5), oneHot(2)]]);
    x.dispose();
  });

  it("loading multi_hot on a (batch, 2, 3) input is refused: Keras's result would not have the shape it declares", async () => {
    const file = await edited("rank3", (e) => { e.build_config.input_shape = [null, 2, 3]; });
    await assert.rejects(loadKeras(file, quiet), /layer "[^"]+" \(CategoryEncoding\) is not supported: output_mode "multi_hot" on an input of shape \[null,2,3\]: Keras 3 reduces over axis 1.*Flatten or reshape the ids/);
  });

  it("loading sparse=True is refused", async () => {
    const file = await edited("sparse", (e) => { e.config.sparse = true; });
    await assert.rejects(loadKeras(file, quiet), /layer "[^"]+" \(CategoryEncoding\) is not supported: sparse=True gives sparse tensors, which TensorFlow.js does not have\. Save the model with sparse=False/);
  });

  it("an unknown output_mode names the allowed ones", async () => {
    const file = await edited("tfidf", (e) => { e.config.output_mode = "tf_idf"; });
    await assert.rejects(loadKeras(file, quiet), /output_mode "tf_idf" is not one of "multi_hot", "one_hot", "count"/);
  });
});

// ---- KerasCategoryEncoding: every non-sparse case, against the reference ----

type Nested = number | Nested[];
const rankOf = (x: Nested): number => (Array.isArray(x) ? 1 + rankOf(x[0]) : 0);
const oneHotAll = (x: Nested): Nested => (Array.isArray(x) ? x.map(oneHotAll) : oneHot(x));
const combine = (a: Nested, b: Nested, mode: Mode): Nested =>
  Array.isArray(a) ? a.map((v, i) => combine(v, (b as Nested[])[i], mode)) : mode === "count" ? a + (b as number) : Math.max(a, b as number);
const lastSize = (v: Nested[]): number => (Array.isArray(v[0]) ? lastSize(v[0]) : v.length);
const squeezeLast = (v: Nested[]): Nested[] =>
  Array.isArray((v[0] as Nested[])[0]) ? v.map((u) => squeezeLast(u as Nested[])) : (v as number[][]).map((r) => r[0]);
const reduceFirst = (xs: Nested[], mode: Mode): Nested => xs.reduce((acc, v) => combine(acc, v, mode));

/** Keras ≥ 3.4's encode_categorical_inputs (non-sparse) on a batch of ids of any rank. */
function kerasEncodeAny(x: Nested[], mode: Mode): Nested {
  if (mode === "one_hot") return oneHotAll(rankOf(x) > 1 && lastSize(x) === 1 ? squeezeLast(x) : x);
  const encoded = oneHotAll(x) as Nested[];
  return rankOf(x) === 1 ? reduceFirst(encoded, mode) : encoded.map((item) => reduceFirst(item as Nested[], mode));
}

const ANY_CASES: { mode: Mode; shape: number[]; x: Nested[] }[] = [
  { mode: "one_hot", shape: [3], x: [[0, 5, 2], [1, 1, 4]] },
  { mode: "one_hot", shape: [2, 1], x: [[[3], [0]], [[5], [5]]] },
  { mode: "one_hot", shape: [2, 3], x: [[[0, 1, 2], [3, 4, 5]], [[5, 5, 0], [1, 3, 1]]] },
  { mode: "multi_hot", shape: [], x: [3, 0, 3, 5] },
  { mode: "count", shape: [4], x: [[0, 1, 1, 1], [5, 5, 2, 0]] },
  { mode: "multi_hot", shape: [1], x: [[2], [4]] },
  // Rank 3 with equal sizes: Keras reduces over axis 1 (the columns here), and that is what it declares too.
  { mode: "multi_hot", shape: [3, 3], x: [[[0, 1, 2], [0, 4, 2], [5, 1, 2]], [[3, 3, 3], [1, 1, 1], [0, 0, 0]]] },
  { mode: "count", shape: [2, 2], x: [[[0, 1], [0, 4]], [[2, 2], [2, 5]]] },
];

describe("KerasCategoryEncoding: every non-sparse case Keras computes, TypeScript → .keras → TypeScript", () => {
  for (const c of ANY_CASES) {
    it(`${c.mode}, input shape (batch${c.shape.map((d) => `, ${d}`).join("")})`, async () => {
      const input = tf.input({ shape: c.shape, dtype: "int32" });
      const model = tf.model({ inputs: input, outputs: kerasCategoryEncoding({ numTokens: N, outputMode: c.mode }).apply(input) as tf.SymbolicTensor });
      const x = tf.tensor(c.x as number[], undefined, "int32");
      const run = (m: tf.LayersModel) => (c.shape.length === 0 ? (m.apply(x) as tf.Tensor) : (m.predict(x) as tf.Tensor));
      const expected = kerasEncodeAny(c.x, c.mode);
      const out = run(model);
      assert.deepEqual(out.arraySync(), expected, "equal to Keras's math");
      assert.deepEqual(out.shape.slice(1), (model.outputs[0].shape as number[]).slice(1), "the computed shape is the declared one");

      const file = path.join(dir, `any-${c.mode}-${c.shape.join("x")}.keras`);
      await saveKeras(model, file, quiet);
      const entry = ((await readKerasArchive(file)).config as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } })
        .config.layers.find((l) => l.class_name === "CategoryEncoding")!;
      // keras/src/layers/preprocessing/category_encoding.py get_config: the base keys, num_tokens, output_mode, sparse.
      assert.deepEqual(Object.keys(entry.config), ["name", "trainable", "dtype", "num_tokens", "output_mode", "sparse"]);
      assert.deepEqual([entry.config.num_tokens, entry.config.output_mode, entry.config.sparse], [N, c.mode, false]);
      const back = await loadKeras(file, quiet);
      assert.equal(back.layers[1].getClassName(), "KerasCategoryEncoding");
      assert.deepEqual(run(back).arraySync(), expected, "the reloaded model predicts the same");
      x.dispose();
    });
  }

  it("a one-hot sequence model (ids → one_hot → SimpleRNN → Dense) round-trips with equal predictions", async () => {
    const input = tf.input({ shape: [5], dtype: "int32" });
    const encoded = kerasCategoryEncoding({ numTokens: N, outputMode: "one_hot" }).apply(input) as tf.SymbolicTensor;
    const rnn = tf.layers.simpleRNN({ units: 4 }).apply(encoded) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(rnn) as tf.SymbolicTensor });
    const x = tf.tensor2d([[0, 1, 2, 3, 4], [5, 5, 0, 0, 1], [2, 4, 2, 4, 2]], undefined, "int32");
    const expected = (model.predict(x) as tf.Tensor).arraySync();
    const file = path.join(dir, "onehot-rnn.keras");
    await saveKeras(model, file, quiet);
    assert.deepEqual(((await loadKeras(file, quiet)).predict(x) as tf.Tensor).arraySync(), expected);
    x.dispose();
  });

  it("multi_hot on a rank-3 input of unequal sizes is refused when the model is built, with the reason", () => {
    const input = tf.input({ shape: [2, 3], dtype: "int32" });
    assert.throws(() => kerasCategoryEncoding({ numTokens: N, name: "enc" }).apply(input), /KerasCategoryEncoding "enc": output_mode "multi_hot" on an input of shape \[null,2,3\]: Keras 3 reduces over axis 1 rather than the last axis.*Flatten or reshape/);
  });

  it("bad arguments name the argument and what is allowed", () => {
    assert.throws(() => kerasCategoryEncoding({ numTokens: 0 }), /numTokens must be an integer ≥ 1/);
    assert.throws(() => kerasCategoryEncoding({ numTokens: 3, outputMode: "tfIdf" as never }), /outputMode must be "multiHot", "oneHot" or "count"/);
  });
});
