/** JSON values as they appear in Keras's config.json. */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Keras's serialization envelope, as written for every model, layer and nested object. */
export function envelope(module: string, className: string, config: JsonObject, registeredName: string | null = null): JsonObject {
  return { module, class_name: className, config, registered_name: registeredName };
}
