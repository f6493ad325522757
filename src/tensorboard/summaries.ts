// Summary values in the TF2 form TensorBoard expects (tensorboard-format.md §3): a tensor plus plugin metadata on
// every value, data_class left unset.
import { checkBucketCount, type HistogramBucket } from "./histogram.js";
import { DataType, type SummaryValueSpec } from "./messages.js";

const utf8 = new TextEncoder();

/** A rank-0 DT_FLOAT tensor: the only scalar form TensorBoard's Rust loader shows (DT_DOUBLE is hidden). */
export function scalarValue(tag: string, value: number): SummaryValueSpec {
  if (typeof value !== "number") throw new TypeError(`scalar "${tag}" must be a number, got ${typeof value}`);
  return { tag, tensor: { dtype: DataType.DT_FLOAT, shape: [], floatVal: [value] }, pluginName: "scalars" };
}

/** A DT_DOUBLE [k, 3] tensor of [left, right, count] rows, plugin `histograms`. */
export function histogramValue(tag: string, buckets: HistogramBucket[]): SummaryValueSpec {
  checkBucketCount(buckets.length);
  const content = new Uint8Array(buckets.length * 24);
  const view = new DataView(content.buffer);
  buckets.forEach((b, i) => {
    view.setFloat64(i * 24, b.left, true);
    view.setFloat64(i * 24 + 8, b.right, true);
    view.setFloat64(i * 24 + 16, b.count, true);
  });
  return { tag, tensor: { dtype: DataType.DT_DOUBLE, shape: [buckets.length, 3], content }, pluginName: "histograms" };
}

/** A rank-1 DT_STRING tensor `[width, height, png0, png1, …]` (width first, ASCII decimals), plugin `images`. */
export function imageValue(tag: string, width: number, height: number, encodedImages: Uint8Array[]): SummaryValueSpec {
  const stringVal = [utf8.encode(String(width)), utf8.encode(String(height)), ...encodedImages];
  return { tag, tensor: { dtype: DataType.DT_STRING, shape: [stringVal.length], stringVal }, pluginName: "images" };
}

/** A rank-0 DT_STRING tensor, plugin `text`; TensorBoard renders it as markdown. */
export function textValue(tag: string, markdown: string): SummaryValueSpec {
  return {
    tag,
    tensor: { dtype: DataType.DT_STRING, shape: [], stringVal: [utf8.encode(markdown)] },
    pluginName: "text",
  };
}

/**
 * Keras's conceptual graph: tag `keras`, a rank-0 DT_STRING tensor holding the model JSON, plugin
 * `graph_keras_model` with content exactly "1" (the graphs plugin skips any other content).
 */
export function kerasGraphValue(modelJson: string): SummaryValueSpec {
  return {
    tag: "keras",
    tensor: { dtype: DataType.DT_STRING, shape: [], stringVal: [utf8.encode(modelJson)] },
    pluginName: "graph_keras_model",
    pluginContent: utf8.encode("1"),
  };
}
