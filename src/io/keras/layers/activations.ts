import type { LayerMapping } from "./registry.js";

/** Activation layers with parameters (the plain Activation layer is in core.ts). */
export const ACTIVATION_LAYERS: LayerMapping[] = [
  {
    keras: "LeakyReLU",
    tfjs: "LeakyReLU",
    read: (c) => ({ alpha: c.negative_slope ?? c.alpha ?? 0.3 }),
    write: (c) => ({ negative_slope: c.alpha ?? 0.3 }),
  },
];
