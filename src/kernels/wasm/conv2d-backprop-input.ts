import * as tf from "@tensorflow/tfjs";
import { withScope, type WasmScope } from "./scope.js";

/**
 * Conv2DBackpropInput for wasm as one native (XNNPACK) convolution, replacing wasm's own, which loops directly
 * and runs several times slower (bench/wasm-kernels.mjs): the input gradient is a stride-1 convolution of dy —
 * spread out by the stride and padded — with the filter flipped in space and its channel axes swapped.
 */
export const conv2dBackpropInput: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  return withScope(backend, (scope) => {
    const channelsLast = tf.backend_util.convertConv2DDataFormat(dataFormat) === "channelsLast";
    const nhwcShape = channelsLast ? inputShape : [inputShape[0], inputShape[2], inputShape[3], inputShape[1]];
    const dyNhwc = channelsLast ? dy : scope.transpose(dy, [0, 2, 3, 1]);
    const info = tf.backend_util.computeConv2DInfo(
      nhwcShape as [number, number, number, number], filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode,
    );
    if (info.outHeight * info.outWidth * info.batchSize === 0) {
      const zeros = scope.zeros(nhwcShape);
      return channelsLast ? zeros : scope.transpose(zeros, [0, 3, 1, 2]);
    }
    const flipped = scope.transpose(scope.run("Reverse", { x: filter }, { dims: [0, 1] }), [0, 1, 3, 2]); // [KH, KW, Co, Ci]
    const dx = scope.run("Conv2D", { x: spreadAndPad(scope, dyNhwc, info), filter: flipped }, {
      strides: [1, 1], dilations: [info.dilationHeight, info.dilationWidth], pad: "valid", dataFormat: "NHWC", dimRoundingMode: undefined,
    });
    return channelsLast ? dx : scope.transpose(dx, [0, 3, 1, 2]);
  });
};

/**
 * dy spread by the forward stride (zeros between rows and columns) and padded so that a stride-1 "valid"
 * correlation with the flipped filter yields exactly the input's height and width (shared with the depthwise
 * input gradient).
 */
export function spreadAndPad(scope: WasmScope, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { batchSize: B, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const channels = dy.shape[3];
  let spread = dy;
  if (sh > 1 || sw > 1) {
    // [B, OH, 1, OW, 1, C] padded to [B, OH, sh, OW, sw, C]: each value followed by stride − 1 zeros.
    const grid = scope.reshape(dy, [B, OH, 1, OW, 1, channels]);
    const padded = scope.run("PadV2", { x: grid }, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
    spread = scope.reshape(padded, [B, OH * sh, OW * sw, channels]);
  }
  // Full correlation: (K−1)·d − pad rows before; after, whatever brings the output to the input's size (the spread
  // tensor already ends in stride − 1 zero rows, which count towards it).
  const top = (KH - 1) * dh - info.padInfo.top;
  const left = (KW - 1) * dw - info.padInfo.left;
  const bottom = H + (KH - 1) * dh - spread.shape[1] - top;
  const right = W + (KW - 1) * dw - spread.shape[2] - left;
  return scope.padOrCrop(spread, [top, bottom], [left, right]);
}
