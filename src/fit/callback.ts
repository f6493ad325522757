import type * as tf from "@tensorflow/tfjs";
import type { FitParams, Logs, PredictLogs } from "./logs.js";

/** A hook may finish synchronously or return a promise; `fit` awaits it before the next hook runs. */
export type HookResult = void | Promise<void>;

/**
 * Base class of every callback, with Keras 3's hooks (camelCased) as no-ops.
 *
 * `fit` sets `model` and `params` before `onTrainBegin`. Logs are plain numbers with Keras's keys.
 * Batch logs are running means over the epoch so far; `onTrainEnd` gets the last epoch's logs.
 * The validation pass inside `fit` runs the test hooks (`onTestBegin`, `onTestBatchEnd`, …) without `val_` prefixes;
 * `evaluate` runs the test hooks and `predict` the predict hooks, without the train hooks (as Keras does).
 *
 * @example
 * class PrintLoss extends Callback {
 *   onEpochEnd(epoch: number, logs: Logs) { console.log(epoch, logs.loss); }
 * }
 */
export class Callback {
  model!: tf.LayersModel;
  params!: FitParams;
  /**
   * Notable moments of the current fit, shared by all its callbacks: EarlyStopping's stop, ModelCheckpoint's saves,
   * learning-rate changes. Charts read it to mark them. Set by `fit` before `onTrainBegin`.
   */
  events: TrainingEvent[] = [];

  setModel(model: tf.LayersModel): void {
    this.model = model;
  }
  setParams(params: FitParams): void {
    this.params = params;
  }

  onTrainBegin(_logs: Logs): HookResult {}
  onTrainEnd(_logs: Logs): HookResult {}
  onEpochBegin(_epoch: number, _logs: Logs): HookResult {}
  onEpochEnd(_epoch: number, _logs: Logs): HookResult {}
  onTrainBatchBegin(_batch: number, _logs: Logs): HookResult {}
  onTrainBatchEnd(_batch: number, _logs: Logs): HookResult {}
  onTestBegin(_logs: Logs): HookResult {}
  onTestEnd(_logs: Logs): HookResult {}
  onTestBatchBegin(_batch: number, _logs: Logs): HookResult {}
  onTestBatchEnd(_batch: number, _logs: Logs): HookResult {}
  /** `predict` hooks, as in Keras; `onPredictBatchEnd` gets the batch's outputs (`logs.outputs`). */
  onPredictBegin(_logs: Logs): HookResult {}
  onPredictEnd(_logs: Logs): HookResult {}
  onPredictBatchBegin(_batch: number, _logs: Logs): HookResult {}
  onPredictBatchEnd(_batch: number, _logs: PredictLogs): HookResult {}
  /**
   * Not a Keras hook: called instead of `onTrainEnd` when `fit` throws. As in Keras, `onTrainEnd` is skipped on an
   * error (so BackupAndRestore keeps its backup); this hook lets a callback still release what it holds — close
   * event files, flush a CSV, draw the final chart. The error is rethrown by `fit` afterwards.
   */
  onTrainFailure(_error: unknown): HookResult {}
}

/** Something a callback did that a chart or a report may want to mark. Epochs are 0-based. */
export interface TrainingEvent {
  kind: "early_stopping" | "checkpoint" | "learning_rate" | "restore_best_weights" | "terminate_on_nan" | "interrupted";
  epoch: number;
  message: string;
  /** For checkpoints: where the model went. */
  path?: string;
  /** For learning-rate changes: the new rate; for checkpoints: the monitored value. */
  value?: number;
}

/** The hook names, in the order Keras documents them. */
export const HOOK_NAMES = [
  "onTrainBegin",
  "onTrainEnd",
  "onEpochBegin",
  "onEpochEnd",
  "onTrainBatchBegin",
  "onTrainBatchEnd",
  "onTestBegin",
  "onTestEnd",
  "onTestBatchBegin",
  "onTestBatchEnd",
  "onPredictBegin",
  "onPredictEnd",
  "onPredictBatchBegin",
  "onPredictBatchEnd",
] as const;
export type HookName = (typeof HOOK_NAMES)[number];

/** A plain object with some hooks, as tfjs users write them: `{ onEpochEnd: (epoch, logs) => … }`. */
export type CallbackConfig = Partial<{
  onTrainBegin(logs: Logs): HookResult;
  onTrainEnd(logs: Logs): HookResult;
  onEpochBegin(epoch: number, logs: Logs): HookResult;
  onEpochEnd(epoch: number, logs: Logs): HookResult;
  onTrainBatchBegin(batch: number, logs: Logs): HookResult;
  onTrainBatchEnd(batch: number, logs: Logs): HookResult;
  /** tfjs's name for `onTrainBatchBegin`. */
  onBatchBegin(batch: number, logs: Logs): HookResult;
  /** tfjs's name for `onTrainBatchEnd`. */
  onBatchEnd(batch: number, logs: Logs): HookResult;
  onTestBegin(logs: Logs): HookResult;
  onTestEnd(logs: Logs): HookResult;
  onTestBatchBegin(batch: number, logs: Logs): HookResult;
  onTestBatchEnd(batch: number, logs: Logs): HookResult;
  onPredictBegin(logs: Logs): HookResult;
  onPredictEnd(logs: Logs): HookResult;
  onPredictBatchBegin(batch: number, logs: Logs): HookResult;
  onPredictBatchEnd(batch: number, logs: PredictLogs): HookResult;
  onTrainFailure(error: unknown): HookResult;
}>;
