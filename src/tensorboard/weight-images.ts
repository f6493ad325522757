// Weight tensors as pictures for TensorBoard's Images tab, arranged exactly as Keras 3's TensorBoard callback
// arranges them (`_log_weight_as_image`): squeeze every size-1 dimension, then
//   rank 1 (a bias of n units)  → one image n pixels high, 1 wide;
//   rank 2 (a dense kernel)     → one image, the longer side horizontal;
//   rank 3 (a squeezed conv kernel [h, w, c]) → c grayscale images h×w, one per last-axis channel;
//   rank 4 [k, h, w, c] with c = 3 or 4 → k RGB / RGBA images h×w (TF's image summary reads the tensor as a batch);
// anything else (a single number, rank 4 with other channel counts, rank ≥ 5) gets no image, as in Keras.
// TF's image summary keeps the first 3 images (max_outputs). Values are scaled to 0–255 per image.
import * as tf from "@tensorflow/tfjs";
import { encodePng, floatsToGray } from "./png.js";
import type { EncodedImage } from "./writer.js";

const MAX_IMAGES = 3;

/** `[images, height, width, channels]` of the pictures Keras 3 draws for a weight of this shape, or undefined. */
export function weightImageShape(shape: readonly number[]): [number, number, number, number] | undefined {
  const s = shape.filter((d) => d !== 1);
  if (s.length === 1) return [1, s[0], 1, 1];
  if (s.length === 2) return [1, Math.min(s[0], s[1]), Math.max(s[0], s[1]), 1];
  if (s.length === 3) return [s[2], s[0], s[1], 1];
  if (s.length === 4 && (s[3] === 3 || s[3] === 4)) return [s[0], s[1], s[2], s[3]];
  return undefined;
}

/** PNG pictures of a weight tensor (at most 3), or `undefined` for shapes Keras does not draw either. */
export async function weightImages(weight: tf.Tensor): Promise<EncodedImage[] | undefined> {
  const target = weightImageShape(weight.shape);
  if (!target || weight.size === 0) return undefined;
  const [count, height, width, channels] = target;
  const n = Math.min(count, MAX_IMAGES);
  const arranged = tf.tidy(() => {
    let w = weight.cast("float32").reshape(weight.shape.filter((d) => d !== 1));
    if (w.rank === 2 && (w.shape[0] as number) > (w.shape[1] as number)) w = w.transpose();
    if (w.rank === 3) w = w.transpose([2, 0, 1]);
    return w.reshape([count, height, width, channels]).slice([0, 0, 0, 0], [n, height, width, channels]);
  });
  try {
    const values = await arranged.data();
    const size = height * width * channels;
    const images: EncodedImage[] = [];
    for (let i = 0; i < n; i++) {
      const pixels = floatsToGray(values.subarray(i * size, (i + 1) * size));
      images.push({ width, height, data: encodePng(width, height, channels as 1 | 3 | 4, pixels) });
    }
    return images;
  } finally {
    arranged.dispose();
  }
}
