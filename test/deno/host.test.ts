// The Deno host without the kernel: a stand-in `Deno.jupyter` records what tslab-fit sends (the real kernel is in
// kernel.test.ts). Checks the routing in src/display/notebook.ts and deno.ts.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { inNotebook, notebookHost, NotebookOutput, outputsDelivered } from "../../src/display/notebook.js";
import { plotHistory } from "../../src/display/plot.js";
import { ProgressBar } from "../../src/callbacks/progress-bar.js";
import "../../src/display/index.js"; // registers the notebook progress display, as importing tslab-fit does
import type { FitParams } from "../../src/fit/logs.js";

const VL = "application/vnd.vegalite.v5+json";
type Sent = { how: "broadcast" | "display"; type: string; content: any };

function installFakeDeno(options: { broadcast?: boolean; outsideKernel?: boolean; failing?: boolean } = {}): Sent[] {
  const sent: Sent[] = [];
  const jupyter: Record<string, unknown> = {
    display: async (obj: unknown, o: { raw: boolean; update: boolean; display_id: string }) => {
      sent.push({ how: "display", type: o.update ? "update_display_data" : "display_data", content: { data: obj, raw: o.raw, transient: { display_id: o.display_id } } });
    },
  };
  if (options.broadcast !== false) jupyter.broadcast = (type: string, content: unknown) => void sent.push({ how: "broadcast", type, content });
  if (options.failing) {
    jupyter.broadcast = () => {
      throw new Error("kernel is shutting down");
    };
  }
  const deno = {};
  Object.defineProperty(deno, "jupyter", {
    get() {
      // As in `deno run`: the namespace exists but reading it throws outside the kernel.
      if (options.outsideKernel) throw new Error("Deno.jupyter is only available in `deno jupyter` subcommand");
      return jupyter;
    },
  });
  (globalThis as Record<string, unknown>).Deno = deno;
  return sent;
}
afterEach(() => delete (globalThis as Record<string, unknown>).Deno);

test("Deno kernel detected; outside it (Deno.jupyter throws) and in plain Node it is not a notebook", () => {
  assert.equal(notebookHost(), undefined);
  installFakeDeno({ outsideKernel: true });
  assert.equal(inNotebook(), false);
  assert.equal(new NotebookOutput().show({ data: { "text/plain": "x" } }), false);
  installFakeDeno();
  assert.equal(notebookHost(), "deno");
  assert.equal(inNotebook(), true);
});

test("NotebookOutput under Deno: display_data then update_display_data with one display id and the PNG metadata", () => {
  const sent = installFakeDeno();
  const out = new NotebookOutput();
  assert.equal(out.show({ data: { "text/plain": "a", "image/png": "AAAA" }, metadata: { "image/png": { width: 10, height: 5 } } }), true);
  out.show({ data: { "text/plain": "b" } });
  assert.deepEqual(sent.map((s) => [s.how, s.type]), [["broadcast", "display_data"], ["broadcast", "update_display_data"]]);
  assert.deepEqual(sent.map((s) => s.content.transient.display_id), [out.displayId, out.displayId]);
  assert.deepEqual(sent[0].content.metadata, { "image/png": { width: 10, height: 5 } });
  assert.deepEqual(sent[1].content.metadata, {});
  assert.equal(out.lastRoute, "bundle");
});

test("without broadcast, Deno.jupyter.display(bundle, { raw: true, display_id, update }) carries the bundle", () => {
  const sent = installFakeDeno({ broadcast: false });
  const out = new NotebookOutput();
  out.show({ data: { [VL]: { mark: "point" }, "text/plain": "t" } });
  out.show({ data: { [VL]: { mark: "line" }, "text/plain": "t" } });
  assert.deepEqual(sent.map((s) => [s.how, s.type, s.content.raw]), [["display", "display_data", true], ["display", "update_display_data", true]]);
  assert.deepEqual(sent[1].content.data[VL], { mark: "line" });
  assert.equal(sent[0].content.transient.display_id, sent[1].content.transient.display_id);
});

test("plotHistory under Deno: one bundle with the spec, a PNG with its size, and text; no file", async () => {
  const sent = installFakeDeno();
  const logged: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void logged.push(a.join(" "));
  try {
    await plotHistory({ history: { loss: [1, 0.5, 0.4], val_loss: [1.2, 0.7, 0.6] }, epoch: [0, 1, 2] });
  } finally {
    console.log = log;
  }
  assert.equal(sent.length, 1);
  assert.equal(sent[0].type, "display_data");
  assert.deepEqual(Object.keys(sent[0].content.data).sort(), [VL, "image/png", "text/plain"]);
  assert.ok(sent[0].content.metadata["image/png"].width > 0);
  assert.deepEqual(logged, [], "nothing written to a file");
});

test("ProgressBar under Deno draws one in-place display, not terminal lines", () => {
  const sent = installFakeDeno();
  const written: string[] = [];
  const bar = new ProgressBar({ stream: { write: (s: string) => written.push(s) } });
  const params: FitParams = { epochs: 1, steps: 2, verbose: 1, initialEpoch: 0, batchSize: 4, samples: 8, doValidation: false, metrics: ["loss"] };
  bar.setParams(params);
  bar.onTrainBegin();
  bar.onEpochBegin(0);
  bar.onTrainBatchEnd(0, { loss: 1 });
  bar.onTrainBatchEnd(1, { loss: 0.5 });
  bar.onEpochEnd(0, { loss: 0.5 });
  bar.onTrainEnd();
  assert.deepEqual(written, []);
  assert.ok(sent.length >= 2);
  assert.equal(new Set(sent.map((s) => s.content.transient.display_id)).size, 1);
  assert.ok(sent.every((s) => "text/html" in s.content.data));
  assert.match(sent.at(-1)!.content.data["text/plain"], /Epoch 1\/1/);
});

test("a send Deno's kernel refuses is reported, and plotHistory falls back to a file instead of failing", async () => {
  installFakeDeno({ failing: true });
  const logged: string[] = [];
  const { log, warn } = console;
  console.log = console.warn = (...a: unknown[]) => void logged.push(a.join(" "));
  try {
    assert.equal(new NotebookOutput().show({ data: { "text/plain": "x" } }), false);
    await plotHistory({ history: { loss: [1, 0.5] }, epoch: [0, 1] });
  } finally {
    Object.assign(console, { log, warn });
  }
  assert.match(logged[0], /Deno's kernel refused a notebook output: Error: kernel is shutting down/);
  assert.ok(logged.some((l) => /chart written to .*\.png/.test(l)), logged.join("\n"));
});

test("after a send, awaited display calls wait for Deno's kernel to publish it (its queue may lag the cell's end)", async () => {
  installFakeDeno();
  await new Promise((r) => setTimeout(r, 250)); // past any send of an earlier test
  let t0 = performance.now();
  await outputsDelivered();
  assert.ok(performance.now() - t0 < 150, "nothing sent recently: no wait");
  new NotebookOutput().show({ data: { "text/plain": "x" } });
  t0 = performance.now();
  await outputsDelivered();
  assert.ok(performance.now() - t0 >= 150, `waited ${performance.now() - t0} ms after a send`);
  delete (globalThis as Record<string, unknown>).Deno;
  t0 = performance.now();
  new NotebookOutput().show({ data: { "text/plain": "x" } });
  await outputsDelivered();
  assert.ok(performance.now() - t0 < 150, "no wait outside Deno");
});
