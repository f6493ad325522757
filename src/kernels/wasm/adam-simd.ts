// Adam's elementwise update as a tiny WebAssembly SIMD function, assembled here byte by byte (no toolchain needed)
// and run on tfjs-backend-wasm's own memory, which it imports. f32x4 add, mul, div and sqrt are IEEE float32
// operations, the ones the stock kernels run, in the same order per element (see adam.ts): results are bit-equal.

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
};
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

const I32 = 0x7f, F32 = 0x7d, V128 = 0x7b;
// Parameters: byte addresses of w, m, v, g and of the outputs w', m', v'; n; then the float32 scalars.
const [W, M, V, G, WO, MO, VO, N] = [0, 1, 2, 3, 4, 5, 6, 7];
const [B1, C1, B2, C2, D1, D2, EPS, STEP] = [8, 9, 10, 11, 12, 13, 14, 15];
// Locals: byte offset, end of the 4-wide part, end; the scalars splatted; per-element temporaries.
const [I, END4, END] = [16, 17, 18];
const SPLAT = 19; // 19..26: B1..STEP as f32x4
const [GK, MK, VK] = [27, 28, 29];
const [GS, MS, VS] = [30, 31, 32];

const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const simd = (op: number, ...rest: number[]) => [0xfd, ...uleb(op), ...rest];
const memarg = [0x00, 0x00]; // alignment hint 1 byte, offset 0
const at = (base: number) => [...get(base), ...get(I), 0x6a]; // base + i
const v = {
  load: (base: number) => [...at(base), ...simd(0x00, ...memarg)],
  store: (base: number, value: number[]) => [...at(base), ...value, ...simd(0x0b, ...memarg)],
  add: (a: number[], b: number[]) => [...a, ...b, ...simd(0xe4)],
  mul: (a: number[], b: number[]) => [...a, ...b, ...simd(0xe6)],
  div: (a: number[], b: number[]) => [...a, ...b, ...simd(0xe7)],
  sqrt: (a: number[]) => [...a, ...simd(0xe3)],
  c: (scalar: number) => get(SPLAT + scalar - B1),
};
const s = {
  load: (base: number) => [...at(base), 0x2a, 0x02, 0x00],
  store: (base: number, value: number[]) => [...at(base), ...value, 0x38, 0x02, 0x00],
  add: (a: number[], b: number[]) => [...a, ...b, 0x92],
  mul: (a: number[], b: number[]) => [...a, ...b, 0x94],
  div: (a: number[], b: number[]) => [...a, ...b, 0x95],
  sqrt: (a: number[]) => [...a, 0x91],
  c: (scalar: number) => get(scalar),
};

/** One element (or four): the moments, then the weight, in tfjs's order of operations. */
function update(ops: typeof v, [gk, mk, vk]: number[]): number[] {
  return [
    ...ops.load(G), ...set(gk),
    ...ops.add(ops.mul(ops.load(M), ops.c(B1)), ops.mul(get(gk), ops.c(C1))), ...set(mk),
    ...ops.add(ops.mul(ops.load(V), ops.c(B2)), ops.mul(ops.mul(get(gk), get(gk)), ops.c(C2))), ...set(vk),
    ...ops.store(MO, get(mk)),
    ...ops.store(VO, get(vk)),
    ...ops.store(WO, ops.add(ops.mul(ops.div(ops.div(get(mk), ops.c(D1)), ops.add(ops.sqrt(ops.div(get(vk), ops.c(D2))), ops.c(EPS))), ops.c(STEP)), ops.load(W))),
  ];
}

/** `for (; i < end; i += step) body` */
const loop = (end: number, step: number, body: number[]) => [
  0x02, 0x40, 0x03, 0x40, // block, loop
  ...get(I), ...get(end), 0x4f, 0x0d, 0x01, // br_if out when i >= end (unsigned)
  ...body,
  ...get(I), 0x41, ...sleb(step), 0x6a, ...set(I),
  0x0c, 0x00, 0x0b, 0x0b, // br loop; end; end
];

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const code = [
    ...get(N), 0x41, 0x02, 0x74, ...set(END), // end = n << 2
    ...get(N), 0x41, ...sleb(-4), 0x71, 0x41, 0x02, 0x74, ...set(END4), // end4 = (n & ~3) << 2
    ...[B1, C1, B2, C2, D1, D2, EPS, STEP].flatMap((p, k) => [...get(p), ...simd(0x13), ...set(SPLAT + k)]),
    ...loop(END4, 16, update(v, [GK, MK, VK])),
    ...loop(END, 4, update(s as unknown as typeof v, [GS, MS, VS])),
    0x0b,
  ];
  const locals = vector([[...uleb(3), I32], [...uleb(11), V128], [...uleb(3), F32]]);
  const body = [...locals, ...code];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([[0x60, ...vector(Array.from({ length: 16 }, (_, k) => [k < 8 ? I32 : F32])), 0x00]])),
    ...section(2, vector([[...name("env"), ...name("memory"), 0x02, 0x00, 0x01]])),
    ...section(3, vector([[0x00]])),
    ...section(7, vector([[...name("adam"), 0x00, 0x00]])),
    ...section(10, vector([[...uleb(body.length), ...body]])),
  ]);
}

export type AdamSimd = (
  w: number, m: number, v: number, g: number, wOut: number, mOut: number, vOut: number, n: number,
  b1: number, c1: number, b2: number, c2: number, d1: number, d2: number, eps: number, step: number,
) => void;

let compiled: WebAssembly.Module | null | undefined;
const instances = new WeakMap<WebAssembly.Memory, AdamSimd>();

/** The SIMD update running on `memory`, or undefined where WebAssembly SIMD is not available. */
export function adamSimd(memory: WebAssembly.Memory | undefined): AdamSimd | undefined {
  if (!memory) return undefined;
  if (compiled === undefined) {
    const bytes = moduleBytes();
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  if (compiled === null) return undefined;
  let fn = instances.get(memory);
  if (!fn) {
    fn = new WebAssembly.Instance(compiled, { env: { memory } }).exports.adam as AdamSimd;
    instances.set(memory, fn);
  }
  return fn;
}
