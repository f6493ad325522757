// tslab-fit linked into a folder from outside node_modules (as `npm link` / `npm install ../tslab-fit` leave it) and
// imported by a plain Deno script (`deno run`, not a notebook): the package entry (dist/main.cjs) must be read as
// CommonJS and expose every export by name (Deno once failed with "exports is not defined" here), Node must load the
// same names, and outside a notebook a chart goes to a file.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ensureBuilt, REPO } from "../display/kernel-env.js";
import { denoBinary, makeDenoKernelEnv } from "./deno-env.js";

const SCRIPT = `import * as tf from "@tensorflow/tfjs";
import * as tslabFit from "tslab-fit";
import { fit, inNotebook, plotHistory } from "tslab-fit";
await tf.setBackend("cpu");
const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
const history = await fit(model, tf.randomNormal([16, 2]), tf.randomNormal([16, 1]), { epochs: 2, verbose: 0 });
await plotHistory(history, { path: "history.svg" });
console.log(JSON.stringify({ names: Object.keys(tslabFit), inNotebook: inNotebook(), epochs: history.epoch.length }));
`;

test("Deno script: a linked tslab-fit loads with every export named, trains, and writes charts to files", { timeout: 120_000 }, (t) => {
  if (!denoBinary()) return t.skip('no Deno binary under node_modules/@deno/ (the npm package "deno" ships it: npm install)');
  ensureBuilt();
  const env = makeDenoKernelEnv(); // its notebook folder: node_modules/tslab-fit -> this repo, deno.json
  writeFileSync(join(env.notebookDir, "script.ts"), SCRIPT);
  const run = spawnSync(denoBinary()!, ["run", "-A", "script.ts"], { cwd: env.notebookDir, env: env.env, encoding: "utf8", timeout: 100_000 });
  assert.equal(run.status, 0, run.stderr.slice(-4000));
  const result = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
  assert.equal(result.inNotebook, false, "deno run is not a notebook");
  assert.equal(result.epochs, 2);
  assert.match(run.stdout, /chart written to .*history\.svg/);
  assert.match(readFileSync(join(env.notebookDir, "history.svg"), "utf8"), /^<svg/);

  // Node, from the same folder, through the same entry: the same names as the library's index.
  const node = spawnSync(process.execPath, ["-e", 'console.log(require.resolve("tslab-fit")); console.log(JSON.stringify(Object.keys(require("tslab-fit"))))'], {
    cwd: env.notebookDir,
    encoding: "utf8",
  });
  assert.equal(node.status, 0, node.stderr);
  const [entry, names] = node.stdout.trim().split("\n");
  assert.equal(entry, join(REPO, "dist", "main.cjs"));
  const library = Object.keys(require(join(REPO, "dist", "index.js"))).filter((n) => n !== "__esModule");
  assert.deepEqual(JSON.parse(names).sort(), [...library].sort());
  const denoNames = (result.names as string[]).filter((n) => n !== "default" && n !== "module.exports" && n !== "__esModule");
  assert.deepEqual(denoNames.sort(), [...library].sort(), "Deno sees every export by name");
});
