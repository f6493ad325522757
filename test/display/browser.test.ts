import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, test } from "node:test";
import { chartsPage, historyToHTML, runsToHTML } from "../../src/display/html.js";
import { LiveChart } from "../../src/display/live-chart.js";
import { tempDir } from "../helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not installed (apt-get install chromium)`;

// Only the bits of playwright-core used here, so the test type-checks without its types in scope.
interface Page {
  on(event: string, cb: (arg: any) => void): void;
  mouse: { move(x: number, y: number, options?: { steps?: number }): Promise<void> };
  waitForTimeout(ms: number): Promise<void>;
  goto(url: string): Promise<unknown>;
  evaluate<T>(fn: () => T | Promise<T>): Promise<T>;
  screenshot(options: { path: string; fullPage: boolean }): Promise<unknown>;
  close(): Promise<void>;
}
interface Context {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

let context: Context | undefined;
const dir = tempDir("tslab-fit-browser-");

before(async () => {
  if (skip) return;
  const { chromium } = (await import("playwright-core")) as any;
  context = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 900, height: 1200 },
  });
});
after(async () => context?.close());

const history = {
  history: {
    loss: [1.2, 0.8, 0.6, 0.5, 0.45, 0.42],
    val_loss: [1.3, 0.9, 0.7, 0.72, 0.75, 0.8],
    accuracy: [0.6, 0.72, 0.8, 0.84, 0.86, 0.87],
    val_accuracy: [0.55, 0.7, 0.77, 0.77, 0.76, 0.75],
  },
  epoch: [0, 1, 2, 3, 4, 5],
  events: [
    { kind: "checkpoint" as const, epoch: 0, message: "saved", path: "best.keras" },
    { kind: "checkpoint" as const, epoch: 2, message: "saved", path: "best.keras" },
    { kind: "early_stopping" as const, epoch: 5, message: "Epoch 6: early stopping" },
  ],
};

interface PageReport {
  charts: number;
  paths: number;
  symbols: number;
  texts: string[];
  errors: string[];
  requests: string[];
}

/** Opens a file, waits for every chart, and reports marks, texts, console errors and non-file requests. */
async function open(file: string, shot: string, hover = false): Promise<PageReport & { tooltip?: string }> {
  const page = await context!.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => (m.type() === "error" || m.type() === "warning") && errors.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (r) => !r.url().startsWith("file:") && requests.push(r.url()));
  await page.goto(pathToFileURL(file).href);
  const found = await page.evaluate(async () => {
    await (window as any).tslabFitReady;
    const svgs = [...document.querySelectorAll(".chart svg.marks")];
    return {
      charts: svgs.length,
      paths: svgs.reduce((n, s) => n + s.querySelectorAll("path").length, 0),
      // Point marks and legend symbols are Vega "symbol" marks.
      symbols: svgs.reduce((n, s) => n + s.querySelectorAll(".mark-symbol path").length, 0),
      texts: [...document.querySelectorAll(".chart svg.marks text")].map((t) => t.textContent ?? ""),
    };
  });
  let tooltip: string | undefined;
  if (hover) {
    // Hover the third point of the first panel: vega-embed's tooltip handler shows its fields.
    const at = await page.evaluate(() => {
      const points = [...document.querySelectorAll(".chart svg.marks .mark-symbol.role-mark path")];
      const box = points[2]?.getBoundingClientRect();
      return box ? { x: box.x + box.width / 2, y: box.y + box.height / 2 } : undefined;
    });
    if (at) {
      await page.mouse.move(at.x - 30, at.y - 30);
      await page.mouse.move(at.x, at.y, { steps: 5 });
      await page.waitForTimeout(300);
      tooltip = await page.evaluate(() => {
        const el = document.getElementById("vg-tooltip-element");
        return el && el.classList.contains("visible") ? el.textContent ?? "" : undefined;
      });
    }
  }
  await page.screenshot({ path: join(dir, shot), fullPage: true });
  await page.close();
  return { ...found, errors, requests, tooltip };
}

test("exported history HTML renders offline in Chromium: marks, legend, no console errors", { skip }, async () => {
  const file = await historyToHTML(history, join(dir, "history.html"), { title: "Run A" });
  const r = await open(file, "history.png", true);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.requests, [], "no network: libraries are inlined");
  assert.equal(r.charts, 1);
  assert.ok(r.symbols >= 24, `${r.symbols} point symbols (2 panels × 2 series × 6 epochs)`);
  assert.ok(r.paths > 40, `${r.paths} paths`);
  for (const t of ["loss", "accuracy", "train", "validation", "best", "stop"]) assert.ok(r.texts.includes(t), `text ${t}`);
  assert.ok(r.tooltip, "hovering a point shows a tooltip");
  // The hover rule's tooltip: train and validation side by side at the nearest epoch, 4 decimals.
  assert.match(r.tooltip!, /^epoch\d+loss\d\.\d{4}val_loss\d\.\d{4}$/);
});

test("run comparison HTML: the comparison chart, then one chart per run", { skip }, async () => {
  const file = await runsToHTML({ "lr=1e-3": history, "lr=1e-2": { history: { loss: [1, 0.7, 0.6] }, epoch: [0, 1, 2] } }, join(dir, "runs.html"));
  const r = await open(file, "runs.png");
  assert.deepEqual(r.errors, []);
  assert.equal(r.charts, 3);
  for (const t of ["run", "lr=1e-3", "lr=1e-2", "train", "validation"]) assert.ok(r.texts.includes(t), `text ${t}`);
});

test("LivePlot's spec (batch curve, events, pinned epoch axis) renders with vega-lite 5 in the browser", { skip }, async () => {
  const live = new LiveChart({ batches: true });
  await live.begin({ epochs: 8, metrics: ["loss", "accuracy", "val_loss", "val_accuracy"], events: history.events });
  for (let e = 0; e < 3; e++) {
    live.epochBegin();
    for (let b = 0; b < 20; b++) await live.batchEnd(e, b, 20, { loss: 1 / (e + 1 + b / 20), accuracy: 0.5 + e / 10 });
    await live.epochEnd(e, { loss: 1 / (e + 1), accuracy: 0.5 + e / 10, val_loss: 1.1 / (e + 1), val_accuracy: 0.45 + e / 10 });
  }
  const file = join(dir, "live.html");
  writeFileSync(file, await chartsPage("live", [{ spec: live.spec(true) }]));
  const r = await open(file, "live.png");
  assert.deepEqual(r.errors, []);
  assert.ok(r.texts.includes("train (batches)"), "batch curve in the legend");
  assert.ok(r.texts.includes("8"), "x axis pinned to the planned 8 epochs");
});

test("evaluation charts (confusion matrix, per-class accuracy, image grid, model diagram) render in Chromium without errors", { skip }, async () => {
  const tf = await import("@tensorflow/tfjs");
  const { confusionMatrix, classificationScores } = await import("../../src/display/classification.js");
  const { confusionSpec } = await import("../../src/display/confusion-spec.js");
  const { perClassSpec } = await import("../../src/display/per-class-spec.js");
  const { samplesSpec } = await import("../../src/display/samples-spec.js");
  const { modelGraph } = await import("../../src/display/model-graph.js");
  const { modelSpec } = await import("../../src/display/model-spec.js");
  const truth = [0, 1, 2, 2, 2, 1, 0, 1];
  const pred = [0, 0, 2, 2, 1, 1, 0, 2];
  const input = tf.input({ shape: [8], name: "features" });
  const left = tf.layers.dense({ units: 4, name: "left" }).apply(input) as any;
  const right = tf.layers.dense({ units: 4, name: "right" }).apply(input) as any;
  const merged = tf.layers.add({ name: "sum" }).apply([left, right]) as any;
  const model = tf.model({ inputs: input, outputs: merged, name: "branches" });
  // A 4×4 grey PNG as the image: enough to see that the data URL decodes.
  const png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAAAAACMmsGiAAAAEklEQVR4nGP4z8DAwMDAwMAAAA8AAf9MHdEAAAAASUVORK5CYII=";
  const charts = [
    { heading: "confusion", spec: confusionSpec(confusionMatrix(truth, pred), ["zero", "one", "two"], { normalized: false }) },
    { heading: "per class", spec: perClassSpec(classificationScores(truth, pred)) },
    { heading: "samples", spec: samplesSpec([{ url: png, index: 0, truth: "1", prediction: "7" }, { url: png, index: 1, truth: "2", prediction: "2" }], { imageSize: 56, columns: 2 }) },
    { heading: "model", spec: modelSpec(modelGraph(model)) },
  ];
  const file = join(dir, "evaluation.html");
  writeFileSync(file, await chartsPage("evaluation", charts));
  const r = await open(file, "evaluation.png");
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.requests, [], "images are inline data URLs: no network");
  assert.equal(r.charts, 4);
  for (const t of ["zero", "Predicted label", "True label", "100.0%", "33.3%", "1 → 7", "2 → 2", "features (InputLayer)", "sum (Add)", "(None, 8) → (None, 4)"]) {
    assert.ok(r.texts.includes(t), `text ${JSON.stringify(t)} in ${JSON.stringify(r.texts.slice(0, 60))}`);
  }
  const images = await (async () => {
    const page = await context!.newPage();
    await page.goto(pathToFileURL(file).href);
    const loaded = await page.evaluate(async () => {
      await (window as any).tslabFitReady;
      const els = [...document.querySelectorAll(".chart svg.marks image")] as SVGImageElement[];
      // An <image> that decoded has a box; a broken one would still have one, so decode it through an <img> too.
      return Promise.all(els.map((el) => new Promise<number>((done) => {
        const img = new Image();
        img.onload = () => done(img.naturalWidth);
        img.onerror = () => done(0);
        img.src = el.getAttribute("href") ?? "";
      })));
    });
    await page.close();
    return loaded;
  })();
  assert.deepEqual(images, [4, 4], "both sample images decode");
});

test("the summary and report tables render as HTML tables in Chromium", { skip }, async () => {
  const tf = await import("@tensorflow/tfjs");
  const { modelGraph } = await import("../../src/display/model-graph.js");
  const { summaryHtml } = await import("../../src/display/model-summary.js");
  const { classificationScores } = await import("../../src/display/classification.js");
  const { reportHtml } = await import("../../src/display/report-table.js");
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2], name: "d" })] });
  const file = join(dir, "tables.html");
  writeFileSync(file, `<!DOCTYPE html><html><body>${summaryHtml(modelGraph(model))}${reportHtml(classificationScores([0, 1, 1], [0, 1, 0]))}</body></html>`);
  const page = await context!.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(pathToFileURL(file).href);
  const tables = await page.evaluate(() => [...document.querySelectorAll("table")].map((t) => [...t.querySelectorAll("tr")].map((tr) => (tr as HTMLElement).innerText.replace(/\s+/g, " ").trim())));
  await page.screenshot({ path: join(dir, "tables.png"), fullPage: true });
  await page.close();
  assert.deepEqual(errors, []);
  assert.deepEqual(tables[0], ["Layer (type) Output Shape Param #", "d (Dense) (None, 3) 9"]);
  assert.deepEqual(tables[1][0], "class precision recall f1-score support");
  assert.equal(tables[1].length, 1 + 2 + 3);
  assert.match(tables[1].at(-1)!, /^weighted avg 0\.833 0\.667 0\.667 3$/);
});
