// Can tfjs-backend-wasm's threaded SIMD build run in Node, and does it pay? (issue 13, target 2, "both cores")
// tfjs 4.22 refuses threads in Node (WASM_HAS_MULTITHREAD_SUPPORT is hard-wired false there, tfjs issue #3830). This
// experiment forces it, working around the three things that then break, and times matrix products and the seed
// MLP's training step against the single-threaded SIMD build, each variant in its own process, alternating:
//   1. the pthread worker script is handed to Node's worker_threads as a blob: URL, which Node refuses
//      (ERR_WORKER_PATH) — here URL.createObjectURL returns a file written to a temporary folder;
//   2. each worker must evaluate the emscripten glue, which tfjs ships only inside its bundle (with the bundle's
//      private `require$$N` and `commonjsGlobal` names) — here it is cut out of the bundle's text into that file;
//   3. the glue sizes its thread pool as logical cores / 2, i.e. 1 thread on a 2-core machine, whatever
//      setThreadsCount says — here os.cpus() is made to report twice the cores while the backend starts.
// Not for production (it depends on the bundle's text); it answers whether shipping such a start would pay.
//   npm run build && node bench/wasm-threads.mjs [rounds=3]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];

async function child(threaded) {
  const tf = await import("@tensorflow/tfjs");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  let dir;
  if (threaded) {
    const require = createRequire(import.meta.url);
    const lines = readFileSync(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.node.js"), "utf8").split("\n");
    const start = lines.findIndex((l) => l.includes("var WasmBackendModuleThreadedSimd = (function () {"));
    const end = lines.findIndex((l, i) => i > start && l.includes("module.exports = WasmBackendModuleThreadedSimd;"));
    const contentsLine = lines.find((l) => l.startsWith("var wasmWorkerContents = "));
    if (start < 0 || end < 0 || !contentsLine) throw new Error("the tfjs-backend-wasm bundle no longer has the expected glue");
    dir = mkdtempSync(join(tmpdir(), "wasm-threads-"));
    const prelude = 'var require$$0 = require("fs"), require$$1 = require("path"), require$$3 = require("perf_hooks"), require$$4 = require("os"), commonjsGlobal = globalThis;\n';
    writeFileSync(join(dir, "glue.js"), prelude + lines.slice(start, end).join("\n"));
    const workerContents = JSON.parse(contentsLine.slice("var wasmWorkerContents = ".length).replace(/;\s*$/, ""));
    writeFileSync(
      join(dir, "worker.js"),
      workerContents.replace(/\n/g, "\\n") +
        `\nglobal.importScripts = function () { (0, eval)(require("fs").readFileSync(${JSON.stringify(join(dir, "glue.js"))}, "utf8") + "\\nglobal.WasmBackendModuleThreadedSimd = WasmBackendModuleThreadedSimd;"); };\n`,
    );
    const os = createRequire(import.meta.url)("os");
    const [cpus, objectUrl] = [os.cpus, URL.createObjectURL];
    os.cpus = () => [...cpus(), ...cpus()];
    URL.createObjectURL = () => join(dir, "worker.js");
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
    try {
      if (!(await tf.setBackend("wasm"))) throw new Error("the threaded backend did not start");
    } finally {
      os.cpus = cpus;
      URL.createObjectURL = objectUrl;
    }
  } else {
    await tf.setBackend("wasm");
  }
  const out = { threads: wasm.getThreadsCount() };
  const time = (f, n) => {
    for (let i = 0; i < 5; i++) f();
    const t = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      f();
      t.push(performance.now() - t0);
    }
    return median(t);
  };
  const w = tf.randomNormal([784, 64]);
  for (const rows of [32, 128, 512]) {
    const a = tf.randomNormal([rows, 784]);
    out[`matMul ${rows}×784·784×64`] = time(() => tf.matMul(a, w).dispose(), 200);
    a.dispose();
  }
  const { digits, makeMlp } = await import("./common.mjs");
  const { x, yFloat } = digits(2000);
  const model = makeMlp(1);
  const train = model.model.makeTrainFunction();
  for (const size of [32, 512]) {
    const inputs = [x.slice([0, 0], [size, 784]), yFloat.slice([0], [size])];
    out[`seed MLP train step, batch ${size}`] = time(() => tf.dispose(train(inputs)), size === 32 ? 200 : 40);
    tf.dispose(inputs);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  return out;
}

export async function main({ rounds = 3 } = {}) {
  const results = { single: [], threaded: [] };
  for (let r = 0; r < rounds; r++) {
    for (const variant of r % 2 === 0 ? ["single", "threaded"] : ["threaded", "single"]) {
      const p = spawnSync(process.execPath, [new URL(import.meta.url).pathname, "--child", variant], { encoding: "utf8", timeout: 300_000 });
      const line = p.stdout.split("\n").find((l) => l.startsWith("{"));
      if (!line) return `### Threaded wasm in Node (target 2)\n\nThe ${variant} run failed: ${p.stderr.slice(-400)}`;
      results[variant].push(JSON.parse(line));
    }
  }
  const keys = Object.keys(results.single[0]).filter((k) => k !== "threads");
  return [
    `### Threaded wasm in Node (target 2): tfjs-backend-wasm's threaded SIMD build forced to start, ${rounds} processes per variant, alternating`,
    "",
    `Threads: single ${results.single[0].threads}, threaded ${results.threaded[0].threads}.`,
    "",
    "| ms (median) | single-threaded SIMD | threaded SIMD | ratio |",
    "|---|---:|---:|---:|",
    ...keys.map((k) => {
      const [s, t] = [median(results.single.map((r) => r[k])), median(results.threaded.map((r) => r[k]))];
      return `| ${k} | ${s.toFixed(3)} | ${t.toFixed(3)} | ${(t / s).toFixed(2)} |`;
    }),
  ].join("\n");
}

if (process.argv[2] === "--child") {
  console.log(JSON.stringify(await child(process.argv[3] === "threaded")));
  process.exit(0); // the pthread workers would keep the process alive
} else if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await main({ rounds: Number(process.argv[2]) || undefined }));
}
