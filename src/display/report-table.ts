import type { ClassificationReport } from "./classification.js";
import { escapeHtml } from "./html.js";
import { CELL_STYLE, NUMBER_STYLE, TABLE_STYLE } from "./show-table.js";

type Row = { name: string; precision?: number; recall?: number; f1: number; support: number; worst?: boolean };

function reportRows(r: ClassificationReport): { classes: Row[]; summary: Row[] } {
  const minF1 = Math.min(...r.classes.map((c) => c.f1));
  return {
    classes: r.classes.map((c) => ({ name: c.label, ...c, worst: r.classes.length > 2 && c.f1 === minF1 })),
    summary: [
      { name: "accuracy", f1: r.accuracy, support: r.support },
      { name: "macro avg", ...r.macroAvg },
      { name: "weighted avg", ...r.weightedAvg },
    ],
  };
}

/** scikit-learn's `classification_report` text layout, 2 decimals (4 with `digits`). */
export function reportText(r: ClassificationReport, digits = 2): string {
  const { classes, summary } = reportRows(r);
  const nameWidth = Math.max(12, ...classes.map((c) => c.name.length));
  const num = (v: number | undefined) => (v === undefined ? "" : v.toFixed(digits)).padStart(10);
  const line = (row: Row) => `${row.name.padStart(nameWidth)} ${num(row.precision)}${num(row.recall)}${num(row.f1)}${String(row.support).padStart(10)}`;
  const header = `${"".padStart(nameWidth)} ${"precision".padStart(10)}${"recall".padStart(10)}${"f1-score".padStart(10)}${"support".padStart(10)}`;
  return [header, "", ...classes.map(line), "", ...summary.map(line)].join("\n");
}

/** The report as an HTML table: one row per class (the lowest F1 highlighted), then accuracy and the averages. */
export function reportHtml(r: ClassificationReport, digits = 3): string {
  const { classes, summary } = reportRows(r);
  const cell = (v: number | undefined) => `<td style="${NUMBER_STYLE}">${v === undefined ? "" : v.toFixed(digits)}</td>`;
  const tr = (row: Row, extra = "") =>
    `<tr style="${extra}${row.worst ? "background:rgba(245,133,24,0.18);" : ""}"><td style="${CELL_STYLE}">${escapeHtml(row.name)}</td>` +
    `${cell(row.precision)}${cell(row.recall)}${cell(row.f1)}<td style="${NUMBER_STYLE}">${row.support}</td></tr>`;
  const head = ["class", "precision", "recall", "f1-score", "support"]
    .map((h, i) => `<th style="${i === 0 ? CELL_STYLE : NUMBER_STYLE};font-weight:bold">${h}</th>`)
    .join("");
  return (
    `<table style="${TABLE_STYLE}"><thead><tr>${head}</tr></thead><tbody>` +
    classes.map((c) => tr(c)).join("") +
    summary.map((s, i) => tr(s, i === 0 ? "border-top:2px solid rgba(127,127,127,0.6);" : "")).join("") +
    `</tbody></table>` +
    (classes.some((c) => c.worst) ? `<div style="font-size:11px;color:#888">highlighted: the class with the lowest F1</div>` : "")
  );
}
