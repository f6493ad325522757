import { Callback, type CallbackConfig } from "../fit/callback.js";

/**
 * A callback made of functions, for quick one-offs (Keras's LambdaCallback). Any hook may be given, including the
 * test hooks; tfjs's `onBatchBegin/onBatchEnd` names are accepted for the train-batch hooks.
 *
 * @example
 * new LambdaCallback({ onEpochEnd: (epoch, logs) => console.log(epoch, logs.loss) })
 */
export class LambdaCallback extends Callback {
  constructor(hooks: CallbackConfig) {
    super();
    if (typeof hooks !== "object" || hooks === null) throw new Error("LambdaCallback needs an object of hook functions");
    const aliases: Record<string, string> = { onBatchBegin: "onTrainBatchBegin", onBatchEnd: "onTrainBatchEnd" };
    for (const [name, fn] of Object.entries(hooks)) {
      const hook = aliases[name] ?? name;
      if (!(hook in Callback.prototype) || hook === "setModel" || hook === "setParams") {
        throw new Error(`LambdaCallback: unknown hook "${name}"; use onTrainBegin, onEpochEnd, onTrainBatchEnd, onTestEnd, …`);
      }
      if (typeof fn !== "function") throw new Error(`LambdaCallback: ${name} must be a function`);
      Object.defineProperty(this, hook, { value: fn });
    }
  }
}
