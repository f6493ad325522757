// Target 5 of issue 13: tensors and RSS after 1, 10 and 100 epochs with the full callback set (one long fit each
// checkpoint of the count, on a small slice of digits so 100 epochs take a minute). Flat is the goal.
//   npm run build && node bench/memory.mjs [digits=500]
import * as tf from "@tensorflow/tfjs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fit, EarlyStopping, LambdaCallback } from "../dist/index.js";
import { fullSet, settleCharts } from "./callbacks.mjs";
import { digits, makeMlp, setBackend } from "./common.mjs";

export async function main({ limit = 500 } = {}) {
  const backend = await setBackend();
  const { x, y, yFloat } = digits(limit);
  const model = makeMlp(1);
  const dir = mkdtempSync(join(tmpdir(), "bench-mem-"));
  const marks = new Map();
  const probe = new LambdaCallback({
    onEpochEnd: (epoch) => {
      if ([0, 9, 99].includes(epoch)) marks.set(epoch + 1, { tensors: tf.memory().numTensors, rss: process.memoryUsage().rss / 2 ** 20 });
    },
  });
  const quiet = console.log;
  console.log = () => {};
  try {
    const callbacks = [...fullSet(dir).map((c) => (c instanceof EarlyStopping ? new EarlyStopping({ monitor: "val_loss", patience: 1000 }) : c)), probe];
    await fit(model, x, y, { epochs: 100, batchSize: 32, validationSplit: 0.2, verbose: 0, callbacks });
    await settleCharts(callbacks); // LivePlot's temp PNG, drawn after fit, is removed rather than printed
  } finally {
    console.log = quiet;
  }
  model.dispose();
  tf.dispose([x, y, yFloat]);
  rmSync(dir, { recursive: true, force: true });
  return [
    `### Memory (target 5): one 100-epoch fit with the full callback set (EarlyStopping with patience 1000, so all 100 epochs run), ${limit} digits, ${backend}`,
    "",
    "| after epoch | tensors | RSS MiB |",
    "|---:|---:|---:|",
    ...[...marks].map(([e, m]) => `| ${e} | ${m.tensors} | ${m.rss.toFixed(0)} |`),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [limit] = process.argv.slice(2).map(Number);
  console.log(await main({ limit: limit || undefined }));
}
