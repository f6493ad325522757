import type { HistoryLike, HistoryRow } from "./types.js";

/**
 * Turns `history.history` (key → values) into one row per epoch, epochs 1-based as Keras prints them.
 * A key recorded on fewer epochs than `history.epoch` (validation every k epochs) is placed on the epochs Keras
 * validates on, `(i + 1) * k - 1`, when the lengths divide evenly; otherwise on the last epochs.
 */
export function historyRows(h: HistoryLike): HistoryRow[] {
  const epochs = h.epoch.length > 0 ? h.epoch : longestKeyEpochs(h.history);
  const rows: HistoryRow[] = epochs.map((e) => ({ epoch: e + 1 }) as HistoryRow);
  for (const [key, values] of Object.entries(h.history)) {
    if (key === "epoch" || !Array.isArray(values)) continue;
    const n = Math.min(values.length, rows.length);
    const stride = values.length > 0 && rows.length % values.length === 0 ? rows.length / values.length : 0;
    for (let i = 0; i < n; i++) {
      const at = stride > 0 ? (i + 1) * stride - 1 : rows.length - n + i;
      const v = values[values.length - n + i];
      if (typeof v === "number") rows[at][key] = v;
    }
  }
  return rows;
}

/** A history without `epoch` (built by hand): number epochs 0.. by its longest key. */
function longestKeyEpochs(history: Record<string, number[]>): number[] {
  const n = Math.max(0, ...Object.values(history).map((v) => (Array.isArray(v) ? v.length : 0)));
  return Array.from({ length: n }, (_, i) => i);
}

/** The last value of every key in the rows (the latest epoch that has it). */
export function lastValues(rows: HistoryRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const row of rows) for (const [k, v] of Object.entries(row)) if (k !== "epoch" && Number.isFinite(v)) out[k] = v;
  return out;
}
