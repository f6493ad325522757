// Target 1 of issue 13: what the full notebook callback set costs over tfjs's bare model.fit, and where it goes.
// Variants run interleaved on the same data; then one instrumented pass times every hook of every callback.
//   npm run build && node bench/callbacks.mjs [repeats=7] [digits=2000] [epochs=3]
import * as tf from "@tensorflow/tfjs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fit, Callback, EarlyStopping, ModelCheckpoint, TensorBoard, LivePlot, History } from "../dist/index.js";
import { digits, interleave, makeMlp, median, ratioTable, setBackend } from "./common.mjs";

const CALLBACKS = {
  TensorBoard: (dir) => new TensorBoard({ logDir: join(dir, "logs"), histogramFreq: 1 }),
  EarlyStopping: () => new EarlyStopping({ monitor: "val_loss", patience: 3 }),
  ModelCheckpoint: (dir) => new ModelCheckpoint({ filepath: join(dir, "best.keras"), monitor: "val_loss", saveBestOnly: true }),
  // The default: outside a notebook its temp PNG is drawn after fit returns (awaited and removed outside the timing).
  LivePlot: () => new LivePlot(),
  History: () => new History(),
};

/** Only in the per-callback variants: LivePlot with a file the user names, written before fit returns. */
const EXTRA = { "LivePlot({ path })": (dir) => new LivePlot({ path: join(dir, "live.png") }) };

export function fullSet(dir) {
  return Object.values(CALLBACKS).map((make) => make(dir));
}

/** Waits for (and removes) the chart files LivePlot writes after a fit; returns the ms they took to draw and write. */
export async function settleCharts(callbacks) {
  let ms = 0;
  for (const cb of callbacks ?? []) {
    if (!(cb instanceof LivePlot)) continue;
    const file = await cb.written;
    ms += cb.stats?.fileMs ?? 0;
    if (file && !file.startsWith(tmpdir() + "/bench-cb-")) rmSync(file, { force: true });
  }
  return ms;
}

export async function main({ repeats = 7, limit = 2000, epochs = 3, perCallback = true } = {}) {
  const backend = await setBackend();
  const { x, y, yFloat } = digits(limit);
  const opts = { epochs, batchSize: 32, validationSplit: 0.2, verbose: 0 };
  const variants = {
    "tfjs model.fit": ({ model }) => model.fit(x, yFloat, opts),
    "fit (no callbacks)": ({ model }) => fit(model, x, y, opts),
    "fit + full set": (ctx) => fit(ctx.model, x, y, { ...opts, callbacks: (ctx.callbacks = fullSet(ctx.dir)) }),
  };
  for (const [name, make] of perCallback ? Object.entries({ ...CALLBACKS, ...EXTRA }) : []) {
    variants[`fit + ${name}`] = (ctx) => fit(ctx.model, x, y, { ...opts, callbacks: (ctx.callbacks = [make(ctx.dir)]) });
  }
  const quiet = console.log;
  console.log = () => {}; // LivePlot outside a notebook prints where it wrote the chart
  let times;
  try {
    times = await interleave(variants, repeats, {
      setup: () => ({ model: makeMlp(), dir: mkdtempSync(join(tmpdir(), "bench-cb-")) }),
      teardown: async ({ model, dir, callbacks }) => {
        await settleCharts(callbacks);
        model.dispose();
        rmSync(dir, { recursive: true, force: true });
      },
    });
  } finally {
    console.log = quiet;
  }
  const shares = perCallback ? await hookShares({ x, y, opts, repeats: Math.max(3, Math.ceil(repeats / 2)) }) : undefined;
  tf.dispose([x, y, yFloat]);
  const samples = Math.round(limit * 0.8);
  const target = limit >= 10000 ? 1.02 : 1.05;
  const paired = (a, b) => median(times[a].map((t, r) => t / times[b][r])).toFixed(3);
  return [
    `### Callback overhead (target 1): ${limit.toLocaleString("en")} digits (${samples} train), ${epochs}-epoch fits, batch 32, ${backend}, ${repeats} interleaved runs`,
    "",
    ratioTable(times, "tfjs model.fit"),
    "",
    `Full set against bare \`model.fit\` (target ≤ ${target}×), median of the per-round ratios (both ran in the same round): ` +
      `**${paired("fit + full set", "tfjs model.fit")}×**; against \`fit\` without callbacks: ${paired("fit + full set", "fit (no callbacks)")}×.`,
    ...(shares
      ? [
          "",
          `Per-callback hook time in the full set (median of ${shares.runs} fits after a first one, ms; "per fit" = train begin + end, "per epoch" = epoch begin + end + test hooks, averaged over epochs; "after fit returned" = LivePlot's temp PNG, drawn once fit has returned, outside a notebook only):`,
          "",
          shares.table,
        ]
      : []),
  ].join("\n");
}

/** Wraps every hook of the full set's callbacks with a timer; returns per-callback per-fit / per-epoch / per-batch ms. */
async function hookShares({ x, y, opts, repeats }) {
  const perRun = [];
  const quiet = console.log;
  console.log = () => {};
  try {
    for (let r = 0; r < repeats; r++) {
      const dir = mkdtempSync(join(tmpdir(), "bench-cb-"));
      const callbacks = fullSet(dir);
      const acc = {};
      for (const cb of callbacks) {
        const name = cb.constructor.name;
        acc[name] = { fit: 0, epoch: 0, batch: 0, after: 0 };
        for (const hook of ["onTrainBegin", "onTrainEnd", "onEpochBegin", "onEpochEnd", "onTestBegin", "onTestEnd", "onTrainBatchBegin", "onTrainBatchEnd"]) {
          const own = cb[hook];
          // Hooks a callback does not override stay untouched, so fit's "only listeners" fast paths stay as they are.
          if (own === Callback.prototype[hook]) continue;
          const kind = hook.includes("Batch") ? "batch" : hook.startsWith("onTrain") ? "fit" : "epoch";
          cb[hook] = async function (...args) {
            const t0 = performance.now();
            try {
              return await own.apply(this, args);
            } finally {
              acc[name][kind] += performance.now() - t0;
            }
          };
        }
      }
      const model = makeMlp();
      const t0 = performance.now();
      await fit(model, x, y, { ...opts, callbacks });
      acc.__fitMs = performance.now() - t0;
      acc.LivePlot.after = await settleCharts(callbacks);
      model.dispose();
      rmSync(dir, { recursive: true, force: true });
      perRun.push(acc);
    }
  } finally {
    console.log = quiet;
  }
  const names = Object.keys(perRun[0]).filter((n) => n !== "__fitMs");
  const rows = [
    "| callback | per fit ms | per epoch ms | all batch hooks per fit ms | share of the fit | after fit returned ms |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const n of names) {
    const m = (k) => median(perRun.slice(1).map((a) => a[n][k]));
    const share = median(perRun.slice(1).map((a) => (a[n].fit + a[n].epoch + a[n].batch) / a.__fitMs));
    rows.push(
      `| ${n} | ${m("fit").toFixed(1)} | ${(m("epoch") / opts.epochs).toFixed(1)} | ${m("batch").toFixed(1)} | ${(100 * share).toFixed(1)} % | ${m("after") ? m("after").toFixed(0) : "–"} |`,
    );
  }
  // All hook time of the set as a share of the same fits' wall time: robust to load swings between separate runs.
  const later = perRun.slice(1);
  const hookMs = later.map((a) => names.reduce((t, n) => t + a[n].fit + a[n].epoch + a[n].batch, 0));
  const shares = later.map((a, i) => hookMs[i] / a.__fitMs);
  rows.push(
    "",
    `All callback hooks together: median ${median(hookMs).toFixed(0)} ms per fit, ${(100 * median(shares)).toFixed(1)} % of the fit's wall time ` +
      `(median ${median(later.map((a) => a.__fitMs)).toFixed(0)} ms), i.e. about ${(1 / (1 - median(shares))).toFixed(3)}× the same fit without callbacks.`,
  );
  return { table: rows.join("\n"), runs: later.length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [repeats, limit, epochs] = process.argv.slice(2).map(Number);
  console.log(await main({ repeats: repeats || undefined, limit: limit || undefined, epochs: epochs || undefined }));
}
