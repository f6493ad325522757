import { formatValue } from "./history-spec.js";
import { bestRow, betterDirection, defaultMonitor } from "./metrics.js";
import type { HistoryRow } from "./types.js";

/**
 * The `text/plain` part of a chart output: the last few epochs as a small table plus a line about the best epoch,
 * so a front end without a chart renderer (or a terminal) still shows the numbers.
 */
export function summaryText(
  rows: HistoryRow[],
  options: { lastRows?: number; note?: string; keys?: string[] } = {},
): string {
  if (rows.length === 0) return options.note ?? "no epochs recorded yet";
  const keys = options.keys ?? orderedKeys(rows);
  const shown = rows.slice(-(options.lastRows ?? 3));
  const header = ["epoch", ...keys];
  const body = shown.map((r) => [String(r.epoch), ...keys.map((k) => (Number.isFinite(r[k]) ? formatValue(r[k]) : "-"))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
  const lines = [line(header), ...body.map(line)];
  const monitor = defaultMonitor(rows);
  const best = monitor ? bestRow(rows, monitor, betterDirection(monitor)) : undefined;
  if (monitor && best) lines.push(`best ${monitor} ${formatValue(best[monitor])} at epoch ${best.epoch} of ${rows.length}`);
  if (options.note) lines.push(options.note);
  return lines.join("\n");
}

/** Logs keys in reading order: train metrics, then their `val_` twins, then the rest (e.g. learning_rate). */
function orderedKeys(rows: HistoryRow[]): string[] {
  const keys = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) if (k !== "epoch") keys.add(k);
  const all = [...keys];
  const train = all.filter((k) => !k.startsWith("val_") && all.includes(`val_${k}`));
  const rest = all.filter((k) => !train.includes(k) && !train.some((t) => k === `val_${t}`));
  return [...train.flatMap((k) => [k, `val_${k}`]), ...rest];
}
