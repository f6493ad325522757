// tfjs-backend-wasm's BatchMatMul runs a plain product (no transposes) through XNNPACK, which packs B first; with
// `transposeA` or `transposeB` it falls back to loops that read an operand column by column: 5× slower for the weight
// gradient of a Dense layer (x^T · dy) and 5–6× slower for its input gradient (dy · W^T) (bench/step-anatomy.mjs,
// where they were the largest kernels of a training step). This wraps the wasm kernel so that only plain products
// run, choosing the arrangement whose packed operand is small (B changes every step during training, so it is packed
// every time):
//   A^T·B   → transpose A, then A'·B;
//   A·B^T   → (B·A^T)^T when A has fewer rows than B (dy · W^T: A^T is batch × units, small), else A·(B^T);
//   A^T·B^T → (B·A)^T.
// The same products, summed per output element in the plain kernel's order: equal to the stock kernel within float32
// rounding.
type KernelFunc = (args: { inputs: Record<string, unknown>; backend: unknown; attrs?: Record<string, unknown> }) => unknown;
interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}

/** The permutation that swaps the last two axes of a rank-`rank` array. */
function lastTwoSwapped(rank: number): number[] {
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

/** The wrapped kernel, given the stock BatchMatMul and Transpose kernels. */
export function matMulAsPlainProducts(matMul: KernelFunc, transpose: KernelFunc): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const transposeA = attrs?.transposeA === true;
    const transposeB = attrs?.transposeB === true;
    if (!transposeA && !transposeB) return matMul({ inputs, backend, attrs });
    // Intermediates, freed at the end; the result is not among them.
    const made: TensorInfo[] = [];
    const swapped = (x: TensorInfo) => transpose({ inputs: { x }, backend, attrs: { perm: lastTwoSwapped(x.shape.length) } }) as TensorInfo;
    const temp = (x: TensorInfo) => {
      made.push(x);
      return x;
    };
    const plain = (a: TensorInfo, b: TensorInfo) =>
      matMul({ inputs: { ...inputs, a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } }) as TensorInfo;
    const a = inputs.a as TensorInfo;
    const b = inputs.b as TensorInfo;
    try {
      if (transposeA && !transposeB) return plain(temp(swapped(a)), b);
      if (transposeA && transposeB) return swapped(temp(plain(b, a)));
      // A·B^T: the rows of A (M) against the rows of B (N).
      const m = a.shape[a.shape.length - 2];
      const n = b.shape[b.shape.length - 2];
      if (m >= n) return plain(a, temp(swapped(b)));
      return swapped(temp(plain(b, temp(swapped(a)))));
    } finally {
      for (const info of made) (backend as { disposeData(id: object): void }).disposeData(info.dataId);
    }
  };
}
