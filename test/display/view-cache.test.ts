import assert from "node:assert/strict";
import { test } from "node:test";
import { chartSpec } from "../../src/display/history-spec.js";
import { renderChart, renderSvg, svgToPng } from "../../src/display/render.js";
import { clearViewCache } from "../../src/display/view-cache.js";

function spec(scale: number) {
  const rows = [1, 2, 3].map((e) => ({ epoch: e, loss: scale / e, accuracy: 0.5 + e / (10 * scale), val_loss: (1.1 * scale) / e, val_accuracy: 0.4 + e / 11 }));
  return chartSpec({ rows, events: [] }, {});
}

// A kept view may list an axis's ticks in another order in the SVG after a data change: same drawing, so the
// comparisons are of the rendered pixels (resvg's PNGs).
const png = async (svg: string) => Buffer.from((await svgToPng(svg)).png).toString("base64");

test("a render that reuses a cached view draws exactly what a fresh render draws", async () => {
  clearViewCache();
  const first = (await renderChart(spec(1))).png;
  const reused = (await renderChart(spec(3))).png; // same shape, other data: served by the first render's view
  clearViewCache();
  const fresh = (await renderChart(spec(3))).png;
  assert.notDeepEqual(first, fresh, "different data draws differently");
  assert.deepEqual(reused, fresh);
  // And back: no data of the previous render lingers in the reused view.
  assert.deepEqual((await renderChart(spec(1))).png, first);
});

test("the cached path draws what vega draws from the spec as it is (title and all)", async () => {
  const { compileSpec } = await import("../../src/display/render.js");
  const { loadVega } = await import("../../src/display/vega-loader.js");
  const { textWidth } = await import("../../src/display/fonts.js");
  const vega = await loadVega();
  const s = spec(2);
  const view = new vega.View(vega.parse((await compileSpec(s)).vega), { renderer: "none" });
  const estimate = vega.textMetrics.width;
  vega.textMetrics.width = (item, text) => textWidth(String(text ?? ""), item.fontSize ?? 11);
  let plain: string;
  try {
    plain = await view.toSVG();
  } finally {
    vega.textMetrics.width = estimate;
    view.finalize();
  }
  clearViewCache();
  await renderSvg(spec(5)); // another title and data, same shape
  assert.equal(await png((await renderSvg(s)).svg), await png(plain));
  assert.match(plain, /best epoch/);
});

test("concurrent renders of one shape each draw their own data", async () => {
  clearViewCache();
  const expected = [];
  for (const s of [1, 2, 4]) {
    clearViewCache();
    expected.push(await png((await renderSvg(spec(s))).svg));
  }
  const got = await Promise.all([1, 2, 4].map((s) => renderSvg(spec(s)).then((r) => png(r.svg))));
  assert.deepEqual(got, expected);
});

test("the caller's spec is not changed by a cached render", async () => {
  clearViewCache();
  await renderSvg(spec(1));
  const s = spec(2);
  const before = JSON.stringify(s);
  await renderSvg(s);
  assert.equal(JSON.stringify(s), before);
});

/** What vega draws from `s` itself, with no kept view and no parameters (the reference). */
async function plainSvg(s: object): Promise<string> {
  const { compileSpec } = await import("../../src/display/render.js");
  const { loadVega } = await import("../../src/display/vega-loader.js");
  const { textWidth } = await import("../../src/display/fonts.js");
  const vega = await loadVega();
  const view = new vega.View(vega.parse((await compileSpec(s)).vega), { renderer: "none" });
  const estimate = vega.textMetrics.width;
  vega.textMetrics.width = (item, text) => textWidth(String(text ?? ""), item.fontSize ?? 11, Number(item.fontWeight) >= 600 || item.fontWeight === "bold");
  try {
    return await view.toSVG();
  } finally {
    vega.textMetrics.width = estimate;
    view.finalize();
  }
}

test("charts of other epoch counts (ticks, pinned live domain) share one view and draw what vega draws from each spec", async () => {
  const { LiveChart } = await import("../../src/display/live-chart.js");
  const { keptViews } = await import("../../src/display/view-cache.js");
  const history = (epochs: number) => {
    const rows = Array.from({ length: epochs }, (_, i) => ({ epoch: i + 1, loss: 1 / (i + 1), val_loss: 1.2 / (i + 1) }));
    return chartSpec({ rows, events: [] }, {});
  };
  const live = async (done: number, planned: number) => {
    const chart = new LiveChart();
    await chart.begin({ epochs: planned, metrics: ["loss", "val_loss"] });
    for (let e = 0; e < done; e++) await chart.epochEnd(e, { loss: 1 / (e + 1), val_loss: 1.3 / (e + 1) });
    return chart.spec(true);
  };
  for (const [name, make, counts] of [
    ["final", history, [3, 7, 12]],
    ["live", (n: number) => live(n, n + 4), [2, 5, 9]],
  ] as const) {
    clearViewCache();
    for (const n of counts) {
      const s = await make(n);
      assert.equal(await png((await renderSvg(s)).svg), await png(await plainSvg(s)), `${name} chart, ${n} epochs`);
    }
    assert.equal(keptViews(), 1, `${name}: one view for every epoch count`);
  }
});
