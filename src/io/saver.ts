import type * as tf from "@tensorflow/tfjs";

export interface SaveOptions {
  /** Save only the weights (Keras's `save_weights_only`). */
  weightsOnly: boolean;
}

/**
 * The second half of a save whose model state was already copied out (see `ModelSaver.snapshot`): it serialises
 * the copy and writes it atomically. Training may change the model meanwhile. `pause`, when given, is awaited
 * between chunks of serialisation, so that the work can be interleaved with training.
 */
export type PendingWrite = (options?: { pause?: () => Promise<void> }) => Promise<void>;

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
  /**
   * Optional: copies what the save needs out of the model now (weights, optimizer state, config) and returns the
   * write still to do. Lets ModelCheckpoint write in the background while the next epoch trains. Savers without it
   * are saved in full when the checkpoint is taken.
   */
  snapshot?(model: tf.LayersModel, path: string, options: SaveOptions): Promise<PendingWrite>;
}

const savers: ModelSaver[] = [];

/** Add a saver; later registrations win over earlier ones for the paths they match. */
export function registerSaver(saver: ModelSaver): void {
  savers.unshift(saver);
}

export function findSaver(path: string): ModelSaver | undefined {
  return savers.find((s) => s.matches(path));
}
