import { envelope, isObject, type Json, type JsonObject } from "./json.js";

/**
 * Nested objects (initializers, regularizers, constraints) in both directions. tfjs writes Keras-2 `{class_name,
 * config}` pairs with its own class choices (VarianceScaling for Glorot/He/LeCun, L1L2 for every regularizer);
 * Keras 3 wants its public classes inside the module/class_name/config/registered_name envelope.
 */

/** tfjs VarianceScaling settings that Keras 3 has a named class for. */
const VARIANCE_SCALING_NAMES: ReadonlyArray<[scale: number, mode: string, distribution: string, name: string]> = [
  [1, "fan_avg", "uniform", "GlorotUniform"],
  [1, "fan_avg", "normal", "GlorotNormal"],
  [2, "fan_in", "uniform", "HeUniform"],
  [2, "fan_in", "normal", "HeNormal"],
  [1, "fan_in", "uniform", "LecunUniform"],
  [1, "fan_in", "normal", "LecunNormal"],
];

function seedOf(config: JsonObject): Json {
  return typeof config.seed === "number" ? config.seed : null;
}

/** A tfjs-serialized initializer (`{class_name, config}`) as a Keras 3 envelope. */
export function initializerToKeras3(init: Json, where: string): Json {
  if (init === null || init === undefined) return null;
  if (!isObject(init) || typeof init.class_name !== "string") {
    throw new Error(`${where}: cannot convert initializer ${JSON.stringify(init)} to Keras 3`);
  }
  const cfg = isObject(init.config) ? init.config : {};
  const keras = (cls: string, config: JsonObject) => envelope("keras.initializers", cls, config);
  switch (init.class_name) {
    case "VarianceScaling": {
      const scale = Number(cfg.scale ?? 1);
      const mode = String(cfg.mode ?? "fan_in");
      const distribution = String(cfg.distribution ?? "normal");
      const named = VARIANCE_SCALING_NAMES.find(([s, m, d]) => s === scale && m === mode && d === distribution);
      if (named) return keras(named[3], { seed: seedOf(cfg) });
      // tfjs's "normal" draws from a truncated normal, which is Keras 3's "truncated_normal".
      const dist = distribution === "normal" || distribution === "truncated_normal" ? "truncated_normal" : distribution;
      return keras("VarianceScaling", { scale, mode, distribution: dist, seed: seedOf(cfg) });
    }
    case "Zeros":
    case "Ones":
      return keras(init.class_name, {});
    case "Constant":
      return keras("Constant", { value: Number(cfg.value ?? 0) });
    case "RandomNormal":
    case "TruncatedNormal":
      return keras(init.class_name, { seed: seedOf(cfg), mean: Number(cfg.mean ?? 0), stddev: Number(cfg.stddev ?? 0.05) });
    case "RandomUniform":
      return keras("RandomUniform", { seed: seedOf(cfg), minval: Number(cfg.minval ?? -0.05), maxval: Number(cfg.maxval ?? 0.05) });
    case "Orthogonal":
      // Keras 3.3 only knows the class under this name; 3.10+ keeps it as a compatibility alias.
      return keras("OrthogonalInitializer", { seed: seedOf(cfg), gain: Number(cfg.gain ?? 1) });
    case "Identity":
      return keras("Identity", { gain: Number(cfg.gain ?? 1) });
    default:
      throw new Error(`${where}: initializer ${init.class_name} has no Keras 3 equivalent known to tslab-fit`);
  }
}

export function regularizerToKeras3(reg: Json, where: string): Json {
  if (reg === null || reg === undefined) return null;
  if (!isObject(reg) || reg.class_name !== "L1L2" || !isObject(reg.config)) {
    throw new Error(`${where}: cannot convert regularizer ${JSON.stringify(reg)} to Keras 3`);
  }
  const l1 = Number(reg.config.l1 ?? 0);
  const l2 = Number(reg.config.l2 ?? 0);
  if (l1 === 0 && l2 === 0) return null;
  if (l1 === 0) return envelope("keras.regularizers", "L2", { l2 });
  if (l2 === 0) return envelope("keras.regularizers", "L1", { l1 });
  return envelope("keras.regularizers", "L1L2", { l1, l2 });
}

const CONSTRAINTS = new Set(["MaxNorm", "UnitNorm", "NonNeg", "MinMaxNorm"]);

export function constraintToKeras3(c: Json, where: string): Json {
  if (c === null || c === undefined) return null;
  if (!isObject(c) || typeof c.class_name !== "string" || !CONSTRAINTS.has(c.class_name)) {
    throw new Error(`${where}: cannot convert constraint ${JSON.stringify(c)} to Keras 3`);
  }
  return envelope("keras.constraints", c.class_name, isObject(c.config) ? { ...c.config } : {});
}

// ---- Keras 3 → tfjs ----

/** Keras 3 initializer class → how tfjs spells it (tfjs registers these names for deserialization). */
const TFJS_INITIALIZERS = new Set([
  "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform", "TruncatedNormal", "Orthogonal", "Identity",
  "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal", "LecunUniform", "LecunNormal",
]);

/** Keras 3 string identifiers (`"glorot_uniform"`) as class names. */
function classFromIdentifier(id: string): string {
  return id
    .split("_")
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join("");
}

/** A Keras 3 initializer (envelope, Keras-2 pair or string) as a tfjs `{class_name, config}` pair. */
export function initializerToTfjs(init: Json, where: string): Json {
  if (init === null || init === undefined) return null;
  let cls: string;
  let cfg: JsonObject;
  if (typeof init === "string") {
    cls = classFromIdentifier(init);
    cfg = {};
  } else if (isObject(init) && typeof init.class_name === "string") {
    cls = init.class_name;
    cfg = isObject(init.config) ? init.config : {};
  } else {
    throw new Error(`${where}: unreadable initializer ${JSON.stringify(init)}`);
  }
  if (cls === "IdentityInitializer") cls = "Identity";
  if (cls === "OrthogonalInitializer") cls = "Orthogonal";
  if (cls === "Zeros" || cls === "Ones") return { class_name: cls, config: {} };
  if (!TFJS_INITIALIZERS.has(cls)) {
    throw new Error(`${where}: initializer ${cls} is not available in TensorFlow.js`);
  }
  // Drop keys tfjs does not know (input_axes/output_axes from Keras 3.15, …); keep those it reads.
  const keep = ["seed", "mean", "stddev", "minval", "maxval", "gain", "value", "scale", "mode", "distribution"];
  const out: JsonObject = {};
  for (const k of keep) if (k in cfg) out[k] = cfg[k];
  if (cls === "VarianceScaling" && typeof out.distribution === "string") {
    // tfjs knows normal (truncated), uniform and truncated_normal; Keras 3's untruncated_normal has no equivalent.
    if (out.distribution === "untruncated_normal") {
      throw new Error(`${where}: VarianceScaling(distribution="untruncated_normal") is not available in TensorFlow.js`);
    }
  }
  return { class_name: cls, config: out };
}

export function regularizerToTfjs(reg: Json, where: string): Json {
  if (reg === null || reg === undefined) return null;
  let cls: string;
  let cfg: JsonObject;
  if (typeof reg === "string") {
    cls = reg.toUpperCase() === "L1" ? "L1" : reg.toUpperCase() === "L2" ? "L2" : reg.toUpperCase() === "L1_L2" ? "L1L2" : reg;
    cfg = {};
  } else if (isObject(reg) && typeof reg.class_name === "string") {
    cls = reg.class_name;
    cfg = isObject(reg.config) ? reg.config : {};
  } else {
    throw new Error(`${where}: unreadable regularizer ${JSON.stringify(reg)}`);
  }
  // Keras's defaults when built from a string: 0.01.
  const l1 = cls === "L1" || cls === "L1L2" ? Number(cfg.l1 ?? 0.01) : 0;
  const l2 = cls === "L2" || cls === "L1L2" ? Number(cfg.l2 ?? 0.01) : 0;
  if (!["L1", "L2", "L1L2"].includes(cls)) {
    throw new Error(`${where}: regularizer ${cls} is not available in TensorFlow.js`);
  }
  return { class_name: "L1L2", config: { l1, l2 } };
}

export function constraintToTfjs(c: Json, where: string): Json {
  if (c === null || c === undefined) return null;
  const cls = typeof c === "string" ? classFromIdentifier(c) : isObject(c) ? c.class_name : undefined;
  if (typeof cls !== "string" || !CONSTRAINTS.has(cls)) {
    throw new Error(`${where}: constraint ${JSON.stringify(c)} is not available in TensorFlow.js`);
  }
  const cfg = isObject(c) && isObject(c.config) ? { ...c.config } : {};
  return { class_name: cls, config: cfg };
}
