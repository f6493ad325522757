import * as tf from "@tensorflow/tfjs";
import { filterGradient } from "./conv2d-backprop-filter.js";
import { withScope } from "./scope.js";

/**
 * DepthwiseConv2dNativeBackpropFilter for wasm: one native depthwise convolution in which every (sample, channel)
 * pair is a group and dy is the filter, then a sum over the batch (see `filterGradient`).
 */
export const depthwiseConv2dBackpropFilter: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, dilations, pad, dimRoundingMode, true,
  );
  return withScope(backend, (scope) => filterGradient(scope, x, dy, info, info.inChannels));
};
