import * as tf from "@tensorflow/tfjs";

/**
 * tfjs 4.22's CategoryEncoding.computeOutputShape writes num_tokens into the shape array it is given, which is its
 * input's own shape: the model's Input then claims (batch, num_tokens), so predict rejects real inputs and a saved
 * model records the wrong input shape. Patched once, on import, to work on a copy.
 */
type ShapeFn = (this: tf.layers.Layer, shape: tf.Shape | tf.Shape[]) => tf.Shape | tf.Shape[];
const cls = tf.serialization.SerializationMap.getMap().classNameMap.CategoryEncoding?.[0] as unknown as { prototype: { computeOutputShape: ShapeFn } } | undefined;
if (cls) {
  const original = cls.prototype.computeOutputShape;
  cls.prototype.computeOutputShape = function (shape) {
    const copy = Array.isArray(shape[0]) || shape[0] === undefined ? (shape as tf.Shape[]).map((s) => (Array.isArray(s) ? [...s] : s)) : [...(shape as tf.Shape)];
    return original.call(this, copy as tf.Shape);
  };
}
