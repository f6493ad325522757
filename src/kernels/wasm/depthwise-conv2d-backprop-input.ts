import * as tf from "@tensorflow/tfjs";
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
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const m = info.outChannels / C;
  return withScope(backend, (scope) => {
    if (OH * OW * B === 0) return scope.zeros([B, H, W, C]); // no output pixel saw the input
    // Spread dy by the stride: [B, OH, 1, OW, 1, Cm] padded to [B, OH, sh, OW, sw, Cm], minus the trailing zeros.
    let spread = dy;
    if (sh > 1 || sw > 1) {
      const grid = scope.reshape(dy, [B, OH, 1, OW, 1, C * m]);
      const padded = scope.run("PadV2", { x: grid }, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
      spread = scope.reshape(padded, [B, OH * sh, OW * sw, C * m]);
    }
    const spreadH = (OH - 1) * sh + 1;
    const spreadW = (OW - 1) * sw + 1;
    // Full correlation: (K−1)·d − pad rows before; after, whatever brings the output to the input's size.
    const top = (KH - 1) * dh - info.padInfo.top;
    const left = (KW - 1) * dw - info.padInfo.left;
    const bottom = H + (KH - 1) * dh - spreadH - top;
    const right = W + (KW - 1) * dw - spreadW - left;
    const dyPadded = scope.padOrCrop(spread, [top, bottom - (spread.shape[1] - spreadH)], [left, right - (spread.shape[2] - spreadW)]);
    const flipped = scope.run("Reverse", { x: scope.reshape(filter, [KH, KW, C * m, 1]) }, { dims: [0, 1] });
    const out = scope.run("DepthwiseConv2dNative", { x: dyPadded, filter: flipped }, {
      strides: [1, 1], dilations: [dh, dw], pad: "valid", dimRoundingMode: undefined,
    }); // [B, H, W, C·m]
    if (m === 1) return out;
    const grouped = scope.reshape(out, [B, H, W, C, m]);
    return scope.run("Sum", { x: grouped }, { axis: [4], keepDims: false });
  });
};
