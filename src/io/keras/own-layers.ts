import type { JsonObject } from "./json.js";
// Registers tslab-fit's own layer classes with tfjs, so that the reader's topology can name them.
import "../../layers/index.js";

/**
 * tslab-fit's layers that stand for a Keras class under another tfjs class name (tfjs already has a `GRU`, the
 * reset-before variant). Everything keyed by Keras class (config class_name, HDF5 group keys) uses the Keras name.
 */
const KERAS_CLASS_OF: Record<string, string> = { GRUResetAfter: "GRU" };

/** The Keras 3 class a tfjs layer class is saved as. */
export function kerasClassName(tfjsClass: string): string {
  return KERAS_CLASS_OF[tfjsClass] ?? tfjsClass;
}

/** The tfjs class that rebuilds a Keras layer entry: Keras's GRU is GRUResetAfter unless `reset_after` is false. */
export function tfjsClassName(kerasClass: string, config: JsonObject): string {
  if (kerasClass === "GRU" && config.reset_after !== false) return "GRUResetAfter";
  return kerasClass;
}
