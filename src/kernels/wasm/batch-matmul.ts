// tfjs-backend-wasm's BatchMatMul reads A column by column when `transposeA` is set, and that is the weight gradient
// of every Dense layer (x^T · dy): 5× slower than transposing A first and multiplying plainly (bench/step-anatomy.mjs,
// where it was the largest kernel of a training step). This wraps the wasm kernel so a transposed A is transposed
// explicitly (cheap, one pass) and the plain kernel does the product. Same products, summed in the same order per
// output element as far as the kernel's own blocking goes: equal to the stock kernel within float32 rounding.
type KernelFunc = (args: { inputs: Record<string, unknown>; backend: unknown; attrs?: Record<string, unknown> }) => unknown;
interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}

/** The wrapped kernel, given the stock BatchMatMul and Transpose kernels (exported for the tests). */
export function transposedAMatMul(matMul: KernelFunc, transpose: KernelFunc): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    if (!attrs?.transposeA) return matMul({ inputs, backend, attrs });
    const a = inputs.a as TensorInfo;
    const rank = a.shape.length;
    const perm = [...Array(rank).keys()];
    [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
    const aT = transpose({ inputs: { x: a }, backend, attrs: { perm } }) as TensorInfo;
    try {
      return matMul({ inputs: { ...inputs, a: aT }, backend, attrs: { ...attrs, transposeA: false } });
    } finally {
      (backend as { disposeData(id: object): void }).disposeData(aT.dataId);
    }
  };
}
