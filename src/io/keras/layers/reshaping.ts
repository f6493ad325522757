import { pick, tuple } from "./common.js";
import type { LayerMapping } from "./registry.js";

/** Padding, cropping, up-sampling and other shape-only layers. */
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
];
