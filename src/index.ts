// Public API of tslab-fit. Areas under construction re-export from their own index files.
export { Callback, HOOK_NAMES } from "./fit/callback.js";
export type { CallbackConfig, HookName, HookResult, TrainingEvent } from "./fit/callback.js";
export type { FitParams, Logs } from "./fit/logs.js";
export { getLearningRate, setLearningRate, getIterations } from "./fit/optimizer.js";
export { registerSaver, findSaver } from "./io/saver.js";
export type { ModelSaver, SaveOptions } from "./io/saver.js";
export * from "./tensorboard/index.js";
export * from "./display/index.js";
export * from "./io/keras/index.js";
