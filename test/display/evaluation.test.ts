import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { afterEach, before, beforeEach, describe, it } from "node:test";
import {
  classificationReport, classificationScores, confusionMatrix, modelGraph, plotConfusionMatrix, plotModel,
  plotPerClassAccuracy, plotSamples, showModel,
} from "../../src/index.js";
import { confusionSpec } from "../../src/display/confusion-spec.js";
import { modelSpec, layoutGraph } from "../../src/display/model-spec.js";
import { summaryTextTable } from "../../src/display/model-summary.js";
import { perClassSpec } from "../../src/display/per-class-spec.js";
import { reportText } from "../../src/display/report-table.js";
import { samplesSpec } from "../../src/display/samples-spec.js";
import { compileSpec, renderSvg } from "../../src/display/render.js";
import type { VegaLiteSpec } from "../../src/display/types.js";
import { captureConsole, useCpu } from "../helpers.js";
import { installFakeTslab, type FakeTslab } from "./fake-tslab.js";

before(useCpu);
const VL = "application/vnd.vegalite.v5+json";

// scikit-learn's classification_report documentation example.
const SK_TRUE = [0, 1, 2, 2, 2];
const SK_PRED = [0, 0, 2, 2, 1];

describe("confusion matrix and classification report: the numbers", () => {
  it("counts true × predicted, from ids, probabilities or one-hot rows; normalises rows, columns or all", () => {
    assert.deepEqual(confusionMatrix(SK_TRUE, SK_PRED), [[1, 0, 0], [1, 0, 0], [0, 1, 2]]);
    const probs = tf.oneHot(tf.tensor1d(SK_PRED, "int32"), 3).mul(0.8).add(0.05);
    assert.deepEqual(confusionMatrix(tf.tensor1d(SK_TRUE, "int32"), probs), [[1, 0, 0], [1, 0, 0], [0, 1, 2]]);
    assert.deepEqual(confusionMatrix(tf.oneHot(tf.tensor1d(SK_TRUE, "int32"), 3), tf.tensor2d(SK_PRED, [5, 1])), [[1, 0, 0], [1, 0, 0], [0, 1, 2]]);
    const rows = confusionMatrix(SK_TRUE, SK_PRED, { normalize: true });
    assert.deepEqual(rows[2].map((v) => +v.toFixed(4)), [0, 0.3333, 0.6667]);
    assert.deepEqual(confusionMatrix(SK_TRUE, SK_PRED, { normalize: "pred" })[0], [0.5, 0, 0]);
    assert.deepEqual(confusionMatrix(SK_TRUE, SK_PRED, { normalize: "all" })[2], [0, 0.2, 0.4]);
    // Class names fix the class count: a class nobody has still gets its row and column.
    assert.equal(confusionMatrix([0, 1], [1, 1], { labels: ["a", "b", "c"] }).length, 3);
  });

  it("refuses mismatched or impossible labels with errors naming the argument", () => {
    assert.throws(() => confusionMatrix([0, 1, 2], [0, 1]), /yTrue has 3 samples but yPred has 2/);
    assert.throws(() => confusionMatrix([0, -1], [0, 1]), /yTrue\[1\] is -1: class ids must be whole numbers >= 0/);
    assert.throws(() => confusionMatrix([0, 1.5], [0, 1]), /yTrue\[1\] is 1.5/);
    assert.throws(() => confusionMatrix([0, 3], [0, 1], { labels: ["a", "b"] }), /labels names 2 classes but the data has class id 3/);
    assert.throws(() => confusionMatrix(tf.zeros([2, 2, 2]), [0, 1]), /yTrue must be class ids \[n\] or \[n, 1\].*shape \[2, 2, 2\]/);
    assert.deepEqual(confusionMatrix([0, 1], [tf.tensor2d([[0.9, 0.1], [0.2, 0.8]])]), [[1, 0], [0, 1]], "predict's one-output list");
    assert.throws(() => confusionMatrix([0, 1], [tf.zeros([2, 2]), tf.zeros([2, 1])]), /yPred is a list of 2 tensors \(a model with several outputs\)/);
    assert.throws(() => confusionMatrix([0], [0], { normalize: "rows" as never }), /normalize must be true, false, "true", "pred" or "all"/);
  });

  it("precision, recall, F1, support and averages match scikit-learn's documented example, text layout included", () => {
    const r = classificationScores(SK_TRUE, SK_PRED, { labels: ["class 0", "class 1", "class 2"] });
    const round = (v: number) => +v.toFixed(2);
    assert.deepEqual(r.classes.map((c) => [round(c.precision), round(c.recall), round(c.f1), c.support]), [[0.5, 1, 0.67, 1], [0, 0, 0, 1], [1, 0.67, 0.8, 3]]);
    assert.equal(r.accuracy, 0.6);
    assert.deepEqual([r.macroAvg.precision, r.macroAvg.recall, r.macroAvg.f1].map(round), [0.5, 0.56, 0.49]);
    assert.deepEqual([r.weightedAvg.precision, r.weightedAvg.recall, r.weightedAvg.f1].map(round), [0.7, 0.6, 0.61]);
    assert.equal(
      reportText(r),
      [
        "              precision    recall  f1-score   support",
        "",
        "     class 0       0.50      1.00      0.67         1",
        "     class 1       0.00      0.00      0.00         1",
        "     class 2       1.00      0.67      0.80         3",
        "",
        "    accuracy                           0.60         5",
        "   macro avg       0.50      0.56      0.49         5",
        "weighted avg       0.70      0.60      0.61         5",
      ].join("\n"),
    );
  });
});

/** Small models for the summary and the diagram: Sequential, and Functional with two branches and a merge. */
function models() {
  const seq = tf.sequential({ name: "mlp", layers: [
    tf.layers.dense({ units: 64, activation: "relu", inputShape: [784], name: "hidden" }),
    tf.layers.batchNormalization({ name: "norm" }),
    tf.layers.dense({ units: 10, activation: "softmax", name: "probs" }),
  ] });
  const image = tf.input({ shape: [28, 28, 1], name: "image" });
  const meta = tf.input({ shape: [4], name: "meta" });
  const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, name: "conv_a" }).apply(image) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ filters: 4, kernelSize: 5, name: "conv_b" }).apply(image) as tf.SymbolicTensor;
  const pa = tf.layers.globalAveragePooling2d({ name: "pool_a" }).apply(a) as tf.SymbolicTensor;
  const pb = tf.layers.globalAveragePooling2d({ name: "pool_b" }).apply(b) as tf.SymbolicTensor;
  const merged = tf.layers.concatenate({ name: "merge" }).apply([pa, pb, meta]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 10, name: "digit" }).apply(merged) as tf.SymbolicTensor;
  const func = tf.model({ inputs: [image, meta], outputs: out, name: "two_branch" });
  return { seq, func };
}

describe("model summary and diagram", () => {
  it("Sequential: Keras 3's table without an input row, parameters and trainable / non-trainable totals", () => {
    const { seq } = models();
    const g = modelGraph(seq);
    assert.equal(g.sequential, true);
    // BatchNormalization: gamma/beta trainable, moving mean/variance not.
    assert.deepEqual(g.totals, { params: 784 * 64 + 64 + 4 * 64 + 64 * 10 + 10, trainable: 784 * 64 + 64 + 2 * 64 + 650, nonTrainable: 128 });
    const text = summaryTextTable(g);
    assert.equal(
      text,
      [
        'Model: "mlp"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━┓",
        "┃ Layer (type)              ┃ Output Shape ┃ Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━┩",
        "│ hidden (Dense)            │ (None, 64)   │  50,240 │",
        "├───────────────────────────┼──────────────┼─────────┤",
        "│ norm (BatchNormalization) │ (None, 64)   │     256 │",
        "├───────────────────────────┼──────────────┼─────────┤",
        "│ probs (Dense)             │ (None, 10)   │     650 │",
        "└───────────────────────────┴──────────────┴─────────┘",
        " Total params: 51,146 (199.79 KB)",
        " Trainable params: 51,018 (199.29 KB)",
        " Non-trainable params: 128 (512.00 B)",
      ].join("\n"),
    );
  });

  it("Functional: input rows, Connected to with [node][tensor] per incoming tensor, depths put the merge below both branches", () => {
    const { func } = models();
    const g = modelGraph(func);
    const byName = Object.fromEntries(g.layers.map((l) => [l.name, l]));
    assert.deepEqual(byName.merge.connectedTo, ["pool_a[0][0]", "pool_b[0][0]", "meta[0][0]"]);
    assert.deepEqual(byName.conv_a.connectedTo, ["image[0][0]"]);
    assert.equal(byName.merge.inputShape, "[(None, 4), (None, 4), (None, 4)]");
    assert.equal(byName.conv_b.outputShape, "(None, 24, 24, 4)");
    assert.deepEqual([byName.image.depth, byName.conv_a.depth, byName.pool_b.depth, byName.merge.depth, byName.digit.depth], [0, 1, 2, 3, 4]);
    const text = summaryTextTable(g);
    assert.match(text, /┃ Connected to +┃/);
    assert.match(text, /│ merge \(Concatenate\) +│ \(None, 12\) +│ +0 │ pool_a\[0\]\[0\] +│\n│ +│ +│ +│ pool_b\[0\]\[0\] +│\n│ +│ +│ +│ meta\[0\]\[0\] +│/);
    assert.match(text, /│ image \(InputLayer\) +│ \(None, 28, 28, 1\) +│ +0 │ - +│/);
    // Layout: the late input sits just above the merge; each row's boxes do not overlap.
    const { nodes } = layoutGraph(g);
    const at = Object.fromEntries(nodes.map((n) => [n.layer.name, n]));
    assert.ok(at.meta.y === at.pool_a.y && at.merge.y > at.pool_a.y && at.image.y < at.conv_a.y);
    for (const n of nodes) for (const m of nodes) if (n !== m && n.y === m.y) assert.ok(n.x + n.width <= m.x || m.x + m.width <= n.x);
  });

  it("refuses what is not a model", () => {
    assert.throws(() => modelGraph({} as never), /model must be a tf.LayersModel/);
    assert.throws(() => modelGraph(tf.sequential()), /the Sequential model has no layers yet/);
  });
});

/** Each chart's spec compiles without vega-lite warnings, here and under JupyterLab's vega-lite 5.6.1, and renders. */
function specs(): Array<[string, VegaLiteSpec]> {
  const { seq, func } = models();
  const m = confusionMatrix(SK_TRUE, SK_PRED);
  const tile = { url: "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==", index: 0 };
  return [
    ["confusion", confusionSpec(m, ["0", "1", "2"], { normalized: false, title: "t" })],
    ["confusion normalized", confusionSpec(confusionMatrix(SK_TRUE, SK_PRED, { normalize: true }), ["0", "1", "2"], { normalized: true })],
    ["confusion 30 classes", confusionSpec(confusionMatrix(Array.from({ length: 90 }, (_, i) => i % 30), Array.from({ length: 90 }, (_, i) => (i * 7) % 30)), Array.from({ length: 30 }, (_, i) => `c${i}`), { normalized: false })],
    ["per class", perClassSpec(classificationScores(SK_TRUE, SK_PRED))],
    ["samples", samplesSpec([{ ...tile, truth: "1", prediction: "2" }, { ...tile, index: 1, truth: "3", prediction: "3" }], { imageSize: 28, columns: 2, title: "s" })],
    ["model sequential", modelSpec(modelGraph(seq))],
    ["model functional", modelSpec(modelGraph(func))],
  ];
}

describe("chart specs", () => {
  it("compile without warnings (vega-lite 5 here, and 5.6.1 as JupyterLab renders) and render to SVG without Vega warnings", async (t) => {
    let jupyterlab: { compile(spec: unknown, o: unknown): { spec: unknown } } | undefined;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      jupyterlab = require("vega-lite-jupyterlab");
    } catch {
      t.diagnostic("vega-lite-jupyterlab (npm:vega-lite@5.6.1) not installed: only the current vega-lite checked");
    }
    for (const [name, spec] of specs()) {
      assert.deepEqual((await compileSpec(spec)).warnings, [], name);
      const svg = await renderSvg(spec);
      assert.deepEqual(svg.warnings, [], name);
      assert.ok(svg.width > 50 && svg.height > 50, `${name}: ${svg.width}x${svg.height}`);
      if (jupyterlab) {
        const warnings: string[] = [];
        const logger: any = { level: () => logger, info: () => logger, debug: () => logger };
        logger.warn = (...a: unknown[]) => (warnings.push(a.join(" ")), logger);
        logger.error = (...a: unknown[]) => (warnings.push(`error: ${a.join(" ")}`), logger);
        jupyterlab.compile(spec, { logger });
        assert.deepEqual(warnings, [], `${name} under 5.6.1`);
      }
    }
  });

  it("the confusion matrix marks the diagonal and prints each cell; the samples grid frames wrong predictions", () => {
    const spec = confusionSpec(confusionMatrix(SK_TRUE, SK_PRED), ["0", "1", "2"], { normalized: false }) as any;
    const cells = spec.data.values;
    assert.equal(cells.length, 9);
    assert.deepEqual(cells.filter((c: any) => c.diagonal).map((c: any) => c.text), ["1", "0", "2"]);
    assert.ok(spec.layer.some((l: any) => l.mark.stroke && l.transform?.[0].filter === "datum.diagonal"), "diagonal outlined");
    const samples = samplesSpec([{ url: "u", index: 4, truth: "4", prediction: "9" }, { url: "u", index: 5, truth: "1", prediction: "1" }], { imageSize: 28, columns: 2 }) as any;
    assert.deepEqual(samples.data.values.map((r: any) => [r.caption, r.wrong]), [["4 → 9", true], ["1 → 1", false]]);
  });
});

describe("inside tslab (fake kernel plumbing): one output per call", () => {
  let fake: FakeTslab;
  beforeEach(() => (fake = installFakeTslab()));
  afterEach(() => fake.uninstall());

  it("charts send one bundle of Vega-Lite spec, 2x PNG and text; tables send HTML and text", async () => {
    const { func } = models();
    const probs = tf.oneHot(tf.tensor1d(SK_PRED, "int32"), 3);
    assert.equal(await plotConfusionMatrix(SK_TRUE, probs, { labels: ["zero", "one", "two"] }), undefined, "nothing for tslab to print");
    const report = classificationReport(SK_TRUE, probs);
    assert.equal(report.accuracy, 0.6);
    assert.equal(inspect(report), "ClassificationReport: accuracy 0.6000, macro F1 0.4889, 5 samples (.classes, .macroAvg, .weightedAvg)");
    await plotPerClassAccuracy(SK_TRUE, probs);
    await plotSamples(tf.randomUniform([6, 28, 28]), { labels: [0, 1, 2, 0, 1, 2], predictions: [0, 2, 2, 1, 1, 2], count: 4, misclassifiedFirst: true });
    showModel(func);
    await plotModel(func);
    const kinds = fake.sent.map((s) => Object.keys(s.displayData.data).sort().join(","));
    const chart = [VL, "image/png", "text/plain"].sort().join(",");
    const table = "text/html,text/plain";
    assert.deepEqual(kinds, [chart, table, chart, chart, table, chart]);
    assert.ok(fake.sent.every((s) => !s.update), "each call is a new output");
    const text = (i: number) => fake.sent[i].displayData.data["text/plain"] as string;
    assert.match(text(0), /3 of 5 right \(60.0%\)\ntrue\\pred zero +one +two\nzero +1 +0 +0\none +1 +0 +0\ntwo +0 +1 +2$/);
    assert.match(fake.sent[1].displayData.data["text/html"] as string, /<table.*<th[^>]*>precision<\/th>.*0\.667/s);
    // Samples: the two wrong predictions (index 1: 1→2, index 3: 0→1) come first.
    assert.match(text(3), /^2 of 6 misclassified \(shown first\) — true → predicted\n#1: 1 → 2\n#3: 0 → 1\n#0: 0 → 0\n#2: 2 → 2$/);
    assert.match(fake.sent[4].displayData.data["text/html"] as string, /Connected to.*pool_a\[0\]\[0\]<br>pool_b\[0\]\[0\]<br>meta\[0\]\[0\]/s);
    assert.match(text(5), /merge \(Concatenate\).*← pool_a \+ pool_b \+ meta/);
  });

  it("plotSamples checks its arguments, naming them", async () => {
    const images = tf.zeros([3, 28, 28]);
    await assert.rejects(plotSamples(images, { labels: [0, 1] }), /labels has 2 entries but images has 3/);
    await assert.rejects(plotSamples(images, { misclassifiedFirst: true }), /misclassifiedFirst needs both labels and predictions/);
    await assert.rejects(plotSamples(tf.zeros([3, 30])), /flattened images must be square/);
    await assert.rejects(plotSamples(images, { count: 0 }), /count must be a whole number >= 1/);
    await assert.rejects(plotConfusionMatrix([0], [0], { path: "cm.jpg" }), /path must end in .png, .svg, .html or .json/);
    assert.equal(fake.sent.length, 0);
  });
});

describe("outside a notebook", () => {
  it("tables are printed as text, as Keras prints model.summary()", async () => {
    const { seq } = models();
    const { logs } = await captureConsole(async () => {
      showModel(seq);
      classificationReport(SK_TRUE, SK_PRED);
    });
    assert.match(logs[0], /^Model: "mlp"\n┏/);
    assert.match(logs[1], /^ +precision +recall +f1-score +support\n/);
  });
});
