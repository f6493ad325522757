// The layer coverage matrix: every layer class tfjs-layers exports that takes part in training, each in a small
// model that fit can train in a fraction of a second. Shared by layer-matrix.test.ts and scripts/layer-matrix.ts.
import * as tf from "@tensorflow/tfjs";

type Shape = number[];
export type InputKind = "vector" | "sequence" | "image" | "volume" | "ids";

const inputShapes: Record<InputKind, Shape> = {
  vector: [6],
  sequence: [5, 4],
  image: [6, 6, 3],
  volume: [4, 4, 4, 2],
  ids: [6],
};

export interface LayerCase {
  /** The Keras/tfjs class name the row is about. */
  name: string;
  input: InputKind;
  /** The layers under test; a Dense before them (except on ids) makes the gradient flow through them. */
  layers: () => tf.layers.Layer[];
  /** Merge layers: a two-branch Functional graph instead of a chain (no Sequential form). */
  merge?: (a: tf.SymbolicTensor, b: tf.SymbolicTensor) => tf.SymbolicTensor;
}

const L = tf.layers;
const chain = (name: string, input: InputKind, layers: () => tf.layers.Layer[]): LayerCase => ({ name, input, layers });
const merge = (name: string, m: (a: tf.SymbolicTensor, b: tf.SymbolicTensor) => tf.SymbolicTensor): LayerCase => ({
  name, input: "vector", layers: () => [], merge: m,
});

export const layerCases: LayerCase[] = [
  chain("Dense", "vector", () => [L.dense({ units: 4, activation: "relu" })]),
  chain("Conv1D", "sequence", () => [L.conv1d({ filters: 4, kernelSize: 3, padding: "same", activation: "relu" })]),
  chain("Conv2D", "image", () => [L.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: "same", activation: "relu" })]),
  chain("Conv2DTranspose", "image", () => [L.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: "same" })]),
  chain("SeparableConv2D", "image", () => [L.separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: 2, padding: "same" })]),
  chain("DepthwiseConv2D", "image", () => [L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: "valid" })]),
  chain("Conv3D", "volume", () => [L.conv3d({ filters: 2, kernelSize: 3, padding: "same" })]),
  chain("Conv3DTranspose", "volume", () => [L.conv3dTranspose({ filters: 2, kernelSize: 2, strides: 2, padding: "same" })]),
  chain("ConvLSTM2D", "volume", () => [L.convLstm2d({ filters: 2, kernelSize: 3, padding: "same" })]),
  chain("Embedding", "ids", () => [L.embedding({ inputDim: 20, outputDim: 4 }), L.globalAveragePooling1d()]),
  chain("SimpleRNN", "sequence", () => [L.simpleRNN({ units: 4 })]),
  chain("LSTM", "sequence", () => [L.lstm({ units: 4, returnSequences: true })]),
  chain("GRU", "sequence", () => [L.gru({ units: 4 })]),
  chain("RNN (stacked cells)", "sequence", () => [L.rnn({ cell: [L.lstmCell({ units: 3 }), L.gruCell({ units: 3 })] })]),
  chain("Bidirectional", "sequence", () => [L.bidirectional({ layer: L.lstm({ units: 3 }) as tf.RNN, mergeMode: "concat" })]),
  chain("TimeDistributed", "sequence", () => [L.timeDistributed({ layer: L.dense({ units: 3 }) })]),
  chain("BatchNormalization", "image", () => [L.batchNormalization({})]),
  chain("LayerNormalization", "sequence", () => [L.layerNormalization({})]),
  chain("PReLU", "vector", () => [L.prelu()]),
  chain("MaxPooling1D", "sequence", () => [L.maxPooling1d({ poolSize: 2 })]),
  chain("AveragePooling1D", "sequence", () => [L.averagePooling1d({ poolSize: 2 })]),
  chain("MaxPooling2D", "image", () => [L.maxPooling2d({ poolSize: 2 })]),
  chain("AveragePooling2D", "image", () => [L.averagePooling2d({ poolSize: 2, strides: 1 })]),
  chain("MaxPooling3D", "volume", () => [L.maxPooling3d({ poolSize: 2 })]),
  chain("AveragePooling3D", "volume", () => [L.averagePooling3d({ poolSize: 2 })]),
  chain("GlobalMaxPooling1D", "sequence", () => [L.globalMaxPooling1d()]),
  chain("GlobalAveragePooling1D", "sequence", () => [L.globalAveragePooling1d()]),
  chain("GlobalMaxPooling2D", "image", () => [L.globalMaxPooling2d({})]),
  chain("GlobalAveragePooling2D", "image", () => [L.globalAveragePooling2d({})]),
  chain("Dropout", "vector", () => [L.dropout({ rate: 0.2 })]),
  chain("SpatialDropout1D", "sequence", () => [L.spatialDropout1d({ rate: 0.2 })]),
  chain("AlphaDropout", "vector", () => [L.alphaDropout({ rate: 0.2 })]),
  chain("GaussianDropout", "vector", () => [L.gaussianDropout({ rate: 0.2 })]),
  chain("GaussianNoise", "vector", () => [L.gaussianNoise({ stddev: 0.1 })]),
  chain("Flatten", "image", () => [L.flatten()]),
  chain("Reshape", "image", () => [L.reshape({ targetShape: [12, 9] })]),
  chain("Permute", "sequence", () => [L.permute({ dims: [2, 1] })]),
  chain("RepeatVector", "vector", () => [L.repeatVector({ n: 3 })]),
  chain("Masking", "sequence", () => [L.masking({ maskValue: 0 }), L.lstm({ units: 3 })]),
  chain("Cropping2D", "image", () => [L.cropping2D({ cropping: [[1, 1], [1, 0]] })]),
  chain("ZeroPadding2D", "image", () => [L.zeroPadding2d({ padding: 1 })]),
  chain("UpSampling2D", "image", () => [L.upSampling2d({ size: [2, 2] })]),
  chain("Activation", "vector", () => [L.activation({ activation: "tanh" })]),
  chain("ReLU", "vector", () => [L.reLU()]),
  chain("LeakyReLU", "vector", () => [L.leakyReLU()]),
  chain("ELU", "vector", () => [L.elu()]),
  chain("ThresholdedReLU", "vector", () => [L.thresholdedReLU({ theta: 0.1 })]),
  chain("Softmax", "vector", () => [L.softmax()]),
  merge("Add", (a, b) => L.add().apply([a, b]) as tf.SymbolicTensor),
  merge("Average", (a, b) => L.average().apply([a, b]) as tf.SymbolicTensor),
  merge("Concatenate", (a, b) => L.concatenate().apply([a, b]) as tf.SymbolicTensor),
  merge("Maximum", (a, b) => L.maximum().apply([a, b]) as tf.SymbolicTensor),
  merge("Minimum", (a, b) => L.minimum().apply([a, b]) as tf.SymbolicTensor),
  merge("Multiply", (a, b) => L.multiply().apply([a, b]) as tf.SymbolicTensor),
  merge("Dot", (a, b) => L.dot({ axes: 1 }).apply([a, b]) as tf.SymbolicTensor),
];

export type ModelKind = "Sequential" | "Functional";

/** The model for one row: [Dense] → layers under test → [Flatten] → Dense(1), or two Dense branches → merge → Dense(1). */
export function buildModel(c: LayerCase, kind: ModelKind): tf.LayersModel {
  const shape = inputShapes[c.input];
  let model: tf.LayersModel;
  if (c.merge) {
    const input = tf.input({ shape });
    const a = L.dense({ units: 4, activation: "tanh" }).apply(input) as tf.SymbolicTensor;
    const b = L.dense({ units: 4 }).apply(input) as tf.SymbolicTensor;
    const out = L.dense({ units: 1 }).apply(c.merge(a, b)) as tf.SymbolicTensor;
    model = tf.model({ inputs: input, outputs: out });
  } else {
    const layers: tf.layers.Layer[] = [
      ...(c.input === "ids" ? [] : [L.dense({ units: shape[shape.length - 1] })]),
      ...c.layers(),
    ];
    if (kind === "Sequential") {
      model = tf.sequential({ layers: [L.inputLayer({ inputShape: shape }), ...layers] });
      if (model.outputs[0].shape.length > 2) (model as tf.Sequential).add(L.flatten());
      (model as tf.Sequential).add(L.dense({ units: 1 }));
    } else {
      const input = tf.input({ shape });
      let x = input;
      for (const layer of layers) x = layer.apply(x) as tf.SymbolicTensor;
      if (x.shape.length > 2) x = L.flatten().apply(x) as tf.SymbolicTensor;
      model = tf.model({ inputs: input, outputs: L.dense({ units: 1 }).apply(x) as tf.SymbolicTensor });
    }
  }
  model.compile({ optimizer: tf.train.adam(0.003), loss: "meanSquaredError" });
  return model;
}

/** A small learnable task: the target is a smooth function of the input (ids: of the token mix). */
export function makeData(c: LayerCase, samples = 128): { x: tf.Tensor; y: tf.Tensor } {
  return tf.tidy(() => {
    const shape = [samples, ...inputShapes[c.input]];
    if (c.input === "ids") {
      const x = tf.floor(tf.randomUniform(shape, 0, 20, "float32", 1));
      return { x, y: tf.sub(tf.mean(tf.cast(tf.less(x, 10), "float32"), 1, true), 0.5) };
    }
    const x = tf.randomNormal(shape, 0, 1, "float32", 1);
    const flat = tf.reshape(x, [samples, -1]);
    const y = tf.tanh(tf.mul(tf.mean(flat, 1, true), 3));
    return { x, y };
  });
}
