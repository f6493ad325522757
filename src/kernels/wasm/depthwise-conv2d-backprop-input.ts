import * as tf from "@tensorflow/tfjs";
import { spreadAndPad } from "./conv2d-backprop-input.js";
import { withScope } from "./scope.js";

/**
 * DepthwiseConv2dNativeBackpropInput for wasm, as one native depthwise convolution: the input gradient of a
 * strided, dilated depthwise convolution is a stride-1 depthwise convolution of dy — spread out by the stride
 * (zeros between rows and columns) and padded — with the spatially flipped filter at the same dilation.
 * A channel multiplier m > 1 treats dy's C·m channels as separate groups and sums each channel's m results.
 */
export const depthwiseConv2dBackpropInput: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], strides, dilations, pad, dimRoundingMode, true,
  );
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW } = info;
  const m = info.outChannels / C;
  return withScope(backend, (scope) => {
    if (OH * OW * B === 0) return scope.zeros([B, H, W, C]); // no output pixel saw the input
    const dyPadded = spreadAndPad(scope, dy, info);
    const flipped = scope.run("Reverse", { x: scope.reshape(filter, [KH, KW, C * m, 1]) }, { dims: [0, 1] });
    const out = scope.run("DepthwiseConv2dNative", { x: dyPadded, filter: flipped }, {
      strides: [1, 1], dilations: [info.dilationHeight, info.dilationWidth], pad: "valid", dimRoundingMode: undefined,
    }); // [B, H, W, C·m]
    if (m === 1) return out;
    const grouped = scope.reshape(out, [B, H, W, C, m]);
    return scope.run("Sum", { x: grouped }, { axis: [4], keepDims: false });
  });
};
