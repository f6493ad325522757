import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { keras3ModelConfig } from "../../src/io/keras/config.js";
import { layerKeys, toSnakeCase } from "../../src/io/keras/snake.js";

type Obj = Record<string, any>;

before(async () => {
  await tf.setBackend("cpu");
});

describe("toSnakeCase / layerKeys", () => {
  it("matches Keras's class-derived names", () => {
    assert.equal(toSnakeCase("Dense"), "dense");
    assert.equal(toSnakeCase("Conv2D"), "conv2d");
    assert.equal(toSnakeCase("MaxPooling2D"), "max_pooling2d");
    assert.equal(toSnakeCase("BatchNormalization"), "batch_normalization");
    assert.equal(toSnakeCase("SimpleRNN"), "simple_rnn");
    assert.equal(toSnakeCase("InputLayer"), "input_layer");
    assert.equal(toSnakeCase("LSTM"), "lstm");
    assert.deepEqual(layerKeys(["Dense", "Conv2D", "Dense", "Dense"]), ["dense", "conv2d", "dense_1", "dense_2"]);
  });
});

describe("keras3ModelConfig", () => {
  it("Sequential: envelope, leading InputLayer with batch_shape, no tfjs-only keys", () => {
    const m = tf.sequential({
      layers: [
        tf.layers.dense({ units: 4, inputShape: [3], activation: "relu", kernelInitializer: "glorotUniform" }),
        tf.layers.dropout({ rate: 0.2 }),
        tf.layers.dense({ units: 2, activation: "softmax", kernelRegularizer: tf.regularizers.l2({ l2: 0.01 }) }),
      ],
    });
    const c = keras3ModelConfig(m) as Obj;
    assert.equal(c.module, "keras");
    assert.equal(c.class_name, "Sequential");
    assert.equal(c.registered_name, null);
    assert.deepEqual(c.build_config, { input_shape: [null, 3] });
    assert.deepEqual(Object.keys(c.config), ["name", "trainable", "dtype", "layers", "build_input_shape"]);
    assert.deepEqual(c.config.build_input_shape, [null, 3]);
    const [input, d1, drop, d2] = c.config.layers as Obj[];
    assert.deepEqual(input, {
      module: "keras.layers",
      class_name: "InputLayer",
      config: { batch_shape: [null, 3], dtype: "float32", sparse: false, name: "input_layer" },
      registered_name: null,
    });
    assert.equal(d1.module, "keras.layers");
    assert.equal(d1.class_name, "Dense");
    assert.deepEqual(d1.build_config, { input_shape: [null, 3] });
    assert.deepEqual(d1.config.kernel_initializer, {
      module: "keras.initializers",
      class_name: "GlorotUniform",
      config: { seed: null },
      registered_name: null,
    });
    assert.equal(d1.config.dtype, "float32");
    assert.equal(d1.config.batch_input_shape, undefined, "batch_input_shape breaks Keras 3 layers");
    assert.equal(drop.class_name, "Dropout");
    assert.deepEqual(drop.build_config, { input_shape: [null, 4] });
    assert.deepEqual(d2.config.kernel_regularizer, {
      module: "keras.regularizers",
      class_name: "L2",
      config: { l2: 0.01 },
      registered_name: null,
    });
    assert.deepEqual(Object.keys(d2.config).sort(), [
      "activation", "bias_constraint", "bias_initializer", "bias_regularizer", "dtype", "kernel_constraint",
      "kernel_initializer", "kernel_regularizer", "name", "trainable", "units", "use_bias",
    ]);
  });

  it("Functional with branches: Functional envelope, dict inbound_nodes with keras_history", () => {
    const inp = tf.input({ shape: [5], name: "x" });
    const a = tf.layers.dense({ units: 3, name: "left" }).apply(inp) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 3, name: "right" }).apply(inp) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate({ name: "cat" }).apply([a, b]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 1, name: "out" }).apply(cat) as tf.SymbolicTensor;
    const m = tf.model({ inputs: inp, outputs: out, name: "branchy" });
    const c = keras3ModelConfig(m) as Obj;
    assert.equal(c.module, "keras.src.models.functional");
    assert.equal(c.class_name, "Functional");
    assert.equal(c.registered_name, "Functional");
    assert.deepEqual(c.build_config, { input_shape: null });
    assert.equal(c.config.name, "branchy");
    assert.deepEqual(c.config.input_layers, ["x", 0, 0]);
    assert.deepEqual(c.config.output_layers, ["out", 0, 0]);
    const byName = new Map((c.config.layers as Obj[]).map((l) => [l.name, l]));
    assert.deepEqual([...byName.keys()], ["x", "left", "right", "cat", "out"]);
    const x = byName.get("x")!;
    assert.deepEqual(x.config, { batch_shape: [null, 5], dtype: "float32", sparse: false, name: "x" });
    assert.deepEqual(x.inbound_nodes, []);
    assert.deepEqual(byName.get("left")!.inbound_nodes, [
      {
        args: [{ class_name: "__keras_tensor__", config: { shape: [null, 5], dtype: "float32", keras_history: ["x", 0, 0] } }],
        kwargs: {},
      },
    ]);
    const catNode = byName.get("cat")!.inbound_nodes[0];
    assert.equal(catNode.args.length, 1, "merge layers take one list argument");
    assert.deepEqual(
      catNode.args[0].map((t: Obj) => t.config.keras_history),
      [["left", 0, 0], ["right", 0, 0]],
    );
    assert.deepEqual(byName.get("cat")!.build_config, { input_shape: [[null, 3], [null, 3]] });
    assert.deepEqual(byName.get("cat")!.config, { name: "cat", trainable: true, dtype: "float32", axis: -1 });
    assert.deepEqual(byName.get("out")!.inbound_nodes[0].args[0].config.shape, [null, 6]);
  });

  it("RNN layers: Keras 3.3-compatible initializer names, no tfjs-only keys, reset_after false for GRU", () => {
    const m = tf.sequential({
      layers: [tf.layers.lstm({ units: 2, inputShape: [4, 3], returnSequences: true }), tf.layers.gru({ units: 2 })],
    });
    const [, lstm, gru] = (keras3ModelConfig(m) as Obj).config.layers as Obj[];
    // Keras 3.3 resolves nested initializers by class name and knows only "OrthogonalInitializer" (3.10+ keeps it
    // as an alias), so "Orthogonal" would fail to load there.
    assert.equal(lstm.config.recurrent_initializer.class_name, "OrthogonalInitializer");
    assert.equal(lstm.config.implementation, undefined);
    assert.equal(lstm.config.unit_forget_bias, false);
    assert.equal(lstm.config.recurrent_activation, "hard_sigmoid");
    assert.equal(gru.config.reset_after, false);
    assert.deepEqual(lstm.build_config, { input_shape: [null, 4, 3] });
  });

  it("names the layer class it cannot convert", () => {
    const m = tf.sequential({ layers: [tf.layers.reshape({ targetShape: [2, 2, 1], inputShape: [4] }), tf.layers.resizing({ height: 1, width: 1 } as never)] });
    assert.throws(() => keras3ModelConfig(m), /Resizing.*not supported/);
  });
});
