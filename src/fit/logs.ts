import type * as tf from "@tensorflow/tfjs";

/**
 * Logs are what every hook receives: plain numbers keyed by Keras's names (`loss`, `accuracy`, `val_loss`, …).
 * Never tensors — callbacks may keep them, print them, or write them to disk after the step that made them.
 */
export type Logs = Record<string, number>;

/**
 * What `onPredictBatchEnd` receives: the batch's model outputs, as Keras's `logs["outputs"]` (one tensor, or one per
 * output). They stay valid until `predict` returns; `clone()` what you keep beyond that.
 */
export interface PredictLogs {
  outputs: tf.Tensor | tf.Tensor[];
}

/** What `callback.params` holds during a fit; Keras's `{verbose, epochs, steps}` plus what tfjs users know. */
export interface FitParams {
  epochs: number;
  /** Batches per epoch; `null` when unknown (a dataset without `batchesPerEpoch`). */
  steps: number | null;
  verbose: number;
  initialEpoch: number;
  batchSize: number | null;
  samples: number | null;
  doValidation: boolean;
  /** Every key the epoch logs may hold, e.g. `["loss", "accuracy", "val_loss", "val_accuracy"]`. */
  metrics: string[];
}

/**
 * tfjs names `metrics: ["accuracy"]` (and `["acc"]`) `acc`, and `"crossentropy"` `ce`. Keras keys follow the
 * user's string, so map tfjs's metric names back to what the user wrote in `compile`.
 */
export function kerasMetricNames(tfjsNames: string[], compiledMetrics: unknown): string[] {
  const userNames = userMetricStrings(compiledMetrics);
  return tfjsNames.map((name, i) => {
    if (i === 0 && name === "loss") return name;
    const bare = name.replace(/^val_/, "");
    const prefix = name.length === bare.length ? "" : "val_";
    return prefix + renameMetric(bare, userNames);
  });
}

function renameMetric(tfjsName: string, userNames: string[]): string {
  // Multi-output models prefix metric names with the output name; keep the prefix, rename the tail.
  const match = /^(.*?_)?(acc|ce)(_\d+)?$/.exec(tfjsName);
  if (!match) return tfjsName;
  const [, outputPrefix = "", short, dedupe = ""] = match;
  const wanted = short === "acc" ? ["accuracy", "acc"] : ["crossentropy", "ce"];
  const chosen = userNames.find((u) => wanted.includes(u)) ?? (short === "acc" ? "accuracy" : "crossentropy");
  return outputPrefix + chosen + dedupe;
}

function userMetricStrings(compiled: unknown): string[] {
  const out: string[] = [];
  const visit = (m: unknown) => {
    if (typeof m === "string") out.push(m);
    else if (Array.isArray(m)) m.forEach(visit);
    else if (m && typeof m === "object") Object.values(m).forEach(visit);
  };
  visit(compiled);
  return out;
}

/** Copy logs so a callback that mutates or keeps them cannot disturb the next one's view of the past. */
export function copyLogs(logs: Logs | undefined): Logs {
  return { ...(logs ?? {}) };
}
