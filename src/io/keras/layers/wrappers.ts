import type * as tf from "@tensorflow/tfjs";
import { isObject, type JsonObject } from "../json.js";
import type { LayerMapping, VarsGroup } from "./registry.js";

/**
 * Wrappers hold another layer. Keras saves the wrapped layer's variables under the attribute that holds it:
 * `layers/bidirectional/forward_layer/cell/vars`, `…/backward_layer/cell/vars`, `layers/time_distributed/layer/vars`.
 */

function inner(c: JsonObject, key: string, where: string): JsonObject {
  const v = c[key];
  if (!isObject(v)) throw new Error(`${where}: its "${key}" is not a serialized layer`);
  return v;
}

function withoutPrefix(name: unknown, prefix: string): unknown {
  return typeof name === "string" && name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/** The config minus the keys a mirrored backward layer may differ in. */
function comparable(t: JsonObject): string {
  const { name: _n, go_backwards: _g, ...rest } = t.config as JsonObject;
  return JSON.stringify([t.class_name, rest]);
}

const emptyOwn = (layer: tf.layers.Layer, base: string): VarsGroup => ({ path: `${base}/vars`, name: layer.name, vars: [] });

const MERGE_MODES = ["concat", "sum", "mul", "ave", null];

export const WRAPPER_LAYERS: LayerMapping[] = [
  {
    keras: "Bidirectional",
    tfjs: "Bidirectional",
    read: (c, w, _warn, nested) => {
      const forward = nested.toTfjs(inner(c, "layer", w));
      if (isObject(c.backward_layer)) {
        const backward = nested.toTfjs(c.backward_layer);
        if (comparable(backward) !== comparable(forward)) {
          throw new Error(
            `${w}: its backward_layer is configured differently from its forward layer, which TensorFlow.js cannot ` +
              "express (its Bidirectional always runs a mirror of the forward layer). Rebuild it without backward_layer.",
          );
        }
      }
      const mode = c.merge_mode === undefined ? "concat" : c.merge_mode;
      if (!MERGE_MODES.includes(mode as string | null)) throw new Error(`${w}: merge_mode ${JSON.stringify(mode)} is not one of concat, sum, mul, ave, None`);
      // tfjs prefixes forward_/backward_ itself.
      const config = { ...(forward.config as JsonObject), name: withoutPrefix((forward.config as JsonObject).name, "forward_") as string };
      return { layer: { class_name: forward.class_name, config }, merge_mode: mode };
    },
    write: (c, w, layer, nested) => {
      const b = layer as unknown as { forwardLayer: tf.layers.Layer; backwardLayer: tf.layers.Layer };
      const cfg = inner(c, "layer", w).config as JsonObject;
      return {
        merge_mode: c.merge_mode ?? null,
        layer: nested.toKeras(b.forwardLayer, { ...cfg, name: b.forwardLayer.name }),
        backward_layer: nested.toKeras(b.backwardLayer, { ...cfg, name: b.backwardLayer.name, go_backwards: cfg.go_backwards !== true }),
      };
    },
    groups: (layer, base, child) => {
      const b = layer as unknown as { forwardLayer: tf.layers.Layer; backwardLayer: tf.layers.Layer };
      return [emptyOwn(layer, base), ...child(b.forwardLayer, `${base}/forward_layer`), ...child(b.backwardLayer, `${base}/backward_layer`)];
    },
    note: "merge modes concat, sum, mul, ave and None; the backward layer must mirror the forward one",
  },
  {
    keras: "TimeDistributed",
    tfjs: "TimeDistributed",
    read: (c, w, _warn, nested) => ({ layer: nested.toTfjs(inner(c, "layer", w)) }),
    write: (c, w, layer, nested) => {
      const wrapped = (layer as unknown as { layer: tf.layers.Layer }).layer;
      return { layer: nested.toKeras(wrapped, inner(c, "layer", w).config as JsonObject) };
    },
    groups: (layer, base, child) => [emptyOwn(layer, base), ...child((layer as unknown as { layer: tf.layers.Layer }).layer, `${base}/layer`)],
  },
];
