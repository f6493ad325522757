import * as tf from "@tensorflow/tfjs";
import { withScope } from "./scope.js";

/**
 * Conv3DBackpropInputV2 for wasm, replacing wasm's own, which returns wrong values in tfjs 4.22 (off by the size of
 * the values themselves against cpu and against the definition; test/kernels/wasm-kernels.test.ts), so Conv3D
 * after a trainable layer, and Conv3DTranspose, trained on wrong gradients. As for 2-D: one native Conv3D of dy —
 * spread by the stride and padded, written in one pass over wasm memory — with the filter flipped in space and its
 * channel axes swapped.
 */
export const conv3dBackpropInput: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, inputShape } = attrs as unknown as tf.Conv3DBackpropInputV2Attrs;
  const info = tf.backend_util.computeConv3DInfo(
    inputShape as [number, number, number, number, number], filter.shape as [number, number, number, number, number], strides, 1, pad,
  );
  return withScope(backend, (scope) => {
    const { batchSize: B, inDepth: D, inHeight: H, inWidth: W, outDepth: OD, outHeight: OH, outWidth: OW, outChannels: C } = info;
    const { filterDepth: KD, filterHeight: KH, filterWidth: KW, strideDepth: sd, strideHeight: sh, strideWidth: sw } = info;
    if (B * OD * OH * OW === 0) return scope.zeros(inputShape);
    // Full correlation needs K − 1 − pad planes before dy and enough after to give back the input's size.
    const front = KD - 1 - info.padInfo.front, top = KH - 1 - info.padInfo.top, left = KW - 1 - info.padInfo.left;
    const PD = D + KD - 1, PH = H + KH - 1, PW = W + KW - 1;
    const padded = scope.output([B, PD, PH, PW, C]);
    const out = scope.backend.typedArrayFromHeap(padded);
    const g = scope.backend.typedArrayFromHeap(dy);
    out.fill(0);
    for (let b = 0; b < B; b++) for (let d = 0; d < OD; d++) for (let h = 0; h < OH; h++) for (let w = 0; w < OW; w++) {
      const from = (((b * OD + d) * OH + h) * OW + w) * C;
      const to = (((b * PD + front + d * sd) * PH + top + h * sh) * PW + left + w * sw) * C;
      for (let c = 0; c < C; c++) out[to + c] = g[from + c];
    }
    const flipped = scope.transpose(scope.run("Reverse", { x: filter }, { dims: [0, 1, 2] }), [0, 1, 2, 4, 3]);
    return scope.run("Conv3D", { x: padded, filter: flipped }, { strides: [1, 1, 1], pad: "valid", dilations: [1, 1, 1], dataFormat: "NDHWC" });
  });
};
