import { isObject, type Json, type JsonObject } from "./json.js";

/**
 * tfjs's own hard sigmoid (`clip(0.2x + 0.5, 0, 1)`, the default recurrent activation of its LSTM and GRU) has no
 * Keras 3 counterpart, so it is written as `hard_sigmoid`, which Keras 3 computes as `relu6(x + 3) / 6`. To keep a
 * file that tslab-fit wrote from predicting differently when tslab-fit loads it back, metadata.json lists where
 * the activation is tfjs's (`"<layer name>/<config key>"`). Keras never reads metadata.json and writes a fresh one
 * when it saves, so a file re-saved by Python Keras loads with Keras's formula, the one it computed with.
 */
export const TFJS_HARD_SIGMOID_KEY = "tslab_fit_tfjs_hard_sigmoid";

const ACTIVATION_KEYS = ["activation", "recurrent_activation"];

function layerEntries(modelJson: Json): JsonObject[] {
  const cfg = isObject(modelJson) && isObject(modelJson.config) ? modelJson.config : {};
  return (Array.isArray(cfg.layers) ? cfg.layers : []).filter(isObject);
}

/** Where a tfjs model (its `toJSON(null, false)`) uses tfjs's hard sigmoid, as `"<layer name>/<config key>"`. */
export function tfjsHardSigmoidSites(modelJson: Json): string[] {
  const sites: string[] = [];
  for (const entry of layerEntries(modelJson)) {
    const c = isObject(entry.config) ? entry.config : {};
    for (const key of ACTIVATION_KEYS) if (c[key] === "hard_sigmoid") sites.push(`${String(c.name)}/${key}`);
  }
  return sites;
}

/** In a topology converted from a Keras config, sets the listed activations back to tfjs's hard sigmoid. */
export function restoreTfjsHardSigmoid(topology: JsonObject, sites: Json | undefined): void {
  if (!Array.isArray(sites) || sites.length === 0) return;
  const wanted = new Set(sites.filter((s): s is string => typeof s === "string"));
  for (const entry of layerEntries(topology)) {
    const c = isObject(entry.config) ? entry.config : {};
    for (const key of ACTIVATION_KEYS) if (key in c && wanted.has(`${String(c.name)}/${key}`)) c[key] = "hard_sigmoid";
  }
}
