import { isObject, type Json, type JsonObject } from "./json.js";
import { allLayerMappings, readerFor } from "./layers/index.js";
import { REFUSED_KERAS } from "./layers/refused.js";

/**
 * Keras 3 layer entries to the Keras-2 style configs tfjs deserializes, through the per-family mappings in layers/.
 * Each mapping copies the keys tfjs understands, converts nested objects, ignores keys that do not change the
 * computation (`seed`, `quantization_config: null`, `synchronized`, …) and refuses settings tfjs cannot honour.
 */

/** Keras layer classes the reader rebuilds (some as another tfjs class: Resizing as KerasResizing, GRU as GRUResetAfter). */
export const READABLE_LAYER_CLASSES: readonly string[] = [
  ...new Set(["InputLayer", ...allLayerMappings().filter((m) => m.read).map((m) => m.keras)]),
];

/** Keras 3 data-augmentation layers: identity at inference, so a Sequential may drop them on request. */
export const AUGMENTATION_LAYER_CLASSES = new Set([
  "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast", "RandomBrightness",
  "RandomCrop", "RandomHeight", "RandomWidth", "GaussianNoise", "GaussianDropout", "AlphaDropout",
]);

/** A Keras layer dtype (string or DTypePolicy envelope) as a plain name. */
export function dtypeName(d: Json): string {
  if (typeof d === "string") return d;
  if (isObject(d) && isObject(d.config) && typeof d.config.name === "string") return d.config.name;
  return "float32";
}

/** The tfjs `{class_name, config}` of one non-input Keras 3 layer entry. */
export function layerToTfjs(entry: JsonObject, warn: (m: string) => void): JsonObject {
  const cls = String(entry.class_name);
  const c = isObject(entry.config) ? entry.config : {};
  const where = `layer "${String(c.name ?? entry.name)}" (${cls})`;
  const mapping = readerFor(cls);
  if (!mapping?.read) {
    if (AUGMENTATION_LAYER_CLASSES.has(cls)) {
      throw new Error(
        `${where} is not supported: TensorFlow.js has no ${cls} layer that tslab-fit can map. ` +
          "It only acts during training; pass { dropAugmentation: true } to loadKeras to load the model without it.",
      );
    }
    const refusal = REFUSED_KERAS[cls];
    if (refusal) throw new Error(`${where} is not supported: ${refusal.reason}. ${refusal.instead}.`);
    throw new Error(
      `${where} is not supported: TensorFlow.js has no ${cls} layer that tslab-fit can map. Rebuild the model ` +
        `without it, or build the architecture in TypeScript and use loadKerasWeights. Supported: ${READABLE_LAYER_CLASSES.join(", ")}.`,
    );
  }
  if (entry.registered_name !== null && entry.registered_name !== undefined && entry.registered_name !== cls) {
    throw new Error(`${where}: custom object "${String(entry.registered_name)}" cannot be rebuilt in TensorFlow.js`);
  }
  const dtype = dtypeName(c.dtype ?? null);
  if (dtype !== "float32") warn(`${where}: dtype policy "${dtype}" loaded as float32`);
  return {
    class_name: mapping.readClass?.(c, where) ?? mapping.tfjs,
    config: { name: c.name ?? entry.name ?? null, trainable: c.trainable ?? true, ...mapping.read(c, where, warn, { toTfjs: (e) => layerToTfjs(e, warn) }, entry) },
  };
}
