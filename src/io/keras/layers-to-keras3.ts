import type * as tf from "@tensorflow/tfjs";
import { envelope, type JsonObject } from "./json.js";
import { allLayerMappings, writerFor } from "./layers/index.js";
import { REFUSED_TFJS } from "./layers/refused.js";

/**
 * Layer configs from tfjs's Keras-2 style `toJSON()` to Keras 3 `config` objects, through the per-family mappings in
 * layers/. Each mapping emits exactly the key set Keras 3.3–3.5 writes for its class: Keras 3 layer constructors
 * reject unknown keyword arguments, so copying tfjs leftovers (`batch_input_shape`, `input_length`,
 * `implementation`) would break loading.
 */

/** Layer classes supported in both directions (InputLayer is handled by the model converters). */
export const SUPPORTED_LAYER_CLASSES: readonly string[] = [
  "InputLayer",
  ...allLayerMappings().filter((m) => m.read && m.write && m.keras === m.tfjs).map((m) => m.keras),
];

/** The Keras 3 class a tfjs layer class is saved as. */
export function kerasClassOf(tfjsClass: string): string {
  return writerFor(tfjsClass)?.keras ?? tfjsClass;
}

/** A wrapped layer as Keras serializes it inside its wrapper's config. */
const NESTED = {
  toKeras(layer: tf.layers.Layer, cfg: JsonObject): JsonObject {
    const dtype = (layer as unknown as { dtype?: string }).dtype ?? "float32";
    return envelope("keras.layers", kerasClassOf(layer.getClassName()), layerConfigToKeras3(layer, cfg, dtype));
  },
};

/** The Keras 3 `config` of one (non-input) layer. */
export function layerConfigToKeras3(layer: tf.layers.Layer, tfjsConfig: JsonObject, dtype: string): JsonObject {
  const className = layer.getClassName();
  const where = `layer "${String(tfjsConfig.name)}" (${className})`;
  const mapping = writerFor(className);
  if (!mapping?.write) {
    const refusal = REFUSED_TFJS[className];
    if (refusal) throw new Error(`Cannot save ${where} to a .keras file: class ${className} is not supported: ${refusal.reason}. ${refusal.instead}.`);
    throw new Error(
      `Cannot save ${where} to a .keras file: class ${className} is not supported. ` +
        `Supported layers: ${SUPPORTED_LAYER_CLASSES.join(", ")}.`,
    );
  }
  const out: JsonObject = { name: tfjsConfig.name, trainable: tfjsConfig.trainable ?? true, dtype, ...mapping.write(tfjsConfig, where, layer, NESTED) };
  for (const k of mapping.omitBaseKeys ?? []) delete out[k];
  return out;
}
