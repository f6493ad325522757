import { EVALUATION_CONFIG } from "./confusion-spec.js";
import { textWidth } from "./fonts.js";
import { VEGA_LITE_SCHEMA } from "./history-spec.js";
import type { LayerInfo, ModelGraph } from "./model-graph.js";
import type { VegaLiteSpec } from "./types.js";

const BOX_HEIGHT = 54;
const ROW_GAP = 34;
const COLUMN_GAP = 24;
const MERGES = new Set(["Concatenate", "Add", "Multiply", "Average", "Maximum", "Minimum", "Dot", "Subtract"]);
const FILL = { input: "#e8e8e8", merge: "#fde3c8", layer: "#dbe9f6" };
const STROKE = { input: "#8c8c8c", merge: "#e6a05a", layer: "#6d9ac4" };

interface Placed {
  layer: LayerInfo;
  x: number;
  y: number;
  width: number;
  kind: keyof typeof FILL;
}

/**
 * Lays the graph out top to bottom: one row per depth (longest path from an input, so a merge sits below every
 * branch it joins), rows centred, nodes ordered by where their sources are to keep edges from crossing.
 */
export function layoutGraph(g: ModelGraph): { nodes: Placed[]; width: number; height: number } {
  // An input feeding only a late merge (e.g. metadata joining image features) is drawn just above it, not at the
  // top where its arrow would run behind the other branch.
  const row = new Map(g.layers.map((l) => [l.name, l.depth]));
  for (const l of g.layers) {
    if (l.sources.length > 0) continue;
    const consumers = g.layers.filter((c) => c.sources.includes(l.name)).map((c) => c.depth);
    if (consumers.length > 0) row.set(l.name, Math.min(...consumers) - 1);
  }
  const byDepth = new Map<number, LayerInfo[]>();
  for (const l of g.layers) byDepth.set(row.get(l.name)!, [...(byDepth.get(row.get(l.name)!) ?? []), l]);
  const depths = [...byDepth.keys()].sort((a, b) => a - b);
  const placed = new Map<string, Placed>();
  const rows: Placed[][] = [];
  for (const d of depths) {
    const layers = byDepth.get(d)!;
    const centre = (l: LayerInfo) => {
      const xs = l.sources.map((s) => placed.get(s)).filter((p): p is Placed => p !== undefined).map((p) => p.x + p.width / 2);
      return xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
    };
    const ordered = d === 0 ? layers : [...layers].sort((a, b) => centre(a) - centre(b));
    const line = ordered.map((layer) => ({ layer, x: 0, y: rows.length * (BOX_HEIGHT + ROW_GAP), width: boxWidth(layer), kind: kindOf(layer) }));
    line.forEach((p) => placed.set(p.layer.name, p));
    rows.push(line);
  }
  const rowWidth = (r: Placed[]) => r.reduce((s, p) => s + p.width, 0) + COLUMN_GAP * (r.length - 1);
  const width = Math.max(...rows.map(rowWidth));
  for (const r of rows) {
    let x = (width - rowWidth(r)) / 2;
    for (const p of r) {
      p.x = x;
      x += p.width + COLUMN_GAP;
    }
  }
  return { nodes: rows.flat(), width, height: rows.length * (BOX_HEIGHT + ROW_GAP) - ROW_GAP };
}

/**
 * An arrow's path: straight between neighbouring rows; an arrow that skips rows (a residual connection) bends out
 * to the right of the boxes it passes, so it never runs hidden behind them.
 */
function edgePath(from: Placed, to: Placed, nodes: Placed[], spread: number): Array<[number, number]> {
  const start: [number, number] = [from.x + from.width / 2, from.y + BOX_HEIGHT];
  const end: [number, number] = [to.x + to.width / 2 + spread, to.y - 5];
  const between = nodes.filter((n) => n.y > from.y && n.y < to.y);
  if (between.length === 0) return [start, end];
  const side = Math.max(...between.map((n) => n.x + n.width)) + COLUMN_GAP / 2 + 4;
  const top = Math.min(...between.map((n) => n.y));
  const bottom = Math.max(...between.map((n) => n.y)) + BOX_HEIGHT;
  return [start, [side, top - ROW_GAP / 3], [side, bottom + ROW_GAP / 3], end];
}

function kindOf(l: LayerInfo): Placed["kind"] {
  return l.className === "InputLayer" ? "input" : MERGES.has(l.className) ? "merge" : "layer";
}

function boxLines(l: LayerInfo): [string, string] {
  const shapes = l.className === "InputLayer" ? `shape ${l.outputShape}` : `${l.inputShape} → ${l.outputShape}`;
  return [`${l.name} (${l.className})`, shapes];
}

function boxWidth(l: LayerInfo): number {
  const [title, shapes] = boxLines(l);
  return Math.ceil(Math.max(120, textWidth(title, 12) * 1.05, textWidth(shapes, 11)) + 24);
}

/**
 * Keras's `plot_model(show_shapes=True, show_layer_names=True)` drawn with Vega-Lite instead of Graphviz: a box per
 * layer with its name, class and input → output shapes, arrows along the data flow; branches side by side and
 * merges (Concatenate, Add, …) in orange below them, inputs in grey.
 */
export function modelSpec(g: ModelGraph, options: { title?: string } = {}): VegaLiteSpec {
  const { nodes, width, height } = layoutGraph(g);
  const at = new Map(nodes.map((n) => [n.layer.name, n]));
  const boxes = nodes.map((n) => {
    const [title, shapes] = boxLines(n.layer);
    return {
      name: n.layer.name,
      className: n.layer.className,
      params: n.layer.params,
      outputShape: n.layer.outputShape,
      x: n.x,
      x2: n.x + n.width,
      y: n.y,
      y2: n.y + BOX_HEIGHT,
      cx: n.x + n.width / 2,
      titleY: n.y + 19,
      shapesY: n.y + 38,
      title,
      shapes,
      kind: n.kind,
    };
  });
  const paths = nodes.flatMap((n) => {
    // Several arrows into one box arrive spread along its top edge, in the left-to-right order they come from.
    const incoming = [...new Set(n.layer.sources)].map((s) => edgePath(at.get(s)!, n, nodes, 0));
    const approach = (path: Array<[number, number]>) => path.at(-2)![0];
    const sorted = [...incoming].sort((a, b) => approach(a) - approach(b));
    const span = Math.min(n.width * 0.6, 40 * (incoming.length - 1));
    return sorted.map((path, i) => {
      const spread = incoming.length > 1 ? (i / (incoming.length - 1) - 0.5) * span : 0;
      const end = path.at(-1)!;
      return [...path.slice(0, -1), [end[0] + spread, end[1]] as [number, number]];
    });
  });
  const edgePoints = paths.flatMap((path, edge) => path.map(([x, y], order) => ({ edge, order, x, y })));
  const heads = paths.map((path) => ({ x: path.at(-1)![0], y: path.at(-1)![1] }));
  const right = Math.max(width, ...edgePoints.map((p) => p.x + 4));
  const px = (field: string) => ({ field, type: "quantitative", scale: null, axis: null });
  const kinds = Object.keys(FILL);
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...(options.title ? { title: { text: options.title } } : {}),
    width: right + 2,
    height: height + 2,
    layer: [
      {
        data: { values: edgePoints },
        mark: { type: "line", color: "#666", strokeWidth: 1.3, interpolate: "monotone" },
        encoding: { x: px("x"), y: px("y"), detail: { field: "edge", type: "nominal" }, order: { field: "order", type: "quantitative" } },
      },
      {
        data: { values: heads },
        mark: { type: "point", shape: "triangle-down", filled: true, size: 55, color: "#666", opacity: 1 },
        encoding: { x: px("x"), y: px("y") },
      },
      {
        data: { values: boxes },
        mark: { type: "rect", cornerRadius: 5, strokeWidth: 1.2 },
        encoding: {
          x: px("x"),
          x2: { field: "x2" },
          y: px("y"),
          y2: { field: "y2" },
          fill: { field: "kind", type: "nominal", scale: { domain: kinds, range: kinds.map((k) => FILL[k as keyof typeof FILL]) }, legend: null },
          stroke: { field: "kind", type: "nominal", scale: { domain: kinds, range: kinds.map((k) => STROKE[k as keyof typeof STROKE]) }, legend: null },
          tooltip: [
            { field: "name", type: "nominal", title: "layer" },
            { field: "className", type: "nominal", title: "class" },
            { field: "outputShape", type: "nominal", title: "output" },
            { field: "params", type: "quantitative", title: "params", format: "," },
          ],
        },
      },
      {
        data: { values: boxes },
        mark: { type: "text", fontSize: 12, fontWeight: "bold", baseline: "middle", color: "#1a1a1a" },
        encoding: { x: px("cx"), y: px("titleY"), text: { field: "title" } },
      },
      {
        data: { values: boxes },
        mark: { type: "text", fontSize: 11, baseline: "middle", color: "#444" },
        encoding: { x: px("cx"), y: px("shapesY"), text: { field: "shapes" } },
      },
    ],
    config: { ...EVALUATION_CONFIG, view: { stroke: null } },
  };
}

/** The diagram's text part: one line per layer with what feeds it. */
export function modelGraphText(g: ModelGraph): string {
  const lines = g.layers.map((l) => {
    const [title, shapes] = boxLines(l);
    return `${"  ".repeat(Math.min(l.depth, 12))}${title}  ${shapes}${l.sources.length > 1 ? `  ← ${l.sources.join(" + ")}` : ""}`;
  });
  return [`Model: "${g.name}"`, ...lines].join("\n");
}
