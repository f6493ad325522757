import assert from "node:assert/strict";
import { test } from "node:test";
import { ensureBuilt, kernelSkipReason, makeKernelEnv, runKernelCells } from "./kernel-env.js";

const VL = "application/vnd.vegalite.v5+json";
const CHART = [VL, "image/png", "text/plain"].sort();
const TABLE = ["text/html", "text/plain"];

interface Msg {
  msg_type: string;
  content: any;
}

// After a failing cell tslab aborts requests arriving within 200 ms, hence `settle` on the cells that fail.
const CELLS = [
  `import * as tf from "@tensorflow/tfjs";
import { fit, evaluate, predict, loadMnist, plotConfusionMatrix, classificationReport, plotPerClassAccuracy, plotSamples, showModel, plotModel } from "tslab-fit";
await tf.setBackend("cpu");
const { xTrain, yTrain, xTest, yTest } = loadMnist({ flatten: true, normalize: true, limit: 1200 });
const model = tf.sequential({ layers: [tf.layers.dense({ units: 16, activation: "relu", inputShape: [784] }), tf.layers.dense({ units: 10, activation: "softmax" })] });
model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
await fit(model, xTrain, yTrain, { epochs: 2, verbose: 0 });
const probs = await predict(model, xTest, { verbose: 0 });`,
  `const logs = await evaluate(model, xTest, yTest);
console.log(JSON.stringify(logs));`,
  `await plotConfusionMatrix(yTest, probs);`,
  `classificationReport(yTest, probs);`,
  `await plotPerClassAccuracy(yTest, probs);`,
  `await plotSamples(xTest, { labels: yTest, predictions: probs, count: 12, misclassifiedFirst: true });`,
  `showModel(model);`,
  `await plotModel(model);`,
  { code: `await predict(model, tf.zeros([2, 3]));`, settle: 1 },
  { code: `await evaluate(model, xTest, yTest, { callbacks: [{ onTestBegin: () => { throw "a string, not an Error"; } }] });`, settle: 1 },
];

test("real tslab kernel: evaluate's progress and result, each evaluation chart and table as one multi-MIME output, errors with message and stack", async (t) => {
  const reason = kernelSkipReason();
  if (reason) return t.skip(reason);
  ensureBuilt();
  const env = makeKernelEnv();
  const cells = runKernelCells<{ reply: any; messages: Msg[] }>(CELLS, env, { timeoutMs: 300_000 });
  const stream = (c: { messages: Msg[] }, name?: string) =>
    c.messages.filter((m) => m.msg_type === "stream" && (!name || m.content.name === name)).map((m) => m.content.text).join("");
  const displays = (c: { messages: Msg[] }) => c.messages.filter((m) => m.msg_type === "display_data");
  cells.slice(0, 8).forEach((c, i) => assert.equal(c.reply.status, "ok", `cell ${i} failed:\n${stream(c)}`));
  const [, evaluated, confusion, report, perClass, samples, summary, diagram, predictError, callbackError] = cells;

  // evaluate: int32 labels work; the progress is one in-place display ending with the evaluate line.
  const logs = JSON.parse(stream(evaluated, "stdout").trim().split("\n").at(-1)!);
  assert.deepEqual(Object.keys(logs), ["loss", "accuracy"]);
  assert.ok(logs.accuracy > 0.3 && logs.accuracy <= 1, `accuracy ${logs.accuracy}`);
  const progress = evaluated.messages.filter((m) => m.msg_type === "display_data" || m.msg_type === "update_display_data");
  assert.ok(progress.length >= 1);
  assert.equal(new Set(progress.map((m) => m.content.transient.display_id)).size, 1, "one in-place progress display");
  assert.match(progress.at(-1)!.content.data["text/plain"], new RegExp(`^evaluate 7/7 - \\d+s \\d+ms/step - accuracy: ${logs.accuracy.toFixed(4)} - loss: ${logs.loss.toFixed(4)}$`));

  const only = (c: { messages: Msg[] }, keys: string[], what: string) => {
    const shown = displays(c);
    assert.equal(shown.length, 1, `${what}: one output, got ${shown.length}`);
    assert.deepEqual(Object.keys(shown[0].content.data).sort(), keys, what);
    assert.equal(c.messages.filter((m) => m.msg_type === "update_display_data").length, 0);
    if (what !== "classification report") assert.equal(stream(c, "stdout"), "", `${what}: the call returns nothing for tslab to print`);
    return shown[0].content;
  };
  const cm = only(confusion, CHART, "confusion matrix");
  assert.equal(cm.data[VL].data.values.length, 100, "10 × 10 cells");
  assert.ok(cm.metadata["image/png"].width > 300);
  assert.match(cm.data["text/plain"], /^Confusion matrix: \d+ of 200 right/);
  const table = only(report, TABLE, "classification report");
  assert.match(table.data["text/html"], /<table/);
  assert.match(table.data["text/plain"], /precision +recall +f1-score +support[\s\S]*weighted avg/);
  assert.match(stream(report, "stdout"), /^ClassificationReport: accuracy 0\.\d{4}, macro F1 0\.\d{4}, 200 samples/, "the returned data prints as one line");
  assert.equal(only(perClass, CHART, "per-class accuracy").data[VL].layer[0].data.values.length, 10);
  const grid = only(samples, CHART, "samples");
  assert.equal(grid.data[VL].data.values.length, 12);
  assert.ok(grid.data[VL].data.values.every((r: any) => r.url.startsWith("data:image/png;base64,")));
  assert.match(only(summary, TABLE, "model summary").data["text/plain"], /Total params: 12,730 \(49\.73 KB\)/);
  assert.match(only(diagram, CHART, "model diagram").data["text/plain"], /\(Dense\)/);

  // Errors: tslab prints what the awaited promise rejected with; message and stack must be there.
  assert.equal(predictError.reply.status, "error");
  assert.match(stream(predictError, "stderr"), /Error: Error when checking : expected .* to have shape \[null,784\] but got array with shape \[2,3\]\.\n\s+at /);
  assert.equal(callbackError.reply.status, "error");
  assert.match(stream(callbackError, "stderr"), /CallbackError: callbacks\[0\] \(a plain object\)\.onTestBegin threw: a string, not an Error\n\s+at /);
});
