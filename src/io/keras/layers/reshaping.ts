import type { Json } from "../json.js";
import { pick, tuple } from "./common.js";
import type { LayerMapping } from "./registry.js";

/** Padding, cropping, up-sampling, repeating and permuting: shape-only layers without variables. */

/** Keras's `((top, bottom), (left, right))` from tfjs's number, pair or pair of pairs. */
function pairs(v: Json, where: string): Json {
  if (typeof v === "number") return [[v, v], [v, v]];
  if (Array.isArray(v) && v.length === 2) {
    return v.map((p) => (typeof p === "number" ? [p, p] : Array.isArray(p) && p.length === 2 ? p : bad(v, where)));
  }
  return bad(v, where);
}

function bad(v: Json, where: string): never {
  throw new Error(`${where}: unexpected cropping ${JSON.stringify(v)}`);
}

export const RESHAPING_LAYERS: LayerMapping[] = [
  {
    keras: "ZeroPadding2D",
    tfjs: "ZeroPadding2D",
    read: (c) => pick(c, ["padding", "data_format"]),
    write: (c) => ({ padding: c.padding, data_format: c.data_format ?? "channels_last" }),
  },
  {
    keras: "UpSampling2D",
    tfjs: "UpSampling2D",
    read: (c) => pick(c, ["size", "data_format", "interpolation"]),
    write: (c, w) => ({
      size: tuple(c.size ?? 2, 2, w, "size"),
      data_format: c.data_format ?? "channels_last",
      interpolation: c.interpolation ?? "nearest",
    }),
  },
  {
    keras: "Cropping2D",
    tfjs: "Cropping2D",
    read: (c) => pick(c, ["cropping", "data_format"]),
    write: (c, w) => ({ cropping: pairs(c.cropping, w), data_format: c.data_format ?? "channels_last" }),
  },
  { keras: "RepeatVector", tfjs: "RepeatVector", read: (c) => pick(c, ["n"]), write: (c) => ({ n: c.n }) },
  { keras: "Permute", tfjs: "Permute", read: (c) => pick(c, ["dims"]), write: (c) => ({ dims: c.dims }) },
];
