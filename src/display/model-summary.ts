import { escapeHtml } from "./html.js";
import type { LayerInfo, ModelGraph } from "./model-graph.js";
import { CELL_STYLE, NUMBER_STYLE, TABLE_STYLE } from "./show-table.js";

/** Keras's memory notation for float32 weights: `50,890 (198.79 KB)`. */
export function paramsWithSize(n: number): string {
  const bytes = n * 4;
  const units = ["B", "KB", "MB", "GB", "TB"];
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit += 1;
  }
  return `${n.toLocaleString("en-US")} (${size.toFixed(2)} ${units[unit]})`;
}

interface Column {
  title: string;
  cells: (l: LayerInfo) => string[];
  numeric?: boolean;
}

function columns(g: ModelGraph): Column[] {
  const cols: Column[] = [
    { title: "Layer (type)", cells: (l) => [`${l.name} (${l.className})`] },
    { title: "Output Shape", cells: (l) => [l.outputShape] },
    { title: "Param #", cells: (l) => [l.params.toLocaleString("en-US")], numeric: true },
  ];
  if (!g.sequential) cols.push({ title: "Connected to", cells: (l) => (l.connectedTo.length > 0 ? l.connectedTo : ["-"]) });
  return cols;
}

const shownLayers = (g: ModelGraph) => (g.sequential ? g.layers.filter((l) => l.className !== "InputLayer") : g.layers);

function totalsLines(g: ModelGraph): string[] {
  return [
    `Total params: ${paramsWithSize(g.totals.params)}`,
    `Trainable params: ${paramsWithSize(g.totals.trainable)}`,
    `Non-trainable params: ${paramsWithSize(g.totals.nonTrainable)}`,
  ];
}

/** Keras 3's `model.summary()` as text, box-drawing table included. */
export function summaryTextTable(g: ModelGraph): string {
  const cols = columns(g);
  const layers = shownLayers(g);
  const cellLines = layers.map((l) => cols.map((c) => c.cells(l)));
  const widths = cols.map((c, i) => Math.max(c.title.length, ...cellLines.map((row) => Math.max(...row[i].map((s) => s.length)))));
  const pad = (s: string, i: number) => (cols[i].numeric ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  const rule = (left: string, fill: string, mid: string, right: string) => left + widths.map((w) => fill.repeat(w + 2)).join(mid) + right;
  const lines = [`Model: "${g.name}"`, rule("┏", "━", "┳", "┓"), `┃ ${cols.map((c, i) => pad(c.title, i)).join(" ┃ ")} ┃`, rule("┡", "━", "╇", "┩")];
  cellLines.forEach((row, r) => {
    const height = Math.max(...row.map((cell) => cell.length));
    for (let k = 0; k < height; k++) lines.push(`│ ${row.map((cell, i) => pad(cell[k] ?? "", i)).join(" │ ")} │`);
    if (r < cellLines.length - 1) lines.push(rule("├", "─", "┼", "┤"));
  });
  lines.push(rule("└", "─", "┴", "┘"));
  return [...lines, ...totalsLines(g).map((t) => ` ${t}`)].join("\n");
}

/** The same summary as an HTML table. */
export function summaryHtml(g: ModelGraph): string {
  const cols = columns(g);
  const head = cols.map((c) => `<th style="${c.numeric ? NUMBER_STYLE : CELL_STYLE};font-weight:bold">${c.title}</th>`).join("");
  const body = shownLayers(g)
    .map((l) => {
      const cells = cols.map((c) => {
        const [name, type] = c.title === "Layer (type)" ? [l.name, l.className] : [undefined, undefined];
        const content = name !== undefined ? `${escapeHtml(name)} <span style="opacity:0.65">(${escapeHtml(type!)})</span>` : c.cells(l).map(escapeHtml).join("<br>");
        return `<td style="${c.numeric ? NUMBER_STYLE : CELL_STYLE}">${content}</td>`;
      });
      return `<tr>${cells.join("")}</tr>`;
    })
    .join("");
  const totals = totalsLines(g)
    .map((t) => {
      const [label, value] = t.split(": ");
      return `<div><b>${escapeHtml(label)}:</b> ${escapeHtml(value)}</div>`;
    })
    .join("");
  return (
    `<div style="font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px">` +
    `<div style="margin:2px 0 4px"><b>Model:</b> "${escapeHtml(g.name)}"</div>` +
    `<table style="${TABLE_STYLE}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${totals}</div>`
  );
}
