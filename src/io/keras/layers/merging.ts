import { pick } from "./common.js";
import type { LayerMapping } from "./registry.js";

/** Merge layers: several inputs, no variables. */
const plain = (cls: string): LayerMapping => ({ keras: cls, tfjs: cls, read: () => ({}), write: () => ({}) });

export const MERGING_LAYERS: LayerMapping[] = [
  { keras: "Concatenate", tfjs: "Concatenate", read: (c) => pick(c, ["axis"]), write: (c) => ({ axis: c.axis ?? -1 }) },
  plain("Add"),
  plain("Multiply"),
  plain("Average"),
  plain("Maximum"),
  plain("Minimum"),
  {
    keras: "Dot",
    tfjs: "Dot",
    read: (c) => ({ axes: c.axes, normalize: c.normalize ?? false }),
    write: (c) => ({ axes: c.axes, normalize: c.normalize ?? false }),
  },
];
