import { Callback } from "../fit/callback.js";
import type { Logs } from "../fit/logs.js";
import { getLearningRate, setLearningRate } from "../fit/optimizer.js";
import { checkVerbose } from "./options.js";

/** `(epoch, currentLr) => newLr`; epochs are 0-based. */
export type Schedule = (epoch: number, learningRate: number) => number;

/**
 * Sets the learning rate at the start of every epoch from `schedule(epoch, lr)` and writes it to
 * `logs.learning_rate` at the end (Keras 3 semantics). Works for every tfjs optimizer.
 *
 * @example
 * new LearningRateScheduler((epoch, lr) => (epoch < 5 ? lr : lr * Math.exp(-0.1)))
 */
export class LearningRateScheduler extends Callback {
  constructor(readonly schedule: Schedule, readonly verbose = 0) {
    super();
    if (typeof schedule !== "function") throw new TypeError("schedule must be a function (epoch, learningRate) => number");
    checkVerbose("verbose", verbose);
  }

  override onEpochBegin(epoch: number): void {
    const current = getLearningRate(this.model.optimizer);
    if (current === undefined) throw new Error(`LearningRateScheduler: the optimizer ${this.model.optimizer.getClassName()} has no learning rate`);
    const next = this.schedule(epoch, current);
    if (typeof next !== "number" || !Number.isFinite(next)) {
      throw new RangeError(`schedule must return a finite number; at epoch ${epoch} it returned ${String(next)}`);
    }
    setLearningRate(this.model.optimizer, next);
    if (next !== current) this.events.push({ kind: "learning_rate", epoch, value: next, message: `learning rate → ${next}` });
    if (this.verbose > 0) console.log(`Epoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${next}.`);
  }

  override onEpochEnd(_epoch: number, logs: Logs): void {
    const lr = getLearningRate(this.model.optimizer);
    if (lr !== undefined) logs.learning_rate = lr;
  }
}
