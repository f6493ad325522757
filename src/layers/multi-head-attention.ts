import * as tf from "@tensorflow/tfjs";

/**
 * Keras 3's `MultiHeadAttention` for sequences (query `(B, T, dq)`, value `(B, S, dv)`, optional key `(B, S, dk)`),
 * with attention over the sequence axis (Keras's default `attention_axes`). Keras projects with four EinsumDense
 * sublayers; this layer holds the same eight variables in the same shapes, so `.keras` weights move unchanged:
 * query/key kernels `(d, heads, keyDim)`, value kernel `(dv, heads, valueDim)`, their biases `(heads, dim)`, and the
 * output kernel `(heads, valueDim, ...outputShape)` with bias `outputShape`.
 *
 * Keras takes `key`, `attention_mask` and `use_causal_mask` as call arguments. tfjs's graph executor (used by
 * `fit` and `predict`) drops per-call keyword arguments, so here the inputs are one list
 * `[query, value, key?, attentionMask?]` (or the query alone for self-attention) and the layer's options say what the
 * list holds.
 */

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Shape = (number | null)[];
type Kwargs = Record<string, unknown>;
/** What tfjs's layer factories accept for an initializer, regularizer or constraint (name, config or instance). */
type DenseArgs = Parameters<typeof tf.layers.dense>[0];

export interface MultiHeadAttentionArgs extends LayerArgs {
  /** Number of attention heads. */
  numHeads: number;
  /** Size of each head for query and key. */
  keyDim: number;
  /** Size of each head for value. Default: keyDim. */
  valueDim?: number | null;
  /** Dropout rate on the attention probabilities, applied in training only. Default 0. */
  dropout?: number;
  /** Whether the four projections have biases. Default true. */
  useBias?: boolean;
  /** The output's feature shape (an int or a list). Default: the query's last dimension. */
  outputShape?: number | number[] | null;
  /** Keras's `attention_axes`: only the default (null: the sequence axis) is supported. */
  attentionAxes?: null;
  /** Keras's `use_causal_mask` call argument: query position i attends to key positions j ≤ i only. Default false. */
  useCausalMask?: boolean;
  /** The last input is Keras's `attention_mask` call argument, `(B, T, S)`, nonzero where attention is allowed. Default false. */
  attentionMaskInput?: boolean;
  /**
   * Where the query, the value and the key sit in a list of two inputs (the attention mask aside): `[0, 0, 1]` when
   * the value is the query, `[0, 1, 0]` when the key is the query. Default `[0, 1, 1]` (the key is the value). `apply`
   * sets it when given one tensor in two roles (`[x, x, k]` is applied as `[x, k]`).
   */
  inputIndices?: RoleIndices | null;
  kernelInitializer?: DenseArgs["kernelInitializer"];
  biasInitializer?: DenseArgs["biasInitializer"];
  kernelRegularizer?: DenseArgs["kernelRegularizer"];
  biasRegularizer?: DenseArgs["biasRegularizer"];
  kernelConstraint?: DenseArgs["kernelConstraint"];
  biasConstraint?: DenseArgs["biasConstraint"];
}

/** The parsed initializer, regularizer and constraint objects tfjs's Dense keeps (and serializes in getConfig). */
interface DenseObjects {
  kernelInitializer: unknown;
  biasInitializer: unknown;
  kernelRegularizer?: unknown;
  biasRegularizer?: unknown;
  kernelConstraint?: unknown;
  biasConstraint?: unknown;
  getConfig(): tf.serialization.ConfigDict;
}

type AddWeight = (
  name: string, shape: number[], dtype: undefined, init: unknown, reg: unknown, trainable: boolean, constraint: unknown,
) => tf.LayerVariable;

/** For query, value and key, the index of its tensor among the layer's inputs (the attention mask aside). */
export type RoleIndices = [number, number, number];

/** The roles of 1, 2 or 3 distinct inputs in list order: value = query and key = value when left out. */
const IN_ORDER: RoleIndices[] = [[0, 0, 0], [0, 1, 1], [0, 1, 2]];
/** The arrangements of two distinct inputs: the key is the value, the value is the query, the key is the query. */
const TWO_INPUT_ROLES: RoleIndices[] = [[0, 1, 1], [0, 0, 1], [0, 1, 0]];
const sameRoles = (a: RoleIndices, b: RoleIndices) => a.every((v, i) => v === b[i]);

/** Keras masks attention with this additive term (Softmax's large negative number for float32). */
const MASKED = -1e9;

function positiveInt(v: unknown, what: string): number {
  if (!Number.isInteger(v) || (v as number) <= 0) throw new Error(`MultiHeadAttention: ${what} must be a positive integer (got ${JSON.stringify(v)})`);
  return v as number;
}

function outputShapeOf(v: MultiHeadAttentionArgs["outputShape"]): number[] | null {
  if (v === undefined || v === null) return null;
  const dims = typeof v === "number" ? [v] : v;
  if (!Array.isArray(dims) || dims.length === 0) throw new Error(`MultiHeadAttention: outputShape must be a positive integer or a non-empty list of them (got ${JSON.stringify(v)})`);
  return dims.map((d) => positiveInt(d, "outputShape"));
}

/**
 * The Embedding(maskZero) or Masking layer whose padding mask reaches `x`, through layers that pass masks on. tfjs
 * propagates masks only while executing, and would hand this layer the mask silently.
 */
function paddingMaskSource(x: tf.SymbolicTensor, seen: Set<tf.layers.Layer>): string | null {
  const layer = x.sourceLayer as tf.layers.Layer | undefined;
  if (!layer || seen.has(layer)) return null;
  seen.add(layer);
  const cls = layer.getClassName();
  if ((cls === "Embedding" && (layer as unknown as { maskZero?: boolean }).maskZero) || cls === "Masking") return layer.name;
  if (!layer.supportsMasking) return null;
  for (const input of x.inputs ?? []) {
    const source = paddingMaskSource(input, seen);
    if (source) return source;
  }
  return null;
}

/** The four projections' variables, in Keras's creation order inside each EinsumDense: kernel, then bias. */
interface Projection {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
}

export class MultiHeadAttention extends tf.layers.Layer {
  static className = "MultiHeadAttention";
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly dropoutRate: number;
  readonly useBias: boolean;
  readonly outputDims: number[] | null;
  readonly useCausalMask: boolean;
  readonly attentionMaskInput: boolean;
  /** Where query, value and key sit among two distinct inputs; null: in list order (see MultiHeadAttentionArgs). */
  inputIndices: RoleIndices | null;
  /** tfjs's Dense parses the initializer/regularizer/constraint arguments; this layer reuses what it parsed. */
  private readonly objects: DenseObjects;
  /** Keras's sublayers query, key, value, attention_output (EinsumDense), built in that order. */
  query?: Projection;
  key?: Projection;
  value?: Projection;
  attentionOutput?: Projection;

  constructor(args: MultiHeadAttentionArgs) {
    super(args);
    if (!args || typeof args !== "object") throw new Error("MultiHeadAttention: give { numHeads, keyDim, … }");
    this.numHeads = positiveInt(args.numHeads, "numHeads");
    this.keyDim = positiveInt(args.keyDim, "keyDim");
    this.valueDim = args.valueDim === undefined || args.valueDim === null ? this.keyDim : positiveInt(args.valueDim, "valueDim");
    const rate = args.dropout ?? 0;
    if (typeof rate !== "number" || !(rate >= 0 && rate < 1)) throw new Error(`MultiHeadAttention: dropout must be a number in [0, 1) (got ${JSON.stringify(args.dropout)})`);
    this.dropoutRate = rate;
    this.useBias = args.useBias ?? true;
    this.outputDims = outputShapeOf(args.outputShape);
    if (args.attentionAxes !== undefined && args.attentionAxes !== null) {
      throw new Error(
        `MultiHeadAttention: attentionAxes ${JSON.stringify(args.attentionAxes)} is not supported: only the default (attention ` +
          "over the sequence axis of (batch, sequence, features) inputs) is implemented",
      );
    }
    this.useCausalMask = args.useCausalMask ?? false;
    this.attentionMaskInput = args.attentionMaskInput ?? false;
    const indices = args.inputIndices ?? null;
    if (indices !== null && !(Array.isArray(indices) && TWO_INPUT_ROLES.some((r) => sameRoles(r, indices as RoleIndices)))) {
      throw new Error(`MultiHeadAttention: inputIndices must be null, [0, 1, 1], [0, 0, 1] or [0, 1, 0] (got ${JSON.stringify(indices)})`);
    }
    this.inputIndices = indices && !sameRoles(indices, IN_ORDER[1]) ? [...indices] : null;
    this.objects = tf.layers.dense({
      units: 1,
      kernelInitializer: args.kernelInitializer ?? "glorotUniform",
      biasInitializer: args.biasInitializer ?? "zeros",
      kernelRegularizer: args.kernelRegularizer,
      biasRegularizer: args.biasRegularizer,
      kernelConstraint: args.kernelConstraint,
      biasConstraint: args.biasConstraint,
    }) as unknown as DenseObjects;
  }

  getClassName(): string {
    return MultiHeadAttention.className;
  }

  /**
   * The layer's (distinct) inputs split into their roles: `[query, value, key?, attentionMask?]` (the mask last when
   * `attentionMaskInput`), or the query alone for self-attention (value and key are the query); two inputs as
   * `inputIndices` says.
   */
  inputRoles<T>(list: T[]): { query: T; value: T; key: T; mask: T | null } {
    const extra = this.attentionMaskInput ? 1 : 0;
    if (list.length < 1 + extra || list.length > 3 + extra) {
      const expected = this.attentionMaskInput
        ? "[query, attentionMask], [query, value, attentionMask] or [query, value, key, attentionMask]"
        : "query, [query, value] or [query, value, key]";
      throw new Error(`MultiHeadAttention "${this.name}": expects the inputs ${expected}, got ${list.length} input(s)`);
    }
    const tensors = list.slice(0, list.length - extra);
    const [query, value, key] = this.rolesOf(tensors.length).map((i) => tensors[i]);
    return { query, value, key, mask: this.attentionMaskInput ? list[list.length - 1] : null };
  }

  /** For query, value and key, its index among `count` distinct inputs. */
  private rolesOf(count: number): RoleIndices {
    return count === 2 && this.inputIndices ? this.inputIndices : IN_ORDER[count - 1];
  }

  /**
   * A tensor given in two roles is passed once (`[x, x]` as `[x]`, `[x, x, k]` as `[x, k]` with `inputIndices`
   * `[0, 0, 1]`): tfjs's graph executor counts a tensor once per consuming layer but releases it once per input
   * slot, so a tensor given twice would be disposed before its other consumers (the residual Add of a transformer
   * block) run in `predict`.
   */
  apply(inputs: tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[], kwargs?: Kwargs): tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[] {
    for (const x of Array.isArray(inputs) ? inputs : [inputs]) {
      const source = x instanceof tf.SymbolicTensor ? paddingMaskSource(x, new Set()) : null;
      if (source) {
        throw new Error(
          `MultiHeadAttention "${this.name}": its input carries the padding mask of layer "${source}" (Embedding maskZero or ` +
            "Masking), and tslab-fit's MultiHeadAttention does not apply Keras's query/value masks. Give the mask as an " +
            "attention-mask input instead (attentionMaskInput: true), or leave out maskZero",
        );
      }
    }
    if (!Array.isArray(inputs)) return super.apply(inputs, kwargs);
    const list = [...inputs] as unknown[];
    this.inputRoles(list); // refuses a wrong number of inputs before repeats are merged
    const mask = this.attentionMaskInput ? list.pop() : undefined;
    const distinct = [...new Set(list)];
    this.checkArrangement(list, distinct, inputs[0] instanceof tf.SymbolicTensor);
    if (mask !== undefined) distinct.push(mask);
    return super.apply((distinct.length === 1 ? distinct[0] : distinct) as tf.Tensor[], kwargs);
  }

  /**
   * Keeps one arrangement of query, value and key per layer: the graph executor calls the layer on its distinct
   * inputs only, so `inputIndices` must say what they are. Set by the first call; a later call in another is refused.
   */
  private checkArrangement(list: unknown[], distinct: unknown[], symbolic: boolean): void {
    const [query, value = query, key = value] = list;
    const given = [query, value, key].map((t) => distinct.indexOf(t)) as RoleIndices;
    const current = this.rolesOf(distinct.length);
    // Without repeats, the executor's call and a later symbolic call look alike; only the latter can be checked.
    const checkable = distinct.length < list.length || (symbolic && this.built);
    if (!checkable || sameRoles(given, current)) return;
    if (!this.built && distinct.length === 2) {
      this.inputIndices = sameRoles(given, IN_ORDER[1]) ? null : given;
      return;
    }
    const names = ["query", "value", "key"];
    const describe = (r: RoleIndices) => names.map((n, i) => `${n} = input ${r[i]}`).join(", ");
    throw new Error(
      `MultiHeadAttention "${this.name}": this layer takes its query, value and key as ${describe(current)} of ` +
        `${distinct.length} distinct inputs, and this call gives ${describe(given)}. Call it as [query, value, key] with ` +
        "the same tensor repeated where it was repeated first, or use another MultiHeadAttention layer",
    );
  }

  /** The list of inputs, of input shapes. */
  private static shapes(inputShape: tf.Shape | tf.Shape[]): Shape[] {
    return (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as Shape[];
  }

  build(inputShape: tf.Shape | tf.Shape[]): void {
    const { query, value, key, mask } = this.inputRoles(MultiHeadAttention.shapes(inputShape));
    for (const [what, s] of [["query", query], ["value", value], ["key", key]] as const) {
      if (s.length !== 3 || s[2] == null) {
        throw new Error(
          `MultiHeadAttention "${this.name}": ${what} must have shape (batch, sequence, features) with known features, got [${s}] ` +
            "(attention over other axes, Keras's attention_axes, is not supported)",
        );
      }
    }
    if (value[1] != null && key[1] != null && value[1] !== key[1]) {
      throw new Error(`MultiHeadAttention "${this.name}": key and value must have the same sequence length, got [${key}] and [${value}]`);
    }
    if (mask && mask.length !== 3) throw new Error(`MultiHeadAttention "${this.name}": the attention mask must have shape (batch, T, S), got [${mask}]`);
    const o = this.objects;
    const add = (this as unknown as { addWeight: AddWeight }).addWeight.bind(this);
    const projection = (name: string, kernelShape: number[], biasShape: number[]): Projection => ({
      kernel: add(`${name}/kernel`, kernelShape, undefined, o.kernelInitializer, o.kernelRegularizer, true, o.kernelConstraint),
      bias: this.useBias ? add(`${name}/bias`, biasShape, undefined, o.biasInitializer, o.biasRegularizer, true, o.biasConstraint) : null,
    });
    const h = this.numHeads;
    const out = this.outputDims ?? [query[2] as number];
    this.query = projection("query", [query[2] as number, h, this.keyDim], [h, this.keyDim]);
    this.key = projection("key", [key[2] as number, h, this.keyDim], [h, this.keyDim]);
    this.value = projection("value", [value[2] as number, h, this.valueDim], [h, this.valueDim]);
    this.attentionOutput = projection("attention_output", [h, this.valueDim, ...out], out);
    this.built = true;
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const { query } = this.inputRoles(MultiHeadAttention.shapes(inputShape));
    return [...query.slice(0, -1), ...(this.outputDims ?? [query[query.length - 1]])];
  }

  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const { query, value, key, mask } = this.inputRoles(Array.isArray(inputs) ? inputs : [inputs]);
      const [b, t, dq] = query.shape as number[];
      const s = value.shape[1] as number;
      const h = this.numHeads;
      // (B, L, d) @ (d, heads·dim) + bias, as (B, heads, L, dim).
      const project = (x: tf.Tensor, p: Projection, dim: number): tf.Tensor => {
        const [, len, d] = x.shape as number[];
        let y = tf.matMul(tf.reshape(x, [b * len, d]), tf.reshape(p.kernel.read(), [d, h * dim]));
        if (p.bias) y = tf.add(y, tf.reshape(p.bias.read(), [h * dim]));
        return tf.transpose(tf.reshape(y, [b, len, h, dim]), [0, 2, 1, 3]);
      };
      // Keras scales the projected query by 1/sqrt(keyDim) before the dot product.
      const q = tf.mul(project(query, this.query!, this.keyDim), 1 / Math.sqrt(this.keyDim));
      const k = project(key, this.key!, this.keyDim);
      const v = project(value, this.value!, this.valueDim);
      let scores = tf.matMul(q, k, false, true); // (B, heads, T, S)
      const allowed = this.allowed(mask, t, s);
      if (allowed) scores = tf.add(scores, tf.mul(tf.sub(1, allowed), MASKED));
      let probs = tf.softmax(scores, -1);
      if (kwargs?.training === true && this.dropoutRate > 0) probs = tf.dropout(probs, this.dropoutRate);
      const context = tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]); // (B, T, heads, valueDim)
      const out = this.outputDims ?? [dq];
      const units = out.reduce((a, c) => a * c, 1);
      const p = this.attentionOutput!;
      let y = tf.matMul(tf.reshape(context, [b * t, h * this.valueDim]), tf.reshape(p.kernel.read(), [h * this.valueDim, units]));
      if (p.bias) y = tf.add(y, tf.reshape(p.bias.read(), [units]));
      return tf.reshape(y, [b, t, ...out]);
    });
  }

  /** 1 where query position i may attend to key position j, as (B or 1, 1, T, S); null when nothing is masked. */
  private allowed(mask: tf.Tensor | null, t: number, s: number): tf.Tensor | null {
    let allowed: tf.Tensor | null = null;
    if (mask) allowed = tf.expandDims(tf.cast(tf.notEqual(mask, 0), "float32"), 1);
    if (this.useCausalMask) {
      // Keras's causal mask is the lower triangle j ≤ i of the (T, S) grid, also when T ≠ S.
      const causal = tf.cast(tf.lessEqual(tf.range(0, s).reshape([1, s]), tf.range(0, t).reshape([t, 1])), "float32").reshape([1, 1, t, s]);
      allowed = allowed ? tf.mul(allowed, causal) : causal;
    }
    return allowed;
  }

  getConfig(): tf.serialization.ConfigDict {
    const dense = this.objects.getConfig();
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      keyDim: this.keyDim,
      valueDim: this.valueDim,
      dropout: this.dropoutRate,
      useBias: this.useBias,
      outputShape: this.outputDims,
      attentionAxes: null,
      useCausalMask: this.useCausalMask,
      attentionMaskInput: this.attentionMaskInput,
      inputIndices: this.inputIndices,
      kernelInitializer: dense.kernelInitializer,
      biasInitializer: dense.biasInitializer,
      kernelRegularizer: dense.kernelRegularizer,
      biasRegularizer: dense.biasRegularizer,
      kernelConstraint: dense.kernelConstraint,
      biasConstraint: dense.biasConstraint,
    };
  }
}
tf.serialization.registerClass(MultiHeadAttention);

/** Keras's `MultiHeadAttention` as a tfjs layer; call it on `[query, value]`, `[query, value, key]` (see the class). */
export function multiHeadAttention(args: MultiHeadAttentionArgs): MultiHeadAttention {
  return new MultiHeadAttention(args);
}
