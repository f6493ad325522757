// The hparams plugin's messages (tensorboard/plugins/hparams/{plugin_data,api}.proto): a session start record with
// the trial's values, an optional experiment listing domains and metrics, and a session end record.
import { createHash } from "node:crypto";
import { DataType, type SummaryValueSpec } from "./messages.js";
import { ProtoWriter } from "./proto-writer.js";

export type HParamValue = number | string | boolean;

export const EXPERIMENT_TAG = "_hparams_/experiment";
export const SESSION_START_TAG = "_hparams_/session_start_info";
export const SESSION_END_TAG = "_hparams_/session_end_info";

export type SessionStatus = "unknown" | "success" | "failure" | "running";
const STATUS_CODE: Record<SessionStatus, number> = { unknown: 0, success: 1, failure: 2, running: 3 };

/** One hyperparameter's domain for the experiment summary. Give `values` (discrete) or `min`/`max` (interval). */
export interface HParamDomain {
  name: string;
  displayName?: string;
  description?: string;
  values?: HParamValue[];
  min?: number;
  max?: number;
}

/** A metric the hparams dashboard shows: a scalar tag, and the sub-run it lives in (e.g. "validation"). */
export interface HParamMetric {
  tag: string;
  group?: string;
  displayName?: string;
  description?: string;
}

function protoValue(v: HParamValue): ProtoWriter {
  // google.protobuf.Value: number_value = 2, string_value = 3, bool_value = 4. They form a oneof, so the member is
  // written even when it holds its default (0, "", false).
  const w = new ProtoWriter();
  if (typeof v === "number") return w.double(2, v, true);
  if (typeof v === "string") return w.bytesAlways(3, new TextEncoder().encode(v));
  if (typeof v === "boolean") return w.varint(4, v, true);
  throw new TypeError(`hparam values must be numbers, strings or booleans, got ${typeof v}`);
}

function pluginValue(tag: string, data: ProtoWriter): SummaryValueSpec {
  return {
    tag,
    // The null tensor (DT_FLOAT, shape [0]): a value without a tensor is never recorded by TensorBoard.
    tensor: { dtype: DataType.DT_FLOAT, shape: [0] },
    pluginName: "hparams",
    // HParamsPluginData{version = 0}: the version field stays at its default, so only the oneof member is written.
    pluginContent: data.finish(),
  };
}

/** TensorBoard's default trial id: a SHA-256 of the hparams with sorted keys. */
export function trialId(hparams: Record<string, HParamValue>): string {
  const sorted = Object.fromEntries(Object.keys(hparams).sort().map((k) => [k, hparams[k]]));
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex");
}

export function sessionStartValue(
  hparams: Record<string, HParamValue>,
  opts: { groupName?: string; startTimeSecs: number },
): SummaryValueSpec {
  const info = new ProtoWriter();
  for (const key of Object.keys(hparams).sort()) {
    info.message(1, new ProtoWriter().string(1, key).message(2, protoValue(hparams[key])));
  }
  info.string(4, opts.groupName ?? trialId(hparams)).double(5, opts.startTimeSecs);
  return pluginValue(SESSION_START_TAG, new ProtoWriter().message(3, info));
}

export function sessionEndValue(status: SessionStatus, endTimeSecs: number): SummaryValueSpec {
  const info = new ProtoWriter().varint(1, STATUS_CODE[status]).double(2, endTimeSecs);
  return pluginValue(SESSION_END_TAG, new ProtoWriter().message(4, info));
}

export function experimentValue(
  hparams: HParamDomain[],
  metrics: HParamMetric[],
  opts: { timeCreatedSecs: number; name?: string; description?: string; user?: string },
): SummaryValueSpec {
  const exp = new ProtoWriter().string(1, opts.description).string(2, opts.user).double(3, opts.timeCreatedSecs);
  for (const h of hparams) {
    const info = new ProtoWriter().string(1, h.name).string(2, h.displayName).string(3, h.description);
    if (h.values && h.values.length > 0) {
      const kinds = new Set(h.values.map((v) => typeof v));
      if (kinds.size !== 1) throw new TypeError(`hparam "${h.name}": discrete values must all have one type`);
      const kind = [...kinds][0];
      info.varint(4, kind === "string" ? 1 : kind === "boolean" ? 2 : 3);
      const list = new ProtoWriter();
      for (const v of h.values) list.message(1, protoValue(v));
      info.message(5, list);
    } else if (h.min !== undefined && h.max !== undefined) {
      info.varint(4, 3).message(6, new ProtoWriter().double(1, h.min).double(2, h.max));
    } else {
      throw new TypeError(`hparam "${h.name}" needs either "values" (a list) or both "min" and "max"`);
    }
    exp.message(4, info);
  }
  for (const m of metrics) {
    const name = new ProtoWriter().string(1, m.group).string(2, m.tag);
    const datasetType = m.group === "train" ? 1 : m.group === "validation" ? 2 : 0;
    exp.message(5, new ProtoWriter().message(1, name).string(3, m.displayName).string(4, m.description).varint(5, datasetType));
  }
  exp.string(6, opts.name);
  return pluginValue(EXPERIMENT_TAG, new ProtoWriter().message(2, exp));
}
