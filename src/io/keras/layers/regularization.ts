import type { Json } from "../json.js";
import type { LayerMapping } from "./registry.js";

/**
 * Noise and dropout layers: identity at inference in both libraries, random during training. Seeds are not
 * carried over (tfjs's random streams differ from Keras's anyway).
 */

const seed = (v: Json): Json => (typeof v === "number" ? v : null);

export const REGULARIZATION_LAYERS: LayerMapping[] = [
  {
    keras: "GaussianNoise",
    tfjs: "GaussianNoise",
    read: (c) => ({ stddev: c.stddev }),
    write: (c) => ({ stddev: c.stddev, seed: seed(c.seed) }),
  },
  {
    keras: "GaussianDropout",
    tfjs: "GaussianDropout",
    read: (c) => ({ rate: c.rate }),
    write: (c) => ({ rate: c.rate, seed: seed(c.seed) }),
  },
  {
    keras: "AlphaDropout",
    tfjs: "AlphaDropout",
    read: (c) => ({ rate: c.rate, noise_shape: c.noise_shape ?? null }),
    write: (c) => ({ rate: c.rate, seed: seed(c.seed), noise_shape: c.noise_shape ?? null }),
  },
  {
    keras: "SpatialDropout1D",
    tfjs: "SpatialDropout1D",
    read: (c) => ({ rate: c.rate }),
    write: (c) => ({ rate: c.rate, seed: seed(c.seed) }),
    // Keras's SpatialDropout1D(rate, seed, name, dtype) takes no other keyword.
    omitBaseKeys: ["trainable"],
  },
];
