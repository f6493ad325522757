import { Callback } from "../fit/callback.js";
import type { Logs } from "../fit/logs.js";
import { checkBoolean, checkOptionKeys, checkOptionsObject } from "./options.js";

/**
 * Stops training when the loss becomes NaN or infinite (checked after every batch). With `raiseError`, throws
 * instead — then, as in Keras, other callbacks' `onTrainEnd` does not run.
 *
 * @example
 * new TerminateOnNaN()
 */
export class TerminateOnNaN extends Callback {
  private epoch = 0;

  constructor(readonly options: { raiseError?: boolean } = {}) {
    super();
    checkOptionKeys("TerminateOnNaN", checkOptionsObject("TerminateOnNaN", options, "{ raiseError: true }"), ["raiseError"]);
    checkBoolean("raiseError", options.raiseError, false);
  }

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  override onTrainBatchEnd(batch: number, logs: Logs): void {
    const loss = logs.loss;
    if (loss === undefined || Number.isFinite(loss)) return;
    if (this.options.raiseError) throw new Error(`Loss is ${loss} on batch ${batch}. Training terminated.`);
    console.log(`Batch ${batch}: Invalid loss, terminating training`);
    this.model.stopTraining = true;
    this.events.push({ kind: "terminate_on_nan", epoch: this.epoch, message: `invalid loss at batch ${batch}` });
  }
}
