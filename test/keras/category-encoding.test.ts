// CategoryEncoding both ways: for each output mode on rank-1 and rank-2 integer inputs, tfjs predicts what Keras 3's
// math gives (a plain re-implementation below, after keras/src/utils/numerical_utils.py: one_hot, then a max or sum
// over axis 1 for rank 2 and over the batch axis for rank 1); the saved file carries Keras's config and reloads with
// the same predictions; the input shapes where tfjs cannot compute Keras's result are refused on save and on load.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { useBestBackend } from "../../src/backend.js";
import { loadKeras, readKerasArchive, saveKeras } from "../../src/io/keras/index.js";

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

describe("CategoryEncoding: the cases tfjs cannot compute as Keras does are refused, naming the case", () => {
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

  it("loading one_hot on a (batch, 3) input is refused", async () => {
    const file = await edited("onehot3", (e) => { e.config.output_mode = "one_hot"; });
    await assert.rejects(loadKeras(file, quiet), /\(CategoryEncoding\).*output_mode "one_hot" on an input of shape \[null,3\]/);
  });

  it("loading a rank-3 input is refused", async () => {
    const file = await edited("rank3", (e) => { e.build_config.input_shape = [null, 2, 3]; });
    await assert.rejects(loadKeras(file, quiet), /\(CategoryEncoding\).*input of rank 3/);
  });

  it("loading sparse=True is refused", async () => {
    const file = await edited("sparse", (e) => { e.config.sparse = true; });
    await assert.rejects(loadKeras(file, quiet), /\(CategoryEncoding\).*sparse=true is not supported/);
  });

  it("an unknown output_mode names the allowed ones", async () => {
    const file = await edited("tfidf", (e) => { e.config.output_mode = "tf_idf"; });
    await assert.rejects(loadKeras(file, quiet), /output_mode "tf_idf" is not one of "multi_hot", "one_hot", "count"/);
  });
});
