// Plain-JavaScript (float64) forward passes of Keras 3's Embedding → LSTM/GRU → Dense, written from Keras's
// formulas, sharing no code with tfjs: an independent reference for what a loaded model must predict.

export type Act = (x: number) => number;
export const sigmoid: Act = (x) => 1 / (1 + Math.exp(-x));
/** Keras 3's hard_sigmoid. */
export const kerasHardSigmoid: Act = (x) => Math.min(Math.max(x + 3, 0), 6) / 6;
/** tfjs's (Keras 2's) hard_sigmoid. */
export const tfjsHardSigmoid: Act = (x) => Math.min(Math.max(0.2 * x + 0.5, 0), 1);
export const tanh: Act = Math.tanh;

export interface Matrix {
  rows: number;
  cols: number;
  data: ArrayLike<number>;
}

/** x (length rows) times m (rows × cols), plus bias row `biasRow` of b (if given). */
function matVec(x: number[], m: Matrix): number[] {
  const out = new Array<number>(m.cols).fill(0);
  for (let r = 0; r < m.rows; r++) {
    const xr = x[r];
    if (xr === 0) continue;
    for (let c = 0; c < m.cols; c++) out[c] += xr * m.data[r * m.cols + c];
  }
  return out;
}

function addBias(v: number[], b: ArrayLike<number>, offset = 0): number[] {
  return v.map((x, i) => x + b[offset + i]);
}

export function embed(ids: ArrayLike<number>, table: Matrix): number[][] {
  return Array.from(ids, (id) => Array.from({ length: table.cols }, (_, c) => table.data[id * table.cols + c]));
}

/** Keras LSTM (gates i, f, c, o), last hidden state. */
export function lstm(seq: number[][], kernel: Matrix, recurrent: Matrix, bias: ArrayLike<number>, ra: Act, act: Act = tanh): number[] {
  const u = recurrent.rows;
  let h = new Array<number>(u).fill(0);
  let c = new Array<number>(u).fill(0);
  for (const x of seq) {
    const z = addBias(matVec(x, kernel).map((v, k) => v + matVec(h, recurrent)[k]), bias);
    const gate = (g: number, j: number) => z[g * u + j];
    c = c.map((cj, j) => ra(gate(1, j)) * cj + ra(gate(0, j)) * act(gate(2, j)));
    h = c.map((cj, j) => ra(gate(3, j)) * act(cj));
  }
  return h;
}

/**
 * Keras GRU (gates z, r, h), last hidden state. With resetAfter the bias has two rows (input, recurrent) and the
 * reset gate multiplies the recurrent matmul's candidate part; without, it multiplies h before that matmul.
 */
export function gru(seq: number[][], kernel: Matrix, recurrent: Matrix, bias: ArrayLike<number>, resetAfter: boolean, ra: Act, act: Act = tanh): number[] {
  const u = recurrent.rows;
  let h = new Array<number>(u).fill(0);
  for (const x of seq) {
    const xw = addBias(matVec(x, kernel), bias);
    let hz: number[];
    let hr: number[];
    let hh: (r: number[]) => number[];
    if (resetAfter) {
      const inner = addBias(matVec(h, recurrent), bias, 3 * u);
      hz = inner.slice(0, u);
      hr = inner.slice(u, 2 * u);
      hh = (r) => inner.slice(2 * u).map((v, j) => r[j] * v);
    } else {
      const inner = matVec(h, recurrent);
      hz = inner.slice(0, u);
      hr = inner.slice(u, 2 * u);
      const candidate: Matrix = { rows: u, cols: u, data: Array.from({ length: u * u }, (_, k) => recurrent.data[Math.floor(k / u) * 3 * u + 2 * u + (k % u)]) };
      hh = (r) => matVec(h.map((v, j) => r[j] * v), candidate);
    }
    const z = hz.map((v, j) => ra(xw[j] + v));
    const r = hr.map((v, j) => ra(xw[u + j] + v));
    const rec = hh(r);
    const cand = rec.map((v, j) => act(xw[2 * u + j] + v));
    h = h.map((hj, j) => z[j] * hj + (1 - z[j]) * cand[j]);
  }
  return h;
}

export function dense(x: number[], kernel: Matrix, bias: ArrayLike<number>, activation: "linear" | "sigmoid" | "softmax"): number[] {
  const y = addBias(matVec(x, kernel), bias);
  if (activation === "sigmoid") return y.map(sigmoid);
  if (activation === "softmax") {
    const m = Math.max(...y);
    const e = y.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  }
  return y;
}
