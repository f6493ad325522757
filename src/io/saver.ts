import type * as tf from "@tensorflow/tfjs";

export interface SaveOptions {
  /** Save only the weights (Keras's `save_weights_only`). */
  weightsOnly: boolean;
}

/**
 * One way of writing a model to disk, chosen by the path. `fit`'s callbacks never write files themselves: they
 * call `saveModel`, which picks the saver whose `matches(path)` is true. Every saver must be atomic: write beside
 * the target, then rename, so that a crash never leaves a broken file where a good one was.
 */
export interface ModelSaver {
  /** A short name for messages, e.g. "TF.js layers folder" or "Keras 3 archive". */
  readonly format: string;
  matches(path: string): boolean;
  save(model: tf.LayersModel, path: string, options: SaveOptions): Promise<void>;
}

const savers: ModelSaver[] = [];

/** Add a saver; later registrations win over earlier ones for the paths they match. */
export function registerSaver(saver: ModelSaver): void {
  savers.unshift(saver);
}

export function findSaver(path: string): ModelSaver | undefined {
  return savers.find((s) => s.matches(path));
}
