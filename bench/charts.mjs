// Target 4 of issue 13: what a LivePlot update costs (spec + PNG), a fresh render vs one reusing a kept Vega view,
// the PNG. (LivePlot's share of a 10-epoch seed run and the time to the first chart in a fresh tslab kernel are
// measured by bench/first-chart.ts through a real kernel.)
//   npm run build && node bench/charts.mjs [repeats=7]
import { chartSpec, renderChart, renderSvg, svgToPng } from "../dist/display/index.js";
import { clearViewCache } from "../dist/display/view-cache.js";
import { median } from "./common.mjs";

const rowsOf = (n, k = 1) => Array.from({ length: n }, (_, i) => ({ epoch: i + 1, loss: k / (i + 1), accuracy: 0.5 + i / (30 * k), val_loss: (1.1 * k) / (i + 1), val_accuracy: 0.45 + i / 31 }));

export async function main({ repeats = 7 } = {}) {
  const spec = (k, epochs = 10) => chartSpec({ rows: rowsOf(epochs, k), events: [] }, {});
  await renderChart(spec(1)); // loads vega, vega-lite and resvg once
  const times = { "spec (build the Vega-Lite JSON)": [], "SVG, fresh (compile + parse + run)": [], "SVG, kept view (data swapped)": [], "SVG, kept view, 14 epochs (ticks swapped too)": [], "PNG from SVG (resvg draws, zlib encodes, 2×)": [] };
  for (let r = 0; r < repeats; r++) {
    let t0 = performance.now();
    const s = spec(1 + r);
    times["spec (build the Vega-Lite JSON)"].push(performance.now() - t0);
    clearViewCache();
    t0 = performance.now();
    const { svg } = await renderSvg(s);
    times["SVG, fresh (compile + parse + run)"].push(performance.now() - t0);
    t0 = performance.now();
    await renderSvg(spec(2 + r));
    times["SVG, kept view (data swapped)"].push(performance.now() - t0);
    t0 = performance.now();
    await renderSvg(spec(2 + r, 14));
    times["SVG, kept view, 14 epochs (ticks swapped too)"].push(performance.now() - t0);
    t0 = performance.now();
    await svgToPng(svg);
    times["PNG from SVG (resvg draws, zlib encodes, 2×)"].push(performance.now() - t0);
  }
  return [
    `### Chart updates (target 4): a 10-epoch history chart (loss + accuracy panels), ${repeats} runs`,
    "",
    "| step | median ms |",
    "|---|---:|",
    ...Object.entries(times).map(([k, t]) => `| ${k} | ${median(t).toFixed(1)} |`),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [repeats] = process.argv.slice(2).map(Number);
  console.log(await main({ repeats: repeats || undefined }));
}
