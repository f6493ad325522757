import { isObject, type Json, type JsonObject } from "./json.js";

/**
 * Keras 3 records the masks of a Functional graph as operation nodes: `Embedding(mask_zero=True)` adds
 * `NotEqual(x, 0)`, `Masking(v)` adds `Any(NotEqual(x, v), axis=-1)`, and each layer that takes the mask gets it as
 * the `mask` keyword of its call. TensorFlow.js propagates the same masks implicitly from the same layers, so these
 * nodes are dropped once checked to be exactly the mask tfjs will compute; any other operation node is refused.
 */

/** Keras `ops` classes Keras writes into Functional configs (module `keras.src.ops.*`). */
export function isOperationEntry(e: JsonObject): boolean {
  return typeof e.module === "string" && e.module.startsWith("keras.src.ops");
}

/** `[layer, node, tensor]` of a `__keras_tensor__`, or undefined. */
export function kerasHistory(v: Json): [string, number, number] | undefined {
  if (isObject(v) && v.class_name === "__keras_tensor__" && isObject(v.config) && Array.isArray(v.config.keras_history)) {
    const h = v.config.keras_history;
    return [String(h[0]), Number(h[1]), Number(h[2])];
  }
  return undefined;
}

function firstNode(e: JsonObject): JsonObject | undefined {
  const nodes = e.inbound_nodes;
  return Array.isArray(nodes) && isObject(nodes[0]) ? nodes[0] : undefined;
}

function argsOf(e: JsonObject): Json[] {
  const n = firstNode(e);
  return n && Array.isArray(n.args) ? n.args : [];
}

const key = (h: [string, number, number] | undefined) => JSON.stringify(h ?? null);

/**
 * Names of the operation nodes that only compute masks tfjs reproduces. Throws, naming the node and the reason, for
 * an operation node that is anything else.
 */
export function maskOperationNames(entries: JsonObject[]): Set<string> {
  const byName = new Map(entries.map((e) => [String(e.name), e]));
  // The tensor each mask-producing layer takes, and the mask value tfjs will compare it with.
  const producers = new Map<string, { value: number; reduce: boolean; layer: string }>();
  for (const e of entries) {
    const c = isObject(e.config) ? e.config : {};
    const input = key(kerasHistory(argsOf(e)[0]));
    if (e.class_name === "Embedding" && c.mask_zero === true) producers.set(input, { value: 0, reduce: false, layer: String(e.name) });
    if (e.class_name === "Masking") producers.set(input, { value: Number(c.mask_value ?? 0), reduce: true, layer: String(e.name) });
  }
  const ok = new Set<string>();
  for (const e of entries.filter(isOperationEntry)) {
    const name = String(e.name);
    const where = `config.json: operation node "${name}" (${String(e.class_name)})`;
    const args = argsOf(e);
    const notEqualOk = (ne: JsonObject | undefined, reduce: boolean) => {
      if (!ne || ne.class_name !== "NotEqual") return false;
      const a = argsOf(ne);
      const p = producers.get(key(kerasHistory(a[0])));
      return p !== undefined && p.reduce === reduce && typeof a[1] === "number" && a[1] === p.value;
    };
    if (e.class_name === "NotEqual") {
      // Part of Masking's Any(NotEqual(…)), or Embedding's mask on its own.
      const usedByAny = entries.some((o) => o.class_name === "Any" && kerasHistory(argsOf(o)[0])?.[0] === name);
      if (notEqualOk(e, usedByAny)) {
        ok.add(name);
        continue;
      }
    } else if (e.class_name === "Any") {
      const c = isObject(e.config) ? e.config : {};
      const src = byName.get(kerasHistory(args[0])?.[0] ?? "");
      if ((c.axis === -1 || (Array.isArray(c.axis) && c.axis.length === 1 && c.axis[0] === -1)) && c.keepdims !== true && notEqualOk(src, true)) {
        ok.add(name);
        continue;
      }
    }
    throw new Error(
      `${where} is a keras.ops call in the Functional graph, not a layer. tslab-fit maps only the mask nodes Keras adds ` +
        "for Embedding(mask_zero=True) and Masking; TensorFlow.js models are built from layers only. " +
        "Replace the operation by a layer (or a Lambda-free equivalent) in Python and save again.",
    );
  }
  return ok;
}

/**
 * The call arguments of a node with its `mask` keyword dropped when it is one of the checked mask nodes (tfjs passes
 * that mask implicitly); any other tensor keyword is refused.
 */
export function checkNodeKwargs(node: JsonObject, maskOps: Set<string>, where: string): void {
  const kwargs = isObject(node.kwargs) ? node.kwargs : {};
  for (const [k, v] of Object.entries(kwargs)) {
    if (!JSON.stringify(v).includes("__keras_tensor__")) continue;
    const h = kerasHistory(v);
    if (k === "mask" && h && maskOps.has(h[0])) continue;
    if (k === "mask") {
      throw new Error(
        `config.json: ${where} takes an explicit mask (${h ? `from "${h[0]}"` : "a list of masks"}) that is not the ` +
          "implicit mask of an Embedding(mask_zero=True) or Masking layer, which is the only masking TensorFlow.js has",
      );
    }
    throw new Error(`config.json: ${where} takes tensors as keyword arguments (${k}), which tfjs cannot express`);
  }
}
