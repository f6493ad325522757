// Loads the real Keras-written .keras files in ../shared/fixtures/keras and checks every weight against what h5py
// recorded about the HDF5 file (h5layout.txt: shapes, first values, min/max/mean) and h5manifest.json.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import { loadKeras, readKerasArchive, saveKeras } from "../../src/io/keras/index.js";

const FIXTURES = path.resolve(__dirname, "../../../shared/fixtures/keras");
const skip = existsSync(FIXTURES) ? false : `fixtures folder ${FIXTURES} is absent (../shared is not checked out)`;

interface DatasetFacts {
  shape: number[];
  first: number[];
  min: number;
  max: number;
  mean: number;
}

/** Dataset facts from an h5layout.txt file (written by h5py 3.7 from the same archive). */
function layoutFacts(name: string): Map<string, DatasetFacts> {
  const lines = readFileSync(path.join(FIXTURES, `${name}.h5layout.txt`), "utf8").split("\n");
  const out = new Map<string, DatasetFacts>();
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*\/(\S+)\s+DATASET shape=\(([^)]*)\)/.exec(lines[i]);
    if (!m) continue;
    const shape = m[2].split(",").map((s) => s.trim()).filter(Boolean).map(Number);
    const single = /^\s*value=\[([^\]]*)\]/.exec(lines[i + 1] ?? "");
    if (single) {
      const x = Number(single[1]);
      out.set(m[1], { shape, min: x, max: x, mean: x, first: [x] });
      continue;
    }
    const stats = /stats: min=(\S+) max=(\S+) mean=(\S+); first values=\[([^\]]*)\]/.exec(lines[i + 1] ?? "");
    if (!stats) continue;
    out.set(m[1], {
      shape,
      min: Number(stats[1]),
      max: Number(stats[2]),
      mean: Number(stats[3]),
      first: stats[4].split(",").map(Number),
    });
  }
  return out;
}

interface Manifest {
  h5_groups: { path: string; attrs: Record<string, string> }[];
  h5_datasets: { path: string; shape: number[]; dtype: string; value?: number }[];
}

function manifest(name: string): Manifest {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.h5manifest.json`), "utf8")) as Manifest;
}

/**
 * Checks every `layers/<key>/(cell/)vars/<i>` dataset against the tfjs variable it must have landed in. In these
 * fixtures Keras's automatic layer names equal the class-derived keys, which gives a mapping that does not depend
 * on the loader's own key derivation.
 */
async function checkWeights(model: tf.LayersModel, name: string, skipKeys: string[] = []): Promise<number> {
  const facts = layoutFacts(name);
  let checked = 0;
  for (const [p, f] of facts) {
    const m = /^layers\/([^/]+)\/(cell\/)?vars\/(\d+)$/.exec(p);
    if (!m || skipKeys.includes(m[1])) continue;
    const layer = model.getLayer(m[1]);
    const v = layer.weights[Number(m[3])];
    assert.ok(v, `${name}: ${p} has no tfjs variable`);
    assert.deepEqual(v.shape, f.shape, `${name}: ${p} shape`);
    const data = (await v.read().data()) as Float32Array;
    f.first.forEach((x, j) => assert.equal(data[j], Math.fround(x), `${name}: ${p}[${j}]`));
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const x of data) {
      min = Math.min(min, x);
      max = Math.max(max, x);
      sum += x;
    }
    assert.ok(Math.abs(min - f.min) <= 1e-5 * Math.max(1, Math.abs(f.min)), `${name}: ${p} min ${min} vs ${f.min}`);
    assert.ok(Math.abs(max - f.max) <= 1e-5 * Math.max(1, Math.abs(f.max)), `${name}: ${p} max ${max} vs ${f.max}`);
    // h5py printed 6 significant digits; float sums over 160k values add rounding noise.
    const tol = 1e-5 * Math.abs(f.mean) + 1e-6 * (f.max - f.min) + 1e-12;
    assert.ok(Math.abs(sum / data.length - f.mean) <= tol, `${name}: ${p} mean ${sum / data.length} vs ${f.mean}`);
    checked++;
  }
  // Every layer variable dataset in the manifest was covered.
  const expected = manifest(name).h5_datasets.filter((d) => d.path.startsWith("/layers/") && !skipKeys.some((k) => d.path.startsWith(`/layers/${k}/`)));
  assert.equal(checked, expected.length, `${name}: checked ${checked} of ${expected.length} layer datasets`);
  return checked;
}

const quiet = { onWarning: () => {} };

describe("loading Python-written .keras fixtures", { skip }, () => {
  before(async () => {
    await tf.setBackend("cpu");
  });

  it("mnist-mlp-784 (Keras 3.3.3, SGD): weights, SGD compile with its iteration count, predict", async () => {
    const name = "mnist-mlp-784-k3.3.3";
    const model = await loadKeras(path.join(FIXTURES, `${name}.keras`), quiet);
    assert.equal(await checkWeights(model, name), 6);
    assert.deepEqual(model.inputs[0].shape, [null, 784]);
    assert.equal(model.optimizer.getClassName(), "SGD");
    assert.equal((model.optimizer as unknown as { learningRate: number }).learningRate, Math.fround(0.15));
    assert.equal((model.optimizer as unknown as { iterations: number }).iterations, 2350);
    const y = model.predict(tf.zeros([2, 784])) as tf.Tensor;
    assert.deepEqual(y.shape, [2, 10]);
    const sums = (await y.sum(1).data()) as Float32Array;
    sums.forEach((s) => assert.ok(Math.abs(s - 1) < 1e-5, "softmax rows sum to 1"));
  });

  it("chatbot-mlp-122 (Keras 3.10): Adam compile with restored moments, then fit runs", async () => {
    const name = "chatbot-mlp-122-k3.10.0";
    const warnings: string[] = [];
    const model = await loadKeras(path.join(FIXTURES, `${name}.keras`), { onWarning: (w) => warnings.push(w) });
    // Keras ≥ 3.6 labels each vars group with the layer name: the class-derived mapping agrees with all of them.
    assert.deepEqual(warnings.filter((w) => /labelled/.test(w)), []);
    assert.equal(await checkWeights(model, name), 6);
    assert.equal(model.optimizer.getClassName(), "Adam");
    assert.equal((model.optimizer as unknown as { iterations: number }).iterations, 2700);
    const facts = layoutFacts(name);
    const weights = await model.optimizer.getWeights();
    // tfjs lists iterations, then all first moments, then all second moments; Keras interleaves m, v from index 2.
    const firstM = (await weights[1].tensor.data()) as Float32Array;
    assert.deepEqual(Array.from(firstM.slice(0, 3)), facts.get("optimizer/vars/2")!.first.map(Math.fround));
    const x = tf.randomUniform([16, 122]);
    const y = tf.oneHot(tf.randomUniform([16], 0, 17, "int32"), 17);
    const h = await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    assert.ok(Number.isFinite(h.history.loss[0] as number));
    assert.ok("acc" in h.history || "accuracy" in h.history, "the accuracy metric from compile_config is active");
  });

  it("functional-autoencoder (Keras 3.14): Functional graph, InputLayer, compile_config without optimizer", async () => {
    const name = "functional-autoencoder-k3.14.0";
    const warnings: string[] = [];
    const model = await loadKeras(path.join(FIXTURES, `${name}.keras`), { onWarning: (w) => warnings.push(w) });
    assert.equal(await checkWeights(model, name), 8);
    assert.deepEqual(model.layers.map((l) => l.name), ["input_layer", "dense", "dense_1", "dense_2", "dense_3"]);
    assert.deepEqual(model.outputs[0].shape, [null, 123]);
    assert.ok(warnings.some((w) => /no optimizer/.test(w)), "tells that Keras's default optimizer is used");
    assert.ok(warnings.some((w) => /optimizer variables skipped/.test(w)), "tells that the 18 Adam variables are skipped");
    const out = (model.predict(tf.ones([1, 123])) as tf.Tensor).dataSync();
    assert.ok(out.every((v) => v >= 0 && v <= 1), "sigmoid output");
  });

  it("spam-embedding-simplernn (Keras 3.15): Embedding + SimpleRNN cell weights, newest config keys ignored", async () => {
    const name = "spam-embedding-simplernn-k3.15.0";
    const warnings: string[] = [];
    const model = await loadKeras(path.join(FIXTURES, `${name}.keras`), { onWarning: (w) => warnings.push(w) });
    // Keras ≥ 3.6 labels each vars group with the layer name: the class-derived mapping agrees with all of them.
    assert.deepEqual(warnings.filter((w) => /labelled/.test(w)), []);
    assert.equal(await checkWeights(model, name), 8);
    assert.deepEqual(model.inputs[0].shape, [null, 50]);
    const y = model.predict(tf.zeros([1, 50])) as tf.Tensor;
    assert.deepEqual(y.shape, [1, 1]);
  });

  it("mnist-cnn-batchnorm (Keras 3.5): clear error for RandomRotation; loads with dropAugmentation", async () => {
    const name = "mnist-cnn-batchnorm-k3.5.0";
    const file = path.join(FIXTURES, `${name}.keras`);
    await assert.rejects(loadKeras(file, quiet), /RandomRotation.*not supported.*dropAugmentation/s);
    const model = await loadKeras(file, { ...quiet, dropAugmentation: true });
    assert.equal(await checkWeights(model, name, ["random_rotation", "random_zoom", "random_translation"]), 26);
    const bn = model.getLayer("batch_normalization");
    assert.equal(bn.trainableWeights.length, 2);
    assert.equal(bn.nonTrainableWeights.length, 2, "moving mean/variance stay non-trainable");
    const y = (model.predict(tf.zeros([1, 28, 28, 1])) as tf.Tensor).dataSync();
    assert.ok(Math.abs(y.reduce((a, b) => a + b, 0) - 1) < 1e-4);
  });

  it("tf.keras 2.15 file: a clear error naming tf.keras and the conversion path", async () => {
    const file = path.join(FIXTURES, "bad-or-legacy/tfkeras2.15-windows-embedding-simplernn.keras");
    await assert.rejects(loadKeras(file, quiet), (e: Error) => {
      assert.match(e.message, /Keras 2\.15\.0 \(tf\.keras 2\)/);
      assert.match(e.message, /keras\.saving\.load_model\("model\.h5"\)\.save\("model\.keras"\)/);
      return true;
    });
  });
});

/** Keys Keras added after 3.5 (and shared_object_id, which writers omit): dropped before comparing configs. */
const NEWER_KEYS = new Set(["ragged", "optional", "quantization_config", "input_axes", "output_axes", "shared_object_id"]);

/** A config with the ≥ 3.4 DTypePolicy envelopes written as their names and newer keys removed. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o.class_name === "DTypePolicy") return (o.config as Record<string, unknown>).name;
    return Object.fromEntries(Object.entries(o).filter(([k]) => !NEWER_KEYS.has(k)).map(([k, x]) => [k, normalize(x)]));
  }
  return v;
}

describe("golden structure: a Python-written file, loaded and re-saved by tslab-fit", { skip }, () => {
  let dir: string;
  before(async () => {
    await tf.setBackend("cpu");
    dir = mkdtempSync(path.join(os.tmpdir(), "tslab-fit-golden-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const name of ["chatbot-mlp-122-k3.10.0", "mnist-mlp-784-k3.3.3", "spam-embedding-simplernn-k3.15.0"]) {
    it(`${name}: same config.json (modulo newer keys) and the same HDF5 groups, attributes and datasets`, async () => {
      const model = await loadKeras(path.join(FIXTURES, `${name}.keras`), quiet);
      const file = path.join(dir, `${name}.keras`);
      await saveKeras(model, file, quiet);
      const ours = await readKerasArchive(file);
      const theirs = JSON.parse(readFileSync(path.join(FIXTURES, `${name}.config.json`), "utf8"));
      // Known, deliberate differences: a loss object written as its identifier, and Orthogonal under the class name
      // that Keras 3.3 resolves (3.10+ keeps it as an alias).
      if (typeof theirs.compile_config.loss === "object") theirs.compile_config.loss = theirs.compile_config.loss.config.name;
      for (const l of theirs.config.layers) {
        if (l.config.recurrent_initializer?.class_name === "Orthogonal") l.config.recurrent_initializer.class_name = "OrthogonalInitializer";
      }
      assert.deepEqual(normalize(ours.config), normalize(theirs));

      const m = manifest(name);
      const groups = Object.fromEntries([...ours.weights.groups].map(([p, a]) => [`/${p}`, a]));
      const expectedGroups = Object.fromEntries(m.h5_groups.filter((g) => g.path !== "/").map((g) => [g.path, g.attrs]));
      // Keras before 3.6 wrote no name attributes; tslab-fit always writes them.
      const hasNames = m.h5_groups.some((g) => "name" in g.attrs);
      assert.deepEqual(
        hasNames ? groups : Object.fromEntries(Object.keys(groups).map((k) => [k, {}])),
        expectedGroups,
      );
      const datasets = Object.fromEntries([...ours.weights.datasets].map(([p, d]) => [`/${p}`, `${d.dtype} [${d.shape}]`]));
      const expectedDatasets = Object.fromEntries(m.h5_datasets.map((d) => [d.path, `${d.dtype} [${d.shape}]`]));
      assert.deepEqual(datasets, expectedDatasets);
    });
  }
});
