import * as tf from "@tensorflow/tfjs";

/** The parts of tfjs-backend-wasm's backend that kernels written outside that package use. */
export interface WasmBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

export type Attrs = Record<string, unknown>;

/**
 * Runs kernels of the wasm backend directly (below the engine: no tape, no tensor tracking), keeping every
 * intermediate result so that one `dispose()` frees them. Only `keep`-ed results outlive the scope.
 */
export class WasmScope {
  private readonly intermediates: tf.TensorInfo[] = [];

  constructor(readonly backend: WasmBackend) {}

  run(kernelName: string, inputs: Record<string, tf.TensorInfo>, attrs: Attrs = {}): tf.TensorInfo {
    const kernel = tf.getKernel(kernelName, "wasm");
    if (!kernel) throw new Error(`tslab-fit: the wasm backend has no '${kernelName}' kernel to build on`);
    const out = kernel.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend: this.backend, attrs: attrs as tf.NamedAttrMap });
    const info = (Array.isArray(out) ? out[0] : out) as tf.TensorInfo;
    this.intermediates.push(info);
    return info;
  }

  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run("Reshape", { x }, { shape });
  }

  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return this.run("Transpose", { x }, { perm });
  }

  /** A new float32 tensor whose memory the caller fills (it is not zeroed). */
  output(shape: number[], dtype: tf.DataType = "float32"): tf.TensorInfo {
    const info = this.backend.makeOutput(shape, dtype);
    this.intermediates.push(info);
    return info;
  }

  /**
   * Pads (positive amounts) or crops (negative amounts) the two spatial axes of an NHWC tensor, so that callers
   * can hand any convolution geometry to a kernel that only takes non-negative padding.
   */
  padOrCrop(x: tf.TensorInfo, [top, bottom]: [number, number], [left, right]: [number, number]): tf.TensorInfo {
    let out = x;
    if (top < 0 || bottom < 0 || left < 0 || right < 0) {
      const [n, h, w, c] = out.shape;
      const t = Math.max(0, -top), b = Math.max(0, -bottom), l = Math.max(0, -left), r = Math.max(0, -right);
      out = this.run("Slice", { x: out }, { begin: [0, t, l, 0], size: [n, h - t - b, w - l - r, c] });
    }
    if (top > 0 || bottom > 0 || left > 0 || right > 0) {
      const p = (v: number) => Math.max(0, v);
      out = this.run("PadV2", { x: out }, { paddings: [[0, 0], [p(top), p(bottom)], [p(left), p(right)], [0, 0]], constantValue: 0 });
    }
    return out;
  }

  zeros(shape: number[]): tf.TensorInfo {
    return this.run("Fill", {}, { shape, value: 0, dtype: "float32" });
  }

  /** `info` becomes the caller's: the scope will not free it. */
  keep(info: tf.TensorInfo): tf.TensorInfo {
    const i = this.intermediates.lastIndexOf(info);
    if (i >= 0) this.intermediates.splice(i, 1);
    return info;
  }

  dispose(): void {
    for (const info of this.intermediates) this.backend.disposeData(info.dataId);
    this.intermediates.length = 0;
  }
}

/** Runs `body` in a fresh scope and returns its result, freeing everything else it made, even when it throws. */
export function withScope(backend: unknown, body: (scope: WasmScope) => tf.TensorInfo): tf.TensorInfo {
  const scope = new WasmScope(backend as WasmBackend);
  try {
    return scope.keep(body(scope));
  } finally {
    scope.dispose();
  }
}
