/** Where the generated layer table sits in docs/keras.md. */
export const TABLE_START = "<!-- keras-layer-table:start -->";
export const TABLE_END = "<!-- keras-layer-table:end -->";

/** The table currently between the markers, or undefined when the markers are missing. */
export function documentedLayerTable(doc: string): string | undefined {
  const a = doc.indexOf(TABLE_START);
  const b = doc.indexOf(TABLE_END);
  if (a < 0 || b < a) return undefined;
  return doc.slice(a + TABLE_START.length, b).trim();
}

/** The document with `table` between the markers. */
export function replaceLayerTable(doc: string, table: string): string {
  const a = doc.indexOf(TABLE_START);
  const b = doc.indexOf(TABLE_END);
  if (a < 0 || b < a) throw new Error(`docs/keras.md has no ${TABLE_START} … ${TABLE_END} markers`);
  return `${doc.slice(0, a + TABLE_START.length)}\n${table}\n${doc.slice(b)}`;
}
