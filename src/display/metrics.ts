import { directionOf } from "../callbacks/monitor.js";
import type { HistoryRow } from "./types.js";

/** Keys that are schedules, not model quality; drawn only when asked for by name. */
const NOT_DRAWN_BY_DEFAULT = new Set(["learning_rate", "lr"]);

/** The base metric names (without `val_`) present in the rows, `loss` first, in first-seen order. */
export function baseMetrics(rows: HistoryRow[]): string[] {
  const seen: string[] = [];
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (key === "epoch") continue;
      const base = key.startsWith("val_") ? key.slice(4) : key;
      if (!seen.includes(base) && !NOT_DRAWN_BY_DEFAULT.has(base)) seen.push(base);
    }
  }
  return seen.sort((a, b) => (a === "loss" ? -1 : b === "loss" ? 1 : 0));
}

/** `"min"` or `"max"`: the direction that counts as better for a logs key; unknown names count as losses. */
export function betterDirection(key: string, mode: "auto" | "min" | "max" = "auto"): "min" | "max" {
  if (mode !== "auto") return mode;
  try {
    return directionOf(key);
  } catch {
    return "min";
  }
}

/** The default monitor: `val_loss` when any row has it, else `loss`, else the first key present. */
export function defaultMonitor(rows: HistoryRow[]): string | undefined {
  const has = (k: string) => rows.some((r) => Number.isFinite(r[k]));
  if (has("val_loss")) return "val_loss";
  if (has("loss")) return "loss";
  return rows.flatMap((r) => Object.keys(r)).find((k) => k !== "epoch");
}

/** The best row for `monitor` (first one on ties, as Keras keeps the first improvement), or undefined. */
export function bestRow(rows: HistoryRow[], monitor: string, direction: "min" | "max"): HistoryRow | undefined {
  let best: HistoryRow | undefined;
  for (const row of rows) {
    const v = row[monitor];
    if (!Number.isFinite(v)) continue;
    if (best === undefined || (direction === "min" ? v < best[monitor] : v > best[monitor])) best = row;
  }
  return best;
}

/** Whether a metric reads best on a fixed [0, 1] axis (accuracy-like, with every value inside it). */
export function isUnitInterval(metric: string, rows: HistoryRow[]): boolean {
  if (betterDirection(metric) !== "max") return false;
  const values = rows.flatMap((r) => [r[metric], r[`val_${metric}`]]).filter((v) => Number.isFinite(v));
  return values.length > 0 && values.every((v) => v >= 0 && v <= 1);
}
