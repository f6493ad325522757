// `npm run bench`: every benchmark of issue 13 in one run, written to bench/results.md with the machine described.
// BENCH_QUICK=1 runs fewer repeats (a smoke run); BENCH_BACKEND picks the backend (default wasm).
import { execSync, spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";

const quick = process.env.BENCH_QUICK === "1";
const sections = [];
const machine = () => {
  const load = (() => { try { return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "); } catch { return "n/a"; } })();
  const nproc = (() => { try { return execSync("nproc").toString().trim(); } catch { return String(cpus().length); } })();
  return [
    `- date: ${new Date().toISOString()}`,
    `- nproc: ${nproc}; CPU: ${cpus()[0]?.model ?? "unknown"}`,
    `- Node ${process.version}; tfjs ${tf.version.tfjs}; backend ${process.env.BENCH_BACKEND ?? "wasm"}`,
    `- load average at start: ${load} — on a shared machine absolute times inflate; the ratios of interleaved variants are what count`,
  ].join("\n");
};
const header = machine();
const run = async (file, opts) => {
  const t0 = performance.now();
  const { main } = await import(`./${file}`);
  sections.push(await main(opts));
  console.error(`${file}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
};
await run("callbacks.mjs", { repeats: quick ? 2 : 7, limit: 2000, epochs: 3 });
await run("callbacks.mjs", { repeats: quick ? 1 : 3, limit: 10000, epochs: 3, perCallback: false });
await run("step-anatomy.mjs", { steps: quick ? 5 : 30 });
await run("charts.mjs", { repeats: quick ? 2 : 7 });
await run("memory.mjs", { limit: quick ? 200 : 500 });
{
  // Through tsx: it reuses the kernel tests' set-up (a private tslab kernelspec and notebook folder).
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["--import", "tsx", new URL("./first-chart.ts", import.meta.url).pathname, quick ? "1" : "3"], { encoding: "utf8", timeout: 900_000 });
  sections.push(r.status === 0 ? r.stdout.trim() : `### Time to the first chart in a fresh tslab kernel (target 4)\n\nFailed: ${r.stderr.slice(-500)}`);
  console.error(`first-chart.ts: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
const text = [`# tslab-fit benchmarks (issue 13)`, "", "Reproduce: `npm run bench` (one to two minutes on a quiet 2-core machine).", "", header, "", ...sections.flatMap((s) => [s, ""])].join("\n");
writeFileSync(new URL("./results.md", import.meta.url), text);
console.log(text);
