// Weight tensors as grayscale pictures for TensorBoard's Images tab, shaped the way Keras's TensorBoard callback
// does it: a bias becomes a 1×n strip, a dense kernel a matrix with its longer side horizontal, a conv kernel
// (after squeezing) one picture per output channel (at most 3, TensorBoard's default). Values are scaled to 0–255.
import * as tf from "@tensorflow/tfjs";
import { encodePng, floatsToGray } from "./png.js";
import type { EncodedImage } from "./writer.js";

const MAX_IMAGES = 3;

/** PNG pictures of a weight tensor, or `undefined` for shapes Keras does not draw either (rank 0, rank > 3). */
export async function weightImages(weight: tf.Tensor): Promise<EncodedImage[] | undefined> {
  const arranged = tf.tidy(() => {
    let w = weight.cast("float32");
    const dims = w.shape.filter((d) => d !== 1);
    w = w.reshape(dims.length > 0 ? dims : [1]);
    const s = () => w.shape as number[];
    if (w.rank === 1) return w.reshape([1, 1, s()[0]]);
    if (w.rank === 2) {
      if (s()[0] > s()[1]) w = w.transpose();
      return w.reshape([1, s()[0], s()[1]]);
    }
    if (w.rank === 3) {
      const [h, wd, c] = s();
      return w.transpose([2, 0, 1]).slice([0, 0, 0], [Math.min(c, MAX_IMAGES), h, wd]);
    }
    return undefined;
  });
  if (!arranged) return undefined;
  try {
    const [n, height, width] = arranged.shape;
    const values = await arranged.data();
    const images: EncodedImage[] = [];
    for (let i = 0; i < n; i++) {
      const pixels = floatsToGray(values.subarray(i * height * width, (i + 1) * height * width));
      images.push({ width, height, data: encodePng(width, height, 1, pixels) });
    }
    return images;
  } finally {
    arranged.dispose();
  }
}
