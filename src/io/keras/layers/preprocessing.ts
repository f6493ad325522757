import "../../../layers/category-encoding-fix.js";
import "../../../layers/keras-preprocessing.js";
import type * as tf from "@tensorflow/tfjs";
import { categoryEncodingProblem, type CategoryOutputMode } from "../../../layers/keras-preprocessing.js";
import type { Json, JsonObject } from "../json.js";
import type { LayerMapping } from "./registry.js";

/**
 * Resizing, CenterCrop and CategoryEncoding. Keras files load as tslab-fit's Keras-exact layers (KerasResizing,
 * KerasCenterCrop, KerasCategoryEncoding in src/layers/keras-preprocessing.ts), which save back as Keras's classes.
 * tfjs's own CategoryEncoding also saves, where it computes what Keras does; tfjs's own Resizing and CenterCrop do not
 * (layers/refused.ts says why).
 */

// tfjs's (de)serializer turns camelCase string values into snake_case and back, so tfjs configs carry Keras's names.
const MODES = ["multi_hot", "one_hot", "count"];
const TFJS_MODE: Record<string, CategoryOutputMode> = { multi_hot: "multiHot", one_hot: "oneHot", count: "count" };
const USE_OURS = "Build the layer with tslab-fit's kerasCategoryEncoding, which computes every case Keras does";

const shapeOf = (v: Json | undefined): (number | null)[] | undefined =>
  Array.isArray(v) && v.every((d) => d === null || typeof d === "number") ? (v as (number | null)[]) : undefined;

/** The input shape recorded in a Keras entry's build_config. */
const builtShape = (entry: JsonObject | undefined) => {
  const build = entry?.build_config;
  return shapeOf(build && typeof build === "object" && !Array.isArray(build) ? (build as JsonObject).input_shape : undefined);
};

/** The input shape of every call of a tfjs layer in its models. */
const callShapes = (layer: tf.layers.Layer): (number | null)[][] =>
  layer.inboundNodes
    .flatMap((n) => (Array.isArray(n.inputShapes[0]) ? (n.inputShapes as Json[]) : [n.inputShapes as Json]))
    .map(shapeOf)
    .filter((s): s is (number | null)[] => s !== undefined);

/** Why tfjs's own CategoryEncoding cannot encode inputs of this shape (batch axis included) as Keras does. */
export function tfjsCategoryEncodingProblem(mode: string, shape: readonly (number | null)[]): string | undefined {
  if (shape.length > 2) {
    return `an input of rank ${shape.length} (shape ${JSON.stringify(shape)}) is not supported: TensorFlow.js's CategoryEncoding takes rank 1 or 2 only. ${USE_OURS}`;
  }
  if (mode === "oneHot" && shape.length === 2 && shape[1] !== 1) {
    return `output_mode "one_hot" on an input of shape ${JSON.stringify(shape)} is not supported: Keras gives one one-hot row per ` +
      `value (rank 3), which TensorFlow.js's CategoryEncoding cannot produce. ${USE_OURS}, or feed shape (batch,) or (batch, 1)`;
  }
  return undefined;
}

/** A refusal naming the layer, class, reason and what to do (`where` names the layer and class). */
const refusal = (where: string, reason: string, instead: string) => new Error(`${where} is not supported: ${reason}. ${instead}.`);

const KERAS_IMAGE_ADVICE = "Resize the images before the model (or keep the model in Python)";

/** Keras's data_format, which its layers always write (null would mean the keras.json default, channels_last). */
function dataFormatToTfjs(c: JsonObject, where: string): string {
  const f = c.data_format ?? "channels_last";
  if (f !== "channels_last" && f !== "channels_first") throw refusal(where, `data_format ${JSON.stringify(f)} is not "channels_last" or "channels_first"`, "Save the model again with one of them");
  return f;
}

function readResizing(c: JsonObject, where: string): JsonObject {
  const interpolation = c.interpolation ?? "bilinear";
  if (interpolation !== "bilinear" && interpolation !== "nearest") {
    throw refusal(where, `interpolation ${JSON.stringify(interpolation)} is not implemented: tslab-fit reproduces Keras's "bilinear" and "nearest" exactly, and no other method`, `Use "bilinear" or "nearest" in Python, or ${KERAS_IMAGE_ADVICE.toLowerCase()}`);
  }
  if (c.antialias === true) {
    throw refusal(where, "antialias=True is not implemented (only Keras's default antialias=False is reproduced)", "Set antialias=False in Python and save again, or resize the images before the model");
  }
  if ((c.fill_mode ?? "constant") !== "constant") throw refusal(where, `fill_mode ${JSON.stringify(c.fill_mode)} is not "constant", the only mode Keras implements`, "Use fill_mode=\"constant\"");
  if (c.crop_to_aspect_ratio === true && c.pad_to_aspect_ratio === true) throw refusal(where, "crop_to_aspect_ratio and pad_to_aspect_ratio are both true, which Keras refuses too", "Keep one of them");
  return {
    height: c.height, width: c.width, interpolation,
    crop_to_aspect_ratio: c.crop_to_aspect_ratio === true, pad_to_aspect_ratio: c.pad_to_aspect_ratio === true,
    fill_mode: "constant", fill_value: c.fill_value ?? 0, data_format: dataFormatToTfjs(c, where),
  };
}

export const PREPROCESSING_LAYERS: LayerMapping[] = [
  {
    keras: "CategoryEncoding",
    tfjs: "KerasCategoryEncoding",
    read: (c, w, _warn, _nested, entry) => {
      const keras = c.output_mode === "binary" ? "multi_hot" : String(c.output_mode ?? "multi_hot"); // "binary": Keras's old name
      const mode = TFJS_MODE[keras];
      if (!mode) throw refusal(w, `output_mode ${JSON.stringify(c.output_mode)} is not one of "multi_hot", "one_hot", "count"`, "Save the model with one of those modes");
      if (c.sparse === true) {
        throw refusal(w, "sparse=True gives sparse tensors, which TensorFlow.js does not have", "Save the model with sparse=False (the same values, dense)");
      }
      const shape = builtShape(entry);
      const problem = shape && categoryEncodingProblem(mode, shape);
      if (problem) throw refusal(w, problem, "Rebuild the model in Python that way and save again");
      return { num_tokens: c.num_tokens, output_mode: keras };
    },
    write: (c) => ({ num_tokens: c.num_tokens, output_mode: String(c.output_mode), sparse: false }),
    note: "tslab-fit's own layer (kerasCategoryEncoding): every output_mode on ids of any rank, as Keras ≥ 3.4 computes them; multi_hot/count on rank > 2 only where Keras's result has the shape it declares; sparse=True refused",
  },
  {
    keras: "CategoryEncoding",
    tfjs: "CategoryEncoding",
    write: (c, w, layer) => {
      const keras = String(c.output_mode ?? "multi_hot");
      if (!MODES.includes(keras)) throw new Error(`${w}: outputMode "${keras}" has no Keras 3 counterpart (Keras has "multi_hot", "one_hot", "count")`);
      for (const shape of callShapes(layer)) {
        const problem = tfjsCategoryEncodingProblem(TFJS_MODE[keras], shape);
        if (problem) throw new Error(`${w}: ${problem}`);
      }
      return { num_tokens: c.num_tokens, output_mode: keras, sparse: false };
    },
    note: "tfjs's own layer saves on inputs of rank 1 or 2, one_hot only on (batch) or (batch, 1); a Keras file loads as KerasCategoryEncoding. tfjs's predict() reshapes a rank-1 batch to (batch, 1): call such a model with model.apply",
  },
  {
    keras: "Resizing",
    tfjs: "KerasResizing",
    read: (c, w) => readResizing(c, w),
    // Keras ≥ 3.9 also writes `antialias`; it is left out (false, its default) because Keras 3.3–3.8 reject the key.
    write: (c) => ({
      height: c.height, width: c.width, interpolation: c.interpolation, crop_to_aspect_ratio: c.crop_to_aspect_ratio,
      pad_to_aspect_ratio: c.pad_to_aspect_ratio, fill_mode: "constant", fill_value: c.fill_value, data_format: c.data_format,
    }),
    note: "tslab-fit's own layer (kerasResizing), half-pixel centers as in Keras: bilinear and nearest, crop_to_aspect_ratio, pad_to_aspect_ratio, both data formats; bicubic, lanczos3/5, area and antialias=True refused",
  },
  {
    keras: "CenterCrop",
    tfjs: "KerasCenterCrop",
    read: (c, w) => ({ height: c.height, width: c.width, data_format: dataFormatToTfjs(c, w) }),
    write: (c) => ({ height: c.height, width: c.width, data_format: c.data_format }),
    note: "tslab-fit's own layer (kerasCenterCrop): Keras's exact center pixels, and its crop-and-resize when the image is smaller than the target",
  },
];
