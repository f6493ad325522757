import "../../../layers/keras-extra.js";
import type { JsonObject } from "../json.js";
import { pick, refuse } from "./common.js";
import type { LayerMapping } from "./registry.js";

/**
 * Keras layers tfjs-layers lacks, mapped onto the small tfjs layers tslab-fit provides (src/layers/keras-extra.ts).
 * channels_last only.
 */

const channelsLast = (c: JsonObject, w: string) => refuse(c, w, { data_format: (v) => v !== null && v !== "channels_last" });
const note = "tslab-fit's own tfjs layer (tfjs-layers has none)";

const global3d = (cls: string): LayerMapping => ({
  keras: cls,
  tfjs: cls,
  read: (c, w) => {
    channelsLast(c, w);
    refuse(c, w, { keepdims: (v) => v === true });
    return {};
  },
  write: () => ({ data_format: "channels_last", keepdims: false }),
  note,
});

export const EXTRA_LAYERS: LayerMapping[] = [
  {
    keras: "ZeroPadding1D",
    tfjs: "ZeroPadding1D",
    read: (c, w) => {
      channelsLast(c, w);
      return pick(c, ["padding"]);
    },
    // data_format is left out: Keras releases before it existed reject the key, and channels_last is the default.
    write: (c) => ({ padding: c.padding }),
    note,
  },
  {
    keras: "ZeroPadding3D",
    tfjs: "ZeroPadding3D",
    read: (c, w) => {
      channelsLast(c, w);
      return pick(c, ["padding"]);
    },
    write: (c) => ({ padding: c.padding, data_format: "channels_last" }),
    note,
  },
  { keras: "Cropping1D", tfjs: "Cropping1D", read: (c) => pick(c, ["cropping"]), write: (c) => ({ cropping: c.cropping }), note },
  { keras: "UpSampling1D", tfjs: "UpSampling1D", read: (c) => pick(c, ["size"]), write: (c) => ({ size: c.size }), note },
  {
    keras: "UpSampling3D",
    tfjs: "UpSampling3D",
    read: (c, w) => {
      channelsLast(c, w);
      return pick(c, ["size"]);
    },
    write: (c) => ({ size: c.size, data_format: "channels_last" }),
    note,
  },
  global3d("GlobalAveragePooling3D"),
  global3d("GlobalMaxPooling3D"),
  {
    keras: "SpatialDropout2D",
    tfjs: "SpatialDropout2D",
    read: (c, w) => {
      channelsLast(c, w);
      return { rate: c.rate };
    },
    write: (c) => ({ rate: c.rate, seed: null, data_format: "channels_last" }),
    // Keras's SpatialDropout2D(rate, data_format, seed, name, dtype) takes no `trainable`.
    omitBaseKeys: ["trainable"],
    note,
  },
];
