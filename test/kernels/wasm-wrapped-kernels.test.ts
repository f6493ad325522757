import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import "../../src/index.ts"; // registers the kernels
import { stockWasmKernel, wrappedWasmKernels } from "../../src/kernels/wasm/faster.ts";

// The GatherV2 and Slice wrappers (src/kernels/wasm/gather.ts, slice.ts) only copy values, so they must equal the cpu
// backend's kernels and wasm's own bit for bit, in shape, dtype and values, and throw where wasm's own throws. Two
// cases where wasm's own is wrong are compared with cpu only: GatherV2 with batchDims > 0 (wasm's own picks rows of
// the wrong batch) and Slice of a scalar (checked against its value: wasm's own reads the element after it, cpu's
// returns none).

function values(dtype: tf.DataType, n: number, seed: number): tf.TypedArray {
  const a = Array.from({ length: n }, (_, i) => ((i * 7919 + seed * 104729) % 1000) / 10 - 50);
  if (dtype === "int32") return Int32Array.from(a, Math.round);
  if (dtype === "bool") return Uint8Array.from(a, (v) => (v > 0 ? 1 : 0));
  return Float32Array.from(a);
}

/** `kernel` run by the registered wrapper, by wasm's own kernel and on cpu (the same inputs, copied there). */
function results(kernel: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): { ours: tf.Tensor; stock: tf.Tensor; cpu: tf.Tensor } {
  const [ours, stock] = both(kernel, inputs, attrs);
  tf.setBackend("cpu");
  try {
    const onCpu = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, tf.tensor(t.dataSync(), t.shape, t.dtype)]));
    const out = tf.engine().runKernel(kernel, onCpu, attrs) as tf.Tensor;
    const cpu = { shape: out.shape, dtype: out.dtype, values: out.dataSync() };
    tf.dispose([out, ...Object.values(onCpu)]);
    tf.setBackend("wasm");
    return { ours, stock, cpu: tf.tensor(cpu.values, cpu.shape, cpu.dtype) };
  } finally {
    tf.setBackend("wasm");
  }
}

function both(kernel: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): [tf.Tensor, tf.Tensor] {
  const wrapped = tf.getKernel(kernel, "wasm")!;
  const stock = stockWasmKernel(kernel)!;
  assert.notEqual(wrapped.kernelFunc, stock, `${kernel} is wrapped`);
  const before = tf.engine().backend.numDataIds();
  const ours = tf.engine().runKernel(kernel, inputs, attrs) as tf.Tensor;
  assert.equal(tf.engine().backend.numDataIds(), before + 1, `${kernel} keeps nothing but its result`);
  tf.unregisterKernel(kernel, "wasm");
  tf.registerKernel({ ...wrapped, kernelFunc: stock });
  try {
    return [ours, tf.engine().runKernel(kernel, inputs, attrs) as tf.Tensor];
  } finally {
    tf.unregisterKernel(kernel, "wasm");
    tf.registerKernel(wrapped);
  }
}

function assertSame({ ours, stock, cpu }: { ours: tf.Tensor; stock: tf.Tensor; cpu: tf.Tensor }, what: string, stockIsRight = true): void {
  for (const [name, ref] of stockIsRight ? [["cpu", cpu], ["wasm's own", stock]] as const : [["cpu", cpu]] as const) {
    assert.deepEqual(ours.shape, ref.shape, `${what}: shape vs ${name}`);
    assert.equal(ours.dtype, ref.dtype, `${what}: dtype vs ${name}`);
    assert.deepEqual(Array.from(ours.dataSync()), Array.from(ref.dataSync()), `${what}: values vs ${name}`);
  }
  tf.dispose([ours, stock, cpu]);
}

describe("wasm kernels wrapped by tslab-fit equal cpu's and wasm's own bit for bit", () => {
  before(async () => {
    assert.ok(await tf.setBackend("wasm"), "the wasm backend starts");
  });

  it("wraps BatchMatMul, GatherV2 and Slice", () => {
    for (const { kernelName } of wrappedWasmKernels) assert.notEqual(tf.getKernel(kernelName, "wasm")?.kernelFunc, stockWasmKernel(kernelName), kernelName);
  });

  it("GatherV2: axes 0–2, batchDims 0/1, float32/int32/bool, repeated and unsorted indices, slices of 1 to 784 values", () => {
    const cases: Array<{ x: number[]; idx: number[]; axis: number; batchDims?: number }> = [
      { x: [100, 784], idx: [32], axis: 0 }, // a shuffled batch of MNIST rows
      { x: [50], idx: [20], axis: 0 },
      { x: [30, 16], idx: [4, 12], axis: 0 }, // an Embedding lookup
      { x: [5, 6, 7], idx: [9], axis: 1 },
      { x: [5, 6, 7], idx: [3, 2], axis: 2 },
      { x: [4, 6, 3], idx: [4, 5], axis: 1, batchDims: 1 },
      { x: [3, 4, 5, 2], idx: [3, 2], axis: 2, batchDims: 1 },
    ];
    cases.forEach((c, n) => {
      for (const dtype of ["float32", "int32", "bool"] as const) {
        const size = c.x.reduce((a, b) => a * b, 1);
        const x = tf.tensor(values(dtype, size, n), c.x, dtype);
        const count = c.idx.reduce((a, b) => a * b, 1);
        const limit = c.x[c.axis];
        const idx = tf.tensor(Int32Array.from({ length: count }, (_, i) => (i * 37 + n) % limit), c.idx, "int32");
        const batchDims = c.batchDims ?? 0;
        assertSame(results("GatherV2", { x, indices: idx }, { axis: c.axis, batchDims }), `gather ${JSON.stringify(c)} ${dtype}`, batchDims === 0);
        tf.dispose([x, idx]);
      }
    });
  });

  it("GatherV2: an index out of range throws wasm's own error, and nothing leaks", () => {
    const x = tf.ones([4, 3]);
    for (const bad of [4, -1]) {
      const idx = tf.tensor1d([0, bad], "int32");
      const before = tf.engine().backend.numDataIds();
      assert.throws(() => tf.gather(x, idx), { message: `GatherV2: the index value ${bad} is not in [0, 3]` });
      assert.equal(tf.engine().backend.numDataIds(), before);
      idx.dispose();
    }
    x.dispose();
  });

  it("Slice of a scalar is the scalar (cpu's kernel returns no value, wasm's own the next element in memory)", () => {
    const x = tf.scalar(-2.5);
    const out = tf.engine().runKernel("Slice", { x }, { begin: [], size: [] }) as tf.Tensor;
    assert.deepEqual(out.shape, []);
    assert.deepEqual(Array.from(out.dataSync()), [-2.5]);
    tf.dispose([x, out]);
  });

  it("Slice: ranks 1–5, whole rows, columns, inner boxes, empty slices, float32/int32/bool", () => {
    const cases: Array<{ x: number[]; begin: number[]; size: number[] }> = [
      { x: [10], begin: [3], size: [5] },
      { x: [200, 784], begin: [32, 0], size: [32, 784] }, // a batch of rows
      { x: [10, 8], begin: [2, 3], size: [4, 2] }, // columns
      { x: [10, 8], begin: [2, 0], size: [0, 8] }, // empty
      { x: [4, 5, 6], begin: [1, 2, 0], size: [2, 3, 6] },
      { x: [4, 5, 6], begin: [0, 0, 1], size: [4, 5, 4] },
      { x: [4, 5, 6], begin: [1, 0, 0], size: [1, 5, 6] },
      { x: [3, 4, 5, 6], begin: [1, 1, 1, 1], size: [2, 2, 3, 4] },
      { x: [2, 3, 4, 5, 6], begin: [0, 1, 0, 2, 1], size: [2, 2, 4, 3, 5] },
      { x: [6, 40], begin: [1, 5], size: [-1, 20] }, // -1: to the end
    ];
    cases.forEach((c, n) => {
      for (const dtype of ["float32", "int32", "bool"] as const) {
        const size = c.x.reduce((a, b) => a * b, 1);
        const x = tf.tensor(values(dtype, size, n), c.x, dtype);
        assertSame(results("Slice", { x }, { begin: c.begin, size: c.size }), `slice ${JSON.stringify(c)} ${dtype}`);
        x.dispose();
      }
    });
  });
});
