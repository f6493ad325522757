import * as tf from "@tensorflow/tfjs";
import { allLayerMappings, readerFor } from "./index.js";
import { REFUSED_KERAS, REFUSED_TFJS } from "./refused.js";

/**
 * The class → status table of docs/keras.md, generated from the registry and the refusal lists (a test fails when
 * the docs drift). Rows: every registered mapping, every tfjs-layers layer class, every refused Keras class.
 */

interface Row {
  keras: string;
  tfjs: string;
  read: boolean;
  write: boolean;
  notes: string[];
}

/** Every class tfjs-layers registers for deserialization that is a layer. */
export function tfjsLayerClasses(): string[] {
  const map = tf.serialization.SerializationMap.getMap().classNameMap as Record<string, [unknown, unknown]>;
  return Object.entries(map)
    .filter(([, [cls]]) => typeof cls === "function" && (cls as { prototype: unknown }).prototype instanceof tf.layers.Layer)
    .map(([name]) => name)
    .sort();
}

/** Handled by the model converters rather than a layer mapping. */
const MODEL_ROWS: Row[] = [
  { keras: "InputLayer", tfjs: "InputLayer", read: true, write: true, notes: [] },
  { keras: "Sequential", tfjs: "Sequential", read: true, write: true, notes: ["top level or nested in a Functional model"] },
  { keras: "Functional", tfjs: "Functional", read: true, write: true, notes: ["top level or nested; tfjs also calls it Model"] },
];

export function layerRows(): Row[] {
  const rows = new Map<string, Row>();
  const row = (keras: string, tfjs: string): Row => {
    const key = `${keras}|${tfjs}`;
    if (!rows.has(key)) rows.set(key, { keras, tfjs, read: false, write: false, notes: [] });
    return rows.get(key)!;
  };
  for (const r of MODEL_ROWS) rows.set(`${r.keras}|${r.tfjs}`, { ...r, notes: [...r.notes] });
  rows.set("Functional|Model", { keras: "Functional", tfjs: "Model", read: true, write: true, notes: ["same class as Functional"] });
  for (const m of allLayerMappings()) {
    const r = row(m.keras, m.tfjs);
    r.read ||= m.read !== undefined;
    r.write ||= m.write !== undefined;
    if (m.note) r.notes.push(m.note);
  }
  // A Keras ReLU reads as LeakyReLU or ThresholdedReLU when its options say so.
  row("ReLU", "ThresholdedReLU").read = true;
  const relu = row("ReLU", "LeakyReLU");
  relu.read = true;
  relu.notes.push("a Keras ReLU with only negative_slope set loads as tfjs LeakyReLU");
  // A Keras GRU reads as tslab-fit's GRUResetAfter unless reset_after is false.
  row("GRU", "GRUResetAfter").read = true;
  const covered = new Set([...rows.values()].map((r) => r.tfjs));
  const tfjsClasses = tfjsLayerClasses();
  for (const cls of tfjsClasses) {
    if (covered.has(cls)) continue;
    const refusal = REFUSED_KERAS[cls] ?? REFUSED_TFJS[cls];
    // A tfjs class refused on save whose Keras namesake loads (into another tfjs class) keeps the Keras name.
    row(REFUSED_KERAS[cls] || readerFor(cls) ? cls : "—", cls).notes.push(refusal ? `${refusal.reason}. ${refusal.instead}` : "no Keras 3 counterpart");
  }
  for (const [cls, refusal] of Object.entries(REFUSED_KERAS)) {
    if ([...rows.values()].some((r) => r.keras === cls)) continue;
    row(cls, "—").notes.push(`${refusal.reason}. ${refusal.instead}`);
  }
  return [...rows.values()].sort((a, b) => (a.keras === "—" ? "~" : a.keras).localeCompare(b.keras === "—" ? "~" : b.keras) || a.tfjs.localeCompare(b.tfjs));
}

function status(r: Row): string {
  if (r.read && r.write) return "load + save";
  if (r.read) return "load";
  if (r.write) return "save";
  return "refused";
}

/** The markdown table (without surrounding text). */
export function kerasLayerTable(): string {
  const lines = ["| Keras 3 class | TensorFlow.js class | Status | Notes |", "|---|---|---|---|"];
  for (const r of layerRows()) lines.push(`| ${r.keras} | ${r.tfjs} | ${status(r)} | ${r.notes.join("; ")} |`);
  return lines.join("\n");
}
