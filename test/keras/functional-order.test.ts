// A Functional model's HDF5 keys (`dense`, `dense_1`, …) follow Keras's `model.layers` order, which Keras 3 derives
// from the graph (keras/src/ops/function.py `map_graph`: depth-first discovery from the outputs, then layers by
// decreasing depth, ties by discovery order). tslab-fit writes config.layers and the keys in tfjs's order; this
// test re-derives Keras's order from the written graph alone and checks that the two agree on a tricky DAG.
import { before, describe, it } from "node:test";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { keras3ModelConfig } from "../../src/io/keras/config.js";

type Obj = Record<string, any>;
type Ref = [string, number, number];

/** Keras 3's operation order for a serialized Functional config, computed from its inbound_nodes. */
function kerasLayerOrder(config: Obj): string[] {
  const layers = config.config.layers as Obj[];
  const inputsOf = new Map<string, Ref[]>(); // node key "name#i" → input tensor refs, in argument order
  const isInput = new Set<string>();
  for (const l of layers) {
    if (l.class_name === "InputLayer") {
      inputsOf.set(`${l.name}#0`, []);
      isInput.add(`${l.name}#0`);
    }
    (l.inbound_nodes as Obj[]).forEach((node, i) => {
      const refs: Ref[] = [];
      const visit = (a: any) => {
        if (Array.isArray(a)) a.forEach(visit);
        else if (a && a.class_name === "__keras_tensor__") refs.push(a.config.keras_history);
      };
      visit(node.args);
      inputsOf.set(`${l.name}#${i}`, refs);
    });
  }
  const endpoints = (v: any): Ref[] => (typeof v[0] === "string" ? [v] : v);
  const finished = new Set<string>();
  const decreasingDepth: string[] = [];
  const opIndex = new Map<string, number>();
  const helper = (ref: Ref) => {
    const [name, nodeIndex] = ref;
    const key = `${name}#${nodeIndex}`;
    if (finished.has(key)) return;
    if (!opIndex.has(name)) opIndex.set(name, opIndex.size);
    if (!isInput.has(key)) for (const r of inputsOf.get(key) ?? []) helper(r);
    finished.add(key);
    decreasingDepth.push(key);
  };
  for (const out of endpoints(config.config.output_layers)) helper(out);
  const nodeDepth = new Map<string, number>();
  const opDepth = new Map<string, number>();
  for (const key of [...decreasingDepth].reverse()) {
    const name = key.split("#")[0];
    if (!nodeDepth.has(key)) nodeDepth.set(key, 0);
    const depth = Math.max(nodeDepth.get(key)!, opDepth.get(name) ?? 0);
    opDepth.set(name, depth);
    nodeDepth.set(key, depth);
    for (const [p, pi] of inputsOf.get(key) ?? []) {
      const pk = `${p}#${pi}`;
      nodeDepth.set(pk, Math.max(depth + 1, nodeDepth.get(pk) ?? 0));
    }
  }
  for (const inp of endpoints(config.config.input_layers)) {
    if (!opDepth.has(inp[0])) {
      opDepth.set(inp[0], 0);
      opIndex.set(inp[0], -1);
    }
  }
  return [...opDepth.keys()].sort((a, b) => opDepth.get(b)! - opDepth.get(a)! || opIndex.get(a)! - opIndex.get(b)!);
}

describe("Functional layer order", () => {
  before(async () => {
    await tf.setBackend("cpu");
  });

  it("config.layers (and so the HDF5 keys) follow Keras's map_graph order on a multi-input, multi-depth DAG", () => {
    const x1 = tf.input({ shape: [4], name: "x1" });
    const x2 = tf.input({ shape: [3], name: "x2" });
    const d = (name: string, t: tf.SymbolicTensor) => tf.layers.dense({ units: 2, name }).apply(t) as tf.SymbolicTensor;
    const d1 = d("d1", x1);
    const d2 = d("d2", d1);
    const d3 = d("d3", d2);
    const e1 = d("e1", x2);
    const cat = tf.layers.concatenate({ name: "cat" }).apply([e1, d3]) as tf.SymbolicTensor;
    const out1 = d("out1", cat);
    const out2 = d("out2", d1);
    const sum = tf.layers.add({ name: "sum" }).apply([out1, out2]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [x1, x2], outputs: [out2, sum], name: "dag" });
    const config = keras3ModelConfig(model) as Obj;
    const written = (config.config.layers as Obj[]).map((l) => l.name);
    assert.deepEqual(written, kerasLayerOrder(config));
    // Sanity: the deep chain comes before its consumers, inputs first.
    assert.ok(written.indexOf("d3") < written.indexOf("cat"));
    assert.deepEqual(written, ["x1", "d1", "x2", "d2", "e1", "d3", "cat", "out2", "out1", "sum"]);
  });

  const fixture = path.resolve(__dirname, "../../../shared/fixtures/keras/functional-autoencoder-k3.14.0.config.json");
  it("the re-derivation reproduces the order of a file Keras 3.14 wrote", { skip: existsSync(fixture) ? false : `${fixture} is absent` }, () => {
    const config = JSON.parse(readFileSync(fixture, "utf8")) as Obj;
    assert.deepEqual(kerasLayerOrder(config), (config.config.layers as Obj[]).map((l) => l.name));
  });
});
