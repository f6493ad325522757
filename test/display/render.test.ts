import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { historySpec } from "../../src/display/history-spec.js";
import { renderChart, renderSvg } from "../../src/display/render.js";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

const history = {
  history: {
    loss: [1.3, 0.9, 0.7, 0.6, 0.55],
    val_loss: [1.4, 1.0, 0.8, 0.82, 0.9],
    accuracy: [0.6, 0.72, 0.8, 0.84, 0.86],
    val_accuracy: [0.58, 0.7, 0.77, 0.78, 0.78],
  },
  epoch: [0, 1, 2, 3, 4],
  events: [
    { kind: "checkpoint" as const, epoch: 2, message: "saved", path: "best.keras" },
    { kind: "early_stopping" as const, epoch: 4, message: "Epoch 5: early stopping" },
  ],
};

test("renders SVG with axes, legend, lines and the event marks", async () => {
  const { svg, width, height } = await renderSvg(historySpec(history));
  assert.ok(width > 400 && height > 300, `${width}x${height}`);
  for (const text of ["loss", "accuracy", "train", "validation", "epoch", "best", "stop"]) {
    assert.ok(svg.includes(`>${text}<`), `SVG lacks the text ${text}`);
  }
  assert.ok((svg.match(/<path/g) ?? []).length > 20, "line and point marks are paths");
  assert.ok(svg.includes('stroke="#e45756"'), "early-stop rule drawn in red");
});

test("renders a 2x PNG with the logical size reported; sample files kept for a look", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tslab-fit-render-"));
  const chart = await renderChart(historySpec(history, { logScale: true, title: "sample" }));
  assert.deepEqual([...chart.png.subarray(0, 8)], PNG_SIGNATURE);
  const px = pngSize(chart.png);
  assert.equal(px.width, chart.width * 2);
  assert.ok(Math.abs(px.height - chart.height * 2) <= 1);
  assert.ok(chart.png.length > 10_000, "a real chart, not a blank image");
  writeFileSync(join(dir, "history.png"), chart.png);
  writeFileSync(join(dir, "history.svg"), chart.svg);
});
