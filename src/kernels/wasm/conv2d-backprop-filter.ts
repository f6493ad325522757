import * as tf from "@tensorflow/tfjs";
import { withScope, type WasmScope } from "./scope.js";

/**
 * Conv2DBackpropFilter for wasm, as one native convolution: the filter gradient
 *   dW[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·s + kh − padTop, ow·s + kw − padLeft, ci] · dy[b, oh, ow, co]
 * is a convolution of x (batch ↔ channels swapped: [Ci, H, W, B]) with dy as the filter ([OH, OW, B, Co]),
 * stride 1 and dilation = the forward stride. XNNPACK then runs it as a GEMM with SIMD.
 */
export const conv2dBackpropFilter: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  return withScope(backend, (scope) => {
    const channelsLast = tf.backend_util.convertConv2DDataFormat(dataFormat) === "channelsLast";
    // NCHW is taken by transposing to NHWC: the wasm convolution only runs channels-last.
    const xNhwc = channelsLast ? x : scope.transpose(x, [0, 2, 3, 1]);
    const dyNhwc = channelsLast ? dy : scope.transpose(dy, [0, 2, 3, 1]);
    const info = tf.backend_util.computeConv2DInfo(
      xNhwc.shape as [number, number, number, number], filterShape as [number, number, number, number], strides, 1, pad, dimRoundingMode,
    );
    return filterGradient(scope, xNhwc, dyNhwc, info, 1); // the filter layout is [KH, KW, Ci, Co] in both formats
  });
};

/**
 * Shared by the plain and the depthwise filter gradients: returns the gradient laid out as [KH, KW, Ci, Co]
 * (depthwise: [KH, KW, Ci, multiplier]). `groups` is 1 for a plain convolution and Ci for a depthwise one.
 */
export function filterGradient(scope: WasmScope, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo, groups: number): tf.TensorInfo {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  // An output with no pixels (a dilated filter wider than a valid-padded input) takes no part: zero gradient.
  if (OH * OW * B === 0) return scope.zeros(groups === 1 ? [KH, KW, C, info.outChannels] : [KH, KW, C, info.outChannels / C]);
  // The padded input needs (K−1)·d + (O−1)·s + 1 rows; what lies beyond is padding (if positive) or unused (crop).
  const bottom = (KH - 1) * dh + (OH - 1) * sh + 1 - H - top;
  const right = (KW - 1) * dw + (OW - 1) * sw + 1 - W - left;
  const xPadded = scope.padOrCrop(x, [top, bottom], [left, right]);
  const geometry = { strides: [dh, dw], dilations: [sh, sw], pad: "valid", dimRoundingMode: undefined };
  if (groups === 1) {
    const xSwapped = scope.transpose(xPadded, [3, 1, 2, 0]); // [C, H', W', B]
    const dyAsFilter = scope.transpose(dy, [1, 2, 0, 3]); // [OH, OW, B, Co]
    const out = scope.run("Conv2D", { x: xSwapped, filter: dyAsFilter }, { ...geometry, dataFormat: "NHWC" }); // [C, KH, KW, Co]
    return scope.transpose(out, [1, 2, 0, 3]);
  }
  // Depthwise: every (sample, channel) pair is its own group, so the batch sum comes after the convolution.
  const multiplier = info.outChannels / C;
  const [, Hp, Wp] = xPadded.shape;
  const xGroups = scope.reshape(scope.transpose(xPadded, [1, 2, 0, 3]), [1, Hp, Wp, B * C]);
  const dyGroups = scope.reshape(scope.transpose(dy, [1, 2, 0, 3]), [OH, OW, B * C, multiplier]);
  const out = scope.run("DepthwiseConv2dNative", { x: xGroups, filter: dyGroups }, geometry); // [1, KH, KW, B·C·m]
  const perSample = scope.reshape(out, [KH, KW, B, C * multiplier]);
  const summed = scope.run("Sum", { x: perSample }, { axis: [2], keepDims: false });
  return scope.reshape(summed, [KH, KW, C, multiplier]);
}
