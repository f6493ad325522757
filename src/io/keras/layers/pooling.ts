import type { JsonObject } from "../json.js";
import { pick, refuse, tuple } from "./common.js";
import type { LayerMapping } from "./registry.js";

/** Pooling layers, local and global. */

const readPooling = (c: JsonObject): JsonObject => pick(c, ["pool_size", "padding", "strides", "data_format"]);

const writePooling = (rank: number) => (c: JsonObject, w: string): JsonObject => {
  const poolSize = tuple(c.pool_size ?? 2, rank, w, "pool_size");
  return {
    pool_size: poolSize,
    padding: c.padding ?? "valid",
    // Keras stores the effective strides (pool_size when none were given).
    strides: c.strides === null || c.strides === undefined ? poolSize : tuple(c.strides, rank, w, "strides"),
    data_format: c.data_format ?? "channels_last",
  };
};

const readGlobal = (rank: number) => (c: JsonObject, w: string): JsonObject => {
  refuse(c, w, { keepdims: (v) => v === true });
  // tfjs's 1D global pooling has no data_format and works on channels_last only.
  if (rank === 1) {
    refuse(c, w, { data_format: (v) => v !== "channels_last" && v !== null });
    return {};
  }
  return pick(c, ["data_format"]);
};

const writeGlobal = (c: JsonObject): JsonObject => ({ data_format: c.data_format ?? "channels_last", keepdims: false });

const local = (cls: string, rank: number): LayerMapping => ({ keras: cls, tfjs: cls, read: readPooling, write: writePooling(rank) });
const global = (cls: string, rank: number): LayerMapping => ({ keras: cls, tfjs: cls, read: readGlobal(rank), write: writeGlobal });

export const POOLING_LAYERS: LayerMapping[] = [
  local("MaxPooling1D", 1),
  local("MaxPooling2D", 2),
  local("AveragePooling1D", 1),
  local("AveragePooling2D", 2),
  local("MaxPooling3D", 3),
  local("AveragePooling3D", 3),
  global("GlobalAveragePooling1D", 1),
  global("GlobalAveragePooling2D", 2),
  global("GlobalMaxPooling1D", 1),
  global("GlobalMaxPooling2D", 2),
];
