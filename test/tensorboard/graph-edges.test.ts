// The written graph JSON, read the way TensorBoard's graph plugin reads Keras models (tensorboard-format.md §3.6):
// layers with dict-form `inbound_nodes` take their inputs from `keras_history[0]`; layers without the key follow
// the previous layer (Sequential); tfjs/Keras-2 list-form nodes would be ignored, losing the edges.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { TensorBoard } from "../../src/callbacks/tensorboard.js";
import { readRuns } from "../../src/tensorboard/reader.js";
import { tempDir } from "./helpers.js";

before(async () => {
  await tf.setBackend("cpu");
});

type LayerJson = { class_name: string; config: { name: string; dtype?: unknown }; inbound_nodes?: unknown[] };

function edges(modelJson: { config: { name: string; layers: LayerJson[] } }): string[] {
  const scope = modelJson.config.name;
  const out: string[] = [];
  let prev: string | undefined;
  for (const layer of modelJson.config.layers) {
    const name = `${scope}/${layer.config.name}`;
    if (layer.inbound_nodes !== undefined) {
      for (const node of layer.inbound_nodes) {
        if (typeof node !== "object" || node === null || Array.isArray(node)) continue; // Keras-2 form: ignored
        for (const arg of (node as { args?: unknown[] }).args ?? []) {
          for (const a of Array.isArray(arg) ? arg : [arg]) {
            const history = (a as { config?: { keras_history?: unknown[] } }).config?.keras_history ?? [];
            if (history.length >= 3) out.push(`${scope}/${history[0]} -> ${name}`);
          }
        }
      }
    } else if (prev) out.push(`${prev} -> ${name}`);
    prev = name;
  }
  return out;
}

async function writtenGraph(model: tf.LayersModel) {
  const dir = tempDir();
  const cb = new TensorBoard({ logDir: dir });
  cb.setModel(model);
  await cb.onTrainBegin({});
  await cb.onTrainEnd({});
  return JSON.parse(readRuns(dir, { tags: ["keras"] })[0].value as string);
}

test("Sequential graph: input → dense → dense, by layer order", async () => {
  const m = tf.sequential({ name: "seq" });
  m.add(tf.layers.dense({ units: 3, inputShape: [4], name: "a" }));
  m.add(tf.layers.dense({ units: 2, name: "b" }));
  const g = await writtenGraph(m);
  assert.deepEqual(edges(g), ["seq/input_layer -> seq/a", "seq/a -> seq/b"]);
  for (const l of g.config.layers) assert.equal(typeof l.config.dtype === "string" || typeof l.config.dtype === "object", true);
});

test("Functional graph: two inputs → concatenate → dense keep every edge", async () => {
  const a = tf.input({ shape: [4], name: "a" });
  const b = tf.input({ shape: [3], name: "b" });
  const c = tf.layers.concatenate({ name: "cat" }).apply([a, b]) as tf.SymbolicTensor;
  const skip = tf.layers.dense({ units: 7, name: "skip" }).apply(c) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: "sum" }).apply([c, skip]) as tf.SymbolicTensor;
  const o = tf.layers.dense({ units: 2, name: "out" }).apply(sum) as tf.SymbolicTensor;
  const g = await writtenGraph(tf.model({ inputs: [a, b], outputs: o, name: "func" }));
  assert.deepEqual(edges(g).sort(), [
    "func/a -> func/cat",
    "func/b -> func/cat",
    "func/cat -> func/skip",
    "func/cat -> func/sum",
    "func/skip -> func/sum",
    "func/sum -> func/out",
  ]);
});

test("a model the Keras-3 converter rejects (a refused layer class) still gets a graph, in tfjs form, with a warning", async (t) => {
  const outer = tf.sequential({ name: "outer" });
  outer.add(tf.layers.reshape({ targetShape: [2, 2, 1], inputShape: [4], name: "i" }));
  outer.add(tf.layers.resizing({ height: 1, width: 1, name: "o" } as never));
  const warn = t.mock.method(console, "warn", () => {});
  const g = await writtenGraph(outer);
  assert.equal(g.config.name, "outer");
  assert.equal(warn.mock.callCount(), 1);
  assert.match(String(warn.mock.calls[0].arguments[0]), /tfjs form/);
});
