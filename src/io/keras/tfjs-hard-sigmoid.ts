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

/**
 * Every layer config in a model's JSON, nested ones included (wrapped layers, RNN cells, nested models): each object
 * under a `config` that carries a `name`.
 */
function layerConfigs(json: Json, out: JsonObject[] = []): JsonObject[] {
  if (Array.isArray(json)) {
    for (const v of json) layerConfigs(v, out);
  } else if (isObject(json)) {
    if (isObject(json.config) && typeof json.config.name === "string") out.push(json.config);
    for (const v of Object.values(json)) layerConfigs(v, out);
  }
  return out;
}

/** Where a tfjs model (its `toJSON(null, false)`) uses tfjs's hard sigmoid, as `"<layer name>/<config key>"`. */
export function tfjsHardSigmoidSites(modelJson: Json): string[] {
  const sites: string[] = [];
  for (const c of layerConfigs(modelJson)) {
    for (const key of ACTIVATION_KEYS) if (c[key] === "hard_sigmoid") sites.push(`${String(c.name)}/${key}`);
  }
  return sites;
}

/** In a topology converted from a Keras config, sets the listed activations back to tfjs's hard sigmoid. */
export function restoreTfjsHardSigmoid(topology: JsonObject, sites: Json | undefined): void {
  if (!Array.isArray(sites) || sites.length === 0) return;
  const wanted = new Set(sites.filter((s): s is string => typeof s === "string"));
  for (const c of layerConfigs(topology)) {
    for (const key of ACTIVATION_KEYS) if (key in c && wanted.has(`${String(c.name)}/${key}`)) c[key] = "hard_sigmoid";
  }
}
