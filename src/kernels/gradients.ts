import * as tf from "@tensorflow/tfjs";

/** Comparisons and logic: not differentiable, so their gradient is zero (as in TensorFlow), not an error. */
const zeroGradients: Array<{ kernelName: string; inputs: string[] }> = [
  ...["Greater", "Less", "LessEqual", "Equal", "NotEqual", "LogicalAnd", "LogicalOr"].map((kernelName) => ({ kernelName, inputs: ["a", "b"] })),
  ...["Any", "All", "LogicalNot"].map((kernelName) => ({ kernelName, inputs: ["x"] })),
];

/**
 * Gradients tfjs 4.22 does not define on any backend but that training a tfjs-layers layer reaches: ThresholdedReLU
 * and Masking after a trainable layer (comparisons), and Conv3DTranspose (Conv3DBackpropInputV2). Registered only
 * where tfjs has none, so a later tfjs's own wins. Idempotent; returns the names registered this time.
 */
export function registerMissingGradients(): string[] {
  const added: string[] = [];
  const register = (config: tf.GradConfig) => {
    if (tf.getGradient(config.kernelName)) return;
    tf.registerGradient(config);
    added.push(config.kernelName);
  };
  for (const { kernelName, inputs } of zeroGradients) {
    register({
      kernelName,
      inputsToSave: inputs,
      // float32 even for boolean inputs: tfjs requires float gradients.
      gradFunc: (_dy, saved) => Object.fromEntries(inputs.map((name, i) => [name, () => tf.zeros(saved[i].shape)])),
    });
  }
  register({ kernelName: "Conv3DBackpropInputV2", inputsToSave: ["dy", "filter"], gradFunc: conv3dTransposeGradient });
  return added;
}

/** The input gradient of a 3-D convolution, differentiated: a convolution for dy, a filter gradient for the filter. */
function conv3dTransposeGradient(ddx: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) {
  const [dy, filter] = saved as [tf.Tensor5D, tf.Tensor5D];
  const grad = ddx as tf.Tensor5D;
  const { strides, pad } = attrs as unknown as tf.Conv3DBackpropInputV2Attrs;
  return {
    dy: () => tf.conv3d(grad, filter, strides, pad as "valid" | "same"),
    filter: () => tf.engine().runKernel("Conv3DBackpropFilterV2", { x: grad, dy }, { strides, pad, filterShape: filter.shape }) as tf.Tensor,
  };
}
