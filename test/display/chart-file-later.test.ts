// Outside a notebook, LivePlot's default chart file (a temp PNG) is drawn after fit returns. Contract: `written`
// resolves with the complete file, and the process never ends before the file is complete — neither when a script
// simply ends nor when it calls process.exit() right after fit.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { test } from "node:test";
import { LivePlot } from "../../src/callbacks/live-plot.js";
import { chartsPending } from "../../src/display/chart-file-later.js";
import type { FitParams } from "../../src/fit/logs.js";
import { tempDir } from "../helpers.js";
import { ensureBuilt, REPO } from "./kernel-env.js";

const params: FitParams = {
  epochs: 3,
  steps: 4,
  verbose: 0,
  initialEpoch: 0,
  batchSize: 8,
  samples: 32,
  doValidation: true,
  metrics: ["loss", "val_loss"],
};

/** Whether `bytes` is a whole PNG: signature, IHDR, IDAT that inflates to every row, IEND last. Returns its size. */
function wholePng(bytes: Buffer): { width: number; height: number } {
  assert.equal(bytes.subarray(0, 8).toString("hex"), "89504e470d0a1a0a", "PNG signature");
  let off = 8;
  const idat: Buffer[] = [];
  let ihdr: Buffer | undefined;
  let last = "";
  while (off < bytes.length) {
    const len = bytes.readUInt32BE(off);
    last = bytes.subarray(off + 4, off + 8).toString("latin1");
    const data = bytes.subarray(off + 8, off + 8 + len);
    if (last === "IHDR") ihdr = data;
    if (last === "IDAT") idat.push(data);
    off += 12 + len;
  }
  assert.equal(off, bytes.length, "chunks end exactly at the end of the file");
  assert.equal(last, "IEND");
  assert.ok(ihdr);
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[ihdr[9]]!;
  assert.equal(inflateSync(Buffer.concat(idat)).length, (width * channels + 1) * height, "every row is there");
  return { width, height };
}

test("outside a notebook the default temp PNG is written after the fit returns, and `written` gives the complete file", async () => {
  const logged: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void logged.push(a.join(" "));
  let file: string | undefined;
  try {
    const live = new LivePlot();
    live.setParams(params);
    await live.onTrainBegin({});
    for (let e = 0; e < 3; e++) await live.onEpochEnd(e, { loss: 1 / (e + 1), val_loss: 1.2 / (e + 1) });
    await live.onTrainEnd({});
    assert.equal(chartsPending(), 1, "the chart is drawn after onTrainEnd, not inside it");
    file = await live.written;
    assert.equal(chartsPending(), 0);
  } finally {
    console.log = log;
  }
  assert.ok(file && file.endsWith(".png"), String(file));
  const { width, height } = wholePng(readFileSync(file));
  assert.ok(width > 400 && height > 200, `a 2× chart, got ${width}x${height}`);
  assert.deepEqual(logged, [`tslab-fit: chart written to ${file}`]);
  rmSync(file);
});

test("a script's process does not end before its LivePlot PNG is complete, even through process.exit()", { timeout: 240_000 }, () => {
  ensureBuilt();
  const dir = tempDir("tslab-fit-late-chart-");
  const script = join(dir, "train.mjs");
  writeFileSync(
    script,
    `import { createRequire } from "node:module";
import { fit, LivePlot, useBestBackend } from ${JSON.stringify(join(REPO, "dist", "index.js"))};
const tf = createRequire(${JSON.stringify(REPO + "/")})("@tensorflow/tfjs");
await useBestBackend({ quiet: true });
const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, activation: "relu", inputShape: [2] }), tf.layers.dense({ units: 1 })] });
model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
const x = tf.randomNormal([32, 2], 0, 1, "float32", 7);
await fit(model, x, x.sum(1, true), { epochs: 3, verbose: 0, validationSplit: 0.25, callbacks: [new LivePlot()] });
console.log("fit returned");
if (process.argv[2] === "exit") process.exit(0);
`,
  );
  try {
    for (const how of ["ends", "exit"]) {
      const tmp = join(dir, `tmp-${how}`);
      // The temp folder is the child's own (os.tmpdir() reads TMPDIR), so the PNG it writes is found and removed.
      const run = spawnSync(process.execPath, [script, how], { cwd: REPO, encoding: "utf8", env: { ...process.env, TMPDIR: tmp }, timeout: 120_000 });
      assert.equal(run.status, 0, run.stderr);
      const lines = run.stdout.trim().split("\n");
      assert.equal(lines[0], "fit returned", `${how}: fit returns before the chart is written\n${run.stdout}`);
      const m = /^tslab-fit: chart written to (.+\.png)$/.exec(lines[1] ?? "");
      assert.ok(m, `${how}: the path is printed once written\n${run.stdout}`);
      assert.ok(m[1].startsWith(tmp), m[1]);
      assert.ok(existsSync(m[1]));
      wholePng(readFileSync(m[1]));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
