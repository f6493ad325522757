// Public API of tslab-fit: fit → CallbackList → callbacks → sinks (display, event files, model files).
export { fit, fitDataset } from "./fit/fit.js";
export type { FitOptions, FitDatasetOptions, CommonFitOptions, Tensors } from "./fit/fit.js";
export { Callback, HOOK_NAMES } from "./fit/callback.js";
export type { CallbackConfig, HookName, HookResult, TrainingEvent } from "./fit/callback.js";
export { CallbackList } from "./fit/callback-list.js";
export { CallbackError } from "./fit/callback-error.js";
export type { FitParams, Logs } from "./fit/logs.js";
export { getLearningRate, setLearningRate, getIterations } from "./fit/optimizer.js";
export { formatPath } from "./fit/format-path.js";

export { History } from "./callbacks/history.js";
export { MonitorCallback } from "./callbacks/monitor.js";
export type { MonitorMode } from "./callbacks/monitor.js";
export { EarlyStopping } from "./callbacks/early-stopping.js";
export type { EarlyStoppingOptions } from "./callbacks/early-stopping.js";
export { ModelCheckpoint } from "./callbacks/model-checkpoint.js";
export type { ModelCheckpointOptions } from "./callbacks/model-checkpoint.js";
export { ReduceLROnPlateau } from "./callbacks/reduce-lr-on-plateau.js";
export type { ReduceLROnPlateauOptions } from "./callbacks/reduce-lr-on-plateau.js";
export { LearningRateScheduler } from "./callbacks/learning-rate-scheduler.js";
export type { Schedule } from "./callbacks/learning-rate-scheduler.js";
export { CSVLogger } from "./callbacks/csv-logger.js";
export type { CSVLoggerOptions } from "./callbacks/csv-logger.js";
export { TerminateOnNaN } from "./callbacks/terminate-on-nan.js";
export { LambdaCallback } from "./callbacks/lambda-callback.js";
export { BackupAndRestore } from "./callbacks/backup-and-restore.js";
export type { BackupAndRestoreOptions } from "./callbacks/backup-and-restore.js";
export { ProgressBar, setNotebookProgressSink } from "./callbacks/progress-bar.js";
export type { ProgressBarOptions, ProgressSink, ProgressState } from "./callbacks/progress-bar.js";

export { saveModel } from "./io/save-model.js";
export { registerSaver, findSaver } from "./io/saver.js";
export type { ModelSaver, SaveOptions } from "./io/saver.js";
export { loadLayersWeights } from "./io/tfjs-layers-saver.js";
export { loadMnist } from "./data/mnist.js";
export type { MnistData, MnistOptions } from "./data/mnist.js";
export { useBestBackend } from "./backend.js";

export * from "./tensorboard/index.js";
export * from "./display/index.js";
export * from "./io/keras/index.js";
export * from "./layers/index.js";
export * from "./optimizers/index.js";
