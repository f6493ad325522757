/**
 * Config keys whose values Keras 3 takes as Python floats. Python's `json` writes a float as `0.0`/`1.0`, and Keras
 * validates some of them (`momentum` must be a float, `learning_rate` a float or a schedule), so an integer-valued
 * float written as `0` makes `keras.saving.load_model` refuse the file. Keys not listed keep JavaScript's number
 * text (units, filters, sizes, strides, axes and seeds are ints in Keras too). The same key is never an int in one
 * Keras class and a float in another, which is what lets the table go by key alone.
 */
export const FLOAT_KEYS: ReadonlySet<string> = new Set([
  // optimizers
  "learning_rate", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue", "ema_momentum", "loss_scale_factor",
  "beta_1", "beta_2", "epsilon", "momentum", "rho", "initial_accumulator_value",
  // layers
  "rate", "dropout", "recurrent_dropout", "scale", "offset", "negative_slope", "mean", "variance", "alpha", "threshold",
  "mask_value", "fill_value",
  // initializers
  "stddev", "minval", "maxval", "gain", "value",
  // regularizers and constraints
  "l1", "l2", "max_value", "min_value",
  // losses and compile
  "label_smoothing", "loss_weights",
]);

/** Keys whose value may be a dict of floats by name: Keras's per-output `loss_weights`. */
export const FLOAT_MAP_KEYS: ReadonlySet<string> = new Set(["loss_weights"]);
