import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { nativeWasmKernel, wasmKernelReplacements, wasmKernels } from "../../src/kernels/wasm/index.ts";
import "../../src/index.ts"; // registers the kernels

// Each kernel tslab-fit registers for wasm against the cpu backend's kernel of the same name, in one process,
// across the geometry of tfjs-layers' convolutions. cpu's depthwise backprop kernels ignore `dilations` (tfjs only
// takes their gradient at dilation 1), so at dilation d the reference is cpu at dilation 1 with the filter spread
// out to its dilated size (zeros between taps), which is the same convolution.

type Case = { kernel: string; inputs: Record<string, { shape: number[]; values: Float32Array | Int32Array; dtype?: tf.DataType }>; attrs: tf.NamedAttrMap };

function random(seed: number, n: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function runOn(backend: string, c: Case): { shape: number[]; values: Float32Array } {
  tf.setBackend(backend);
  const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape, v.dtype ?? "float32")]));
  const before = tf.engine().backend.numDataIds();
  const out = tf.engine().runKernel(c.kernel, inputs, c.attrs) as tf.Tensor;
  const result = { shape: out.shape, values: Float32Array.from(out.dataSync()) };
  out.dispose();
  // Every intermediate the kernel made on the way is freed.
  assert.equal(tf.engine().backend.numDataIds(), before, `${c.kernel} leaked backend memory on ${backend}`);
  Object.values(inputs).forEach((t) => t.dispose());
  return result;
}

function assertClose(actual: { shape: number[]; values: Float32Array }, expected: { shape: number[]; values: Float32Array }, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const scale = Math.max(1, ...Array.from(expected.values, Math.abs));
  let worst = 0;
  for (let i = 0; i < expected.values.length; i++) worst = Math.max(worst, Math.abs(actual.values[i] - expected.values[i]));
  assert.ok(worst <= 2e-5 * scale, `${what}: max |wasm − cpu| = ${worst} (scale ${scale})`);
}

/** A [k, k, C, m] filter spread to dilation d: [(k−1)d+1, (k−1)d+1, C, m] with zeros between taps. */
function dilateFilter(values: Float32Array, [k, , c, m]: number[], d: number): { shape: number[]; values: Float32Array } {
  const kd = (k - 1) * d + 1;
  const out = new Float32Array(kd * kd * c * m);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let q = 0; q < c * m; q++) out[((i * d) * kd + j * d) * c * m + q] = values[(i * k + j) * c * m + q];
  return { shape: [kd, kd, c, m], values: out };
}

function undilateFilter(r: { shape: number[]; values: Float32Array }, k: number, d: number): { shape: number[]; values: Float32Array } {
  const [kd, , c, m] = r.shape;
  const out = new Float32Array(k * k * c * m);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let q = 0; q < c * m; q++) out[(i * k + j) * c * m + q] = r.values[((i * d) * kd + j * d) * c * m + q];
  return { shape: [k, k, c, m], values: out };
}

const H = 9, W = 8, C = 3;
const geometries: Array<{ stride: number; pad: "same" | "valid"; k: number; batch: number; dilation: number }> = [];
for (const batch of [1, 32]) for (const stride of [1, 2]) for (const pad of ["same", "valid"] as const) for (const k of [1, 2, 3, 4, 5]) {
  for (const dilation of stride === 1 && k > 1 ? [1, 2] : [1]) geometries.push({ stride, pad, k, batch, dilation });
}

describe("wasm kernels registered by tslab-fit equal the cpu backend's", () => {
  before(async () => {
    assert.ok(await tf.setBackend("wasm"), "the wasm backend starts");
  });

  it("are registered for wasm, the replacements over wasm's own", () => {
    for (const { kernelName, kernelFunc } of [...wasmKernels, ...wasmKernelReplacements]) {
      assert.equal(tf.getKernel(kernelName, "wasm")?.kernelFunc, kernelFunc, kernelName);
    }
    for (const { kernelName, kernelFunc } of wasmKernelReplacements) assert.notEqual(nativeWasmKernel(kernelName)?.kernelFunc, kernelFunc);
  });

  it("Conv2DBackpropInput (replacing wasm's own): strides 1/2, same/valid, kernels 1×1–5×5, batch 1/32, and NCHW", () => {
    for (const { stride, pad, k, batch, dilation } of geometries) {
      if (dilation !== 1) continue;
      const xShape = [batch, H, W, C];
      const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], [k, k, C, 4], stride, 1, pad);
      const c: Case = {
        kernel: "Conv2DBackpropInput",
        inputs: { dy: { shape: info.outShape, values: random(11, size(info.outShape)) }, filter: { shape: [k, k, C, 4], values: random(12, k * k * C * 4) } },
        attrs: { strides: stride, pad, dataFormat: "NHWC", inputShape: xShape },
      };
      assertClose(runOn("wasm", c), runOn("cpu", c), `conv2d input s${stride} ${pad} k${k} b${batch}`);
    }
    const nchw: Case = {
      kernel: "Conv2DBackpropInput",
      inputs: { dy: { shape: [2, 4, 5, 4], values: random(13, 160) }, filter: { shape: [3, 3, C, 4], values: random(14, 9 * C * 4) } },
      attrs: { strides: 2, pad: "same", dataFormat: "NCHW", inputShape: [2, C, H, W] },
    };
    assertClose(runOn("wasm", nchw), runOn("cpu", nchw), "conv2d input NCHW");
  });

  it("MaxPoolGrad (replacing wasm's own): pool 1×1–3×3, strides 1/2, same/valid, batch 1/32, ties and NaN", () => {
    for (const batch of [1, 32]) for (const stride of [1, 2]) for (const pad of ["same", "valid"] as const) for (const k of [1, 2, 3]) {
      const xShape = [batch, H, W, C];
      const info = tf.backend_util.computePool2DInfo(xShape as [number, number, number, number], k, stride, 1, pad);
      // Coarse values (many ties, as after a ReLU) and a NaN: the gradient must go where cpu's goes.
      const x = random(15, size(xShape)).map((v) => Math.max(0, Math.round(v * 4)));
      x[5] = NaN;
      const c: Case = {
        kernel: "MaxPoolGrad",
        inputs: { dy: { shape: info.outShape, values: random(16, size(info.outShape)) }, input: { shape: xShape, values: x }, output: { shape: info.outShape, values: new Float32Array(size(info.outShape)) } },
        attrs: { filterSize: k, strides: stride, pad },
      };
      assertClose(runOn("wasm", c), runOn("cpu", c), `max pool grad k${k} s${stride} ${pad} b${batch}`);
    }
  });

  it("Conv3DBackpropInputV2 (replacing wasm's own, which is wrong in tfjs 4.22): strides 1/2, same/valid, kernels 1–3, batch 1/4", () => {
    for (const batch of [1, 4]) for (const stride of [1, 2]) for (const pad of ["same", "valid"] as const) for (const k of [1, 2, 3]) {
      const xShape = [batch, 5, 4, 4, 2];
      const info = tf.backend_util.computeConv3DInfo(xShape as [number, number, number, number, number], [k, k, k, 2, 3], stride, 1, pad);
      const c: Case = {
        kernel: "Conv3DBackpropInputV2",
        inputs: { dy: { shape: info.outShape, values: random(17, size(info.outShape)) }, filter: { shape: [k, k, k, 2, 3], values: random(18, k * k * k * 6) } },
        attrs: { strides: stride, pad, inputShape: xShape },
      };
      assertClose(runOn("wasm", c), runOn("cpu", c), `conv3d input s${stride} ${pad} k${k} b${batch}`);
    }
  });

  it(`Conv2DBackpropFilter: strides 1/2, same/valid, kernels 1×1–5×5, batch 1/32 (${geometries.filter((g) => g.dilation === 1).length} cases) and NCHW`, () => {
    for (const { stride, pad, k, batch, dilation } of geometries) {
      if (dilation !== 1) continue; // tfjs takes conv2d's gradient only at dilation 1; the kernel has no dilations
      const xShape = [batch, H, W, C];
      const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], [k, k, C, 4], stride, 1, pad);
      const c: Case = {
        kernel: "Conv2DBackpropFilter",
        inputs: { x: { shape: xShape, values: random(1, size(xShape)) }, dy: { shape: info.outShape, values: random(2, size(info.outShape)) } },
        attrs: { strides: stride, pad, dataFormat: "NHWC", filterShape: [k, k, C, 4] },
      };
      assertClose(runOn("wasm", c), runOn("cpu", c), `conv2d filter s${stride} ${pad} k${k} b${batch}`);
    }
    const nchw: Case = {
      kernel: "Conv2DBackpropFilter",
      inputs: { x: { shape: [2, C, H, W], values: random(3, 2 * C * H * W) }, dy: { shape: [2, 4, 5, 4], values: random(4, 2 * 4 * 5 * 4) } },
      attrs: { strides: 2, pad: "same", dataFormat: "NCHW", filterShape: [3, 3, C, 4] },
    };
    assertClose(runOn("wasm", nchw), runOn("cpu", nchw), "conv2d filter NCHW");
  });

  for (const multiplier of [1, 2]) {
    it(`DepthwiseConv2dNativeBackpropInput and …BackpropFilter, depth multiplier ${multiplier}: strides, padding, kernels, batch 1/32, dilations 1/2 (${geometries.length} cases)`, () => {
      for (const { stride, pad, k, batch, dilation } of geometries) {
        const xShape = [batch, H, W, C];
        const fShape = [k, k, C, multiplier];
        const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], fShape as [number, number, number, number], stride, dilation, pad, undefined, true);
        const x = random(5, size(xShape)), filter = random(6, size(fShape)), dy = random(7, size(info.outShape));
        const what = `depthwise s${stride} ${pad} k${k} b${batch} m${multiplier} d${dilation}`;
        const spread = dilateFilter(filter, fShape, dilation);
        const attrs = { strides: stride, pad, dilations: dilation };
        const input = (f: { shape: number[]; values: Float32Array }, d: number): Case => ({
          kernel: "DepthwiseConv2dNativeBackpropInput",
          inputs: { dy: { shape: info.outShape, values: dy }, filter: f },
          attrs: { ...attrs, dilations: d, inputShape: xShape },
        });
        assertClose(runOn("wasm", input({ shape: fShape, values: filter }, dilation)), runOn("cpu", input(spread, 1)), `${what} input`);
        const filterCase = (shape: number[], d: number): Case => ({
          kernel: "DepthwiseConv2dNativeBackpropFilter",
          inputs: { x: { shape: xShape, values: x }, dy: { shape: info.outShape, values: dy } },
          attrs: { ...attrs, dilations: d, filterShape: shape },
        });
        assertClose(runOn("wasm", filterCase(fShape, dilation)), undilateFilter(runOn("cpu", filterCase(spread.shape, 1)), k, dilation), `${what} filter`);
      }
    });
  }

  it("the dilated reference is the plain one at dilation 1 (so the spread-filter comparison is sound)", () => {
    const spread = dilateFilter(Float32Array.of(1, 2, 3, 4), [2, 2, 1, 1], 2);
    assert.deepEqual(Array.from(spread.values), [1, 0, 2, 0, 0, 0, 3, 0, 4]);
    assert.deepEqual(Array.from(undilateFilter(spread, 2, 2).values), [1, 2, 3, 4]);
  });

  it("UnsortedSegmentSum: repeated, out-of-order, missing and out-of-range ids; float32 and int32; rank 2 and 3 data", () => {
    const ids = Int32Array.of(3, 0, 3, 1, 7, 0, 0, -1, 5, 3);
    for (const dtype of ["float32", "int32"] as const) {
      for (const rowShape of [[4], [2, 3]]) {
        const shape = [ids.length, ...rowShape];
        const values = random(8, size(shape)).map((v) => (dtype === "int32" ? Math.round(v * 100) : v));
        const c: Case = {
          kernel: "UnsortedSegmentSum",
          inputs: { x: { shape, values: dtype === "int32" ? Int32Array.from(values) : values, dtype }, segmentIds: { shape: [ids.length], values: ids, dtype: "int32" } },
          attrs: { numSegments: 6 },
        };
        const wasm = runOn("wasm", c);
        assertClose(wasm, runOn("cpu", c), `segment sum ${dtype} ${rowShape}`);
        // Segment 0 gathers rows 1, 5 and 6; segments 2 and 4 are empty; ids 7 and −1 are dropped.
        const row = size(rowShape);
        assert.ok(Math.abs(wasm.values[0] - (values[row] + values[5 * row] + values[6 * row])) < 1e-5);
        assert.equal(wasm.values[2 * row], 0);
      }
    }
    // Rank-2 ids (cpu's kernel cannot broadcast them, so its reference is the same sum with ids and rows flattened).
    const x = random(9, 12), segmentIds = Int32Array.of(2, 0, 2, 1, 1, 0);
    const sum = (xShape: number[], idShape: number[]): Case => ({
      kernel: "UnsortedSegmentSum",
      inputs: { x: { shape: xShape, values: x }, segmentIds: { shape: idShape, values: segmentIds, dtype: "int32" } },
      attrs: { numSegments: 3 },
    });
    assertClose(runOn("wasm", sum([2, 3, 2], [2, 3])), runOn("cpu", sum([6, 2], [6])), "segment sum with rank-2 ids");
  });
});
