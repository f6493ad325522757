// Prints the generated Keras layer table of docs/keras.md, or with --write puts it between the markers there.
// Run: node --import tsx scripts/keras-layer-table.mts [--write]
import { readFileSync, writeFileSync } from "node:fs";
import { kerasLayerTable } from "../src/io/keras/layers/table.js";
import { replaceLayerTable } from "../src/io/keras/layers/table-doc.js";

const table = kerasLayerTable();
if (process.argv.includes("--write")) {
  const file = new URL("../docs/keras.md", import.meta.url);
  writeFileSync(file, replaceLayerTable(readFileSync(file, "utf8"), table));
} else {
  console.log(table);
}
