import assert from "node:assert/strict";
import { test } from "node:test";
import { chartSpec } from "../../src/display/history-spec.js";
import { renderSvg } from "../../src/display/render.js";
import { clearViewCache } from "../../src/display/view-cache.js";

function spec(scale: number) {
  const rows = [1, 2, 3].map((e) => ({ epoch: e, loss: scale / e, accuracy: 0.5 + e / (10 * scale), val_loss: (1.1 * scale) / e, val_accuracy: 0.4 + e / 11 }));
  return chartSpec({ rows, events: [] }, {});
}

test("a render that reuses a cached view draws exactly what a fresh render draws", async () => {
  clearViewCache();
  const first = (await renderSvg(spec(1))).svg;
  const reused = (await renderSvg(spec(3))).svg; // same shape, other data: served by the first render's view
  clearViewCache();
  const fresh = (await renderSvg(spec(3))).svg;
  assert.notEqual(first, fresh, "different data draws differently");
  assert.equal(reused, fresh);
  // And back: no data of the previous render lingers in the reused view.
  assert.equal((await renderSvg(spec(1))).svg, first);
});

test("concurrent renders of one shape each draw their own data", async () => {
  clearViewCache();
  const expected = [];
  for (const s of [1, 2, 4]) {
    clearViewCache();
    expected.push((await renderSvg(spec(s))).svg);
  }
  const got = await Promise.all([1, 2, 4].map((s) => renderSvg(spec(s)).then((r) => r.svg)));
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
