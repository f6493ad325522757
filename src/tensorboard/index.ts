// TensorBoard event files written and read without TensorFlow, and Keras 3's TensorBoard callback.
export { TensorBoard } from "../callbacks/tensorboard.js";
export type { TensorBoardOptions } from "../callbacks/tensorboard.js";
export { SummaryWriter } from "./writer.js";
export type { SummaryWriterOptions, EncodedImage, RawImage } from "./writer.js";
export { readEventFile, readRuns, listRuns, EventFileCorruptError } from "./reader.js";
export type { TensorBoardLoader } from "./loader-rules.js";
export type {
  SummaryRecord,
  SummaryKind,
  EventFileContents,
  ReadOptions,
  ReadRunsOptions,
  ImageRecordValue,
  HParamsRecordValue,
  TensorRecordValue,
} from "./reader.js";
export { histogramBuckets } from "./histogram.js";
export type { HistogramBucket } from "./histogram.js";
export type { HParamValue, HParamDomain, HParamMetric, SessionStatus } from "./hparams.js";
export { plotRuns } from "./plot-runs.js";
export type { RunRow, PlotRunsOptions, PlotRunsResult } from "./plot-runs.js";
