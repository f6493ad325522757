import { inNotebook, NotebookOutput } from "./notebook.js";

/**
 * Shows a table (a model summary, a classification report): HTML for notebook front ends plus the same table as
 * text for terminals and static viewers, as one output. Outside a notebook the text is printed, as Keras prints
 * `model.summary()`.
 */
export function showTable(html: string, text: string): void {
  if (inNotebook() && new NotebookOutput().show({ data: { "text/html": html, "text/plain": text } })) return;
  console.log(text);
}

/** Shared table style: compact, right-aligned numbers, readable in light and dark themes. */
export const TABLE_STYLE =
  "border-collapse:collapse;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;margin:4px 0";
export const CELL_STYLE = "padding:3px 10px;border-bottom:1px solid rgba(127,127,127,0.3);text-align:left;vertical-align:top";
export const NUMBER_STYLE = CELL_STYLE.replace("text-align:left", "text-align:right");
