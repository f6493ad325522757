// The README's "In a Deno notebook" commands, run as written in a fresh folder and home: `deno jupyter --install`
// (the Deno binary of the npm package `deno` stands in for an installed Deno), `npm install tslab-fit
// @tensorflow/tfjs` (tslab-fit is not on the registry, so it comes from this repo's `npm pack` tarball; the rest from
// npm's cache or the registry), the deno.json. Then the kernel that --install registered runs a notebook there, and
// `deno check` (Deno's TypeScript 6) type-checks a notebook-style consumer against the installed copy.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "../helpers.js";
import { ensureBuilt, PYTHON, REPO } from "../display/kernel-env.js";
import { denoBinary, denoSkipReason } from "./deno-env.js";

const VL = "application/vnd.vegalite.v5+json";
const NETWORK = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|ENOTCACHED/;

/** The shell commands of the README's "In a Deno notebook" section, comments dropped. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const section = readme.split("### In a Deno notebook")[1]?.split(/\n##+ /)[0];
  assert.ok(section, 'README has an "In a Deno notebook" section');
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, "with a bash block");
  return block.split("\n").map((l) => l.replace(/\s+#.*$/, "").trim()).filter(Boolean);
}

const CELL = `import * as tf from "@tensorflow/tfjs";
import { createRequire } from "node:module";
import { fit, LivePlot, useBestBackend } from "tslab-fit";
await useBestBackend({ quiet: true });
console.log("tslab-fit from " + createRequire(Deno.cwd() + "/").resolve("tslab-fit") + " on " + tf.getBackend());
const model = tf.sequential({ layers: [tf.layers.dense({ units: 8, activation: "relu", inputShape: [2] }), tf.layers.dense({ units: 1 })] });
model.compile({ optimizer: "adam", loss: "meanSquaredError" });
const x = tf.randomNormal([64, 2]);
const history = await fit(model, x, x.sum(1, true), { epochs: 3, validationSplit: 0.25, callbacks: [new LivePlot()] });
await history.plot();`;

test("README's Deno set-up commands work: kernel registered, packages installed, a notebook draws inline", { timeout: 300_000 }, async (t) => {
  const reason = denoSkipReason();
  if (reason) return t.skip(reason);
  ensureBuilt();
  const started = Date.now();
  const phase = (name: string) => t.diagnostic(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const root = tempDir("tslab-fit-deno-install-");
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const home = join(root, "home");
  const bin = join(root, "bin");
  const nb = join(root, "notebooks");
  for (const dir of [home, bin, nb]) mkdirSync(dir, { recursive: true });
  symlinkSync(denoBinary()!, join(bin, "deno"));
  const pack = spawnSync("npm", ["pack", "--ignore-scripts", "--pack-destination", root], { cwd: REPO, encoding: "utf8" });
  assert.equal(pack.status, 0, pack.stderr);
  const tarball = join(root, pack.stdout.trim().split("\n").at(-1)!);

  const commands = readmeCommands();
  assert.ok(commands.some((c) => c.startsWith("deno jupyter --install")), commands.join("\n"));
  assert.ok(commands.some((c) => /^npm install .*\btslab-fit\b.*@tensorflow\/tfjs/.test(c)), commands.join("\n"));
  const script = commands
    .map((c) => (c.startsWith("npm install") ? `${c.replace(/(?<=\s)tslab-fit(?=\s|$)/, tarball)} --prefer-offline --no-audit --no-fund` : c))
    .join("\n");
  // A fresh home, but npm keeps the user's cache (a new home would mean a new, empty cache: every package downloaded).
  const npmCache = spawnSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).stdout.trim();
  const env: NodeJS.ProcessEnv = {
    ...process.env, HOME: home, PATH: `${bin}:${process.env.PATH}`, npm_config_cache: npmCache, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1",
  };
  for (const k of Object.keys(env)) if (k.startsWith("JUPYTER_") || k === "DENO_DIR" || k === "XDG_DATA_HOME") delete env[k];
  const setup = spawnSync("bash", ["-e", "-c", script], { cwd: nb, env, encoding: "utf8", timeout: 240_000 });
  if (setup.status !== 0 && NETWORK.test(setup.stderr)) return t.skip(`npm registry unreachable: ${setup.stderr.match(NETWORK)![0]}`);
  phase("packed and installed");
  assert.equal(setup.status, 0, `README commands failed:\n${script}\n${setup.stderr.slice(-3000)}`);

  // What the commands left: a kernelspec in the user's Jupyter folder, one real copy of each package.
  const spec = JSON.parse(readFileSync(join(home, ".local", "share", "jupyter", "kernels", "deno", "kernel.json"), "utf8"));
  assert.deepEqual(spec.argv.slice(1), ["jupyter", "--kernel", "--conn", "{connection_file}"]);
  assert.ok(existsSync(spec.argv[0]), `kernel binary ${spec.argv[0]}`);
  assert.deepEqual(JSON.parse(readFileSync(join(nb, "deno.json"), "utf8")), { nodeModulesDir: "manual" });
  assert.ok(existsSync(join(nb, "node_modules", "tslab-fit", "dist", "main.cjs")));
  assert.ok(!existsSync(join(nb, "node_modules", "tslab-fit", "node_modules", "@tensorflow", "tfjs")), "no second tfjs");

  // The registered kernel (found the way Jupyter finds a user's kernels) draws inline in that folder.
  const cells = join(root, "cells.json");
  const out = join(root, "out.json");
  writeFileSync(cells, JSON.stringify([{ code: CELL, late: 1 }]));
  const run = spawnSync(PYTHON, [join(__dirname, "..", "display", "kernel_driver.py"), cells, nb, out, "deno"], {
    env,
    encoding: "utf8",
    timeout: 200_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(run.status, 0, `driver failed:\n${run.stderr.slice(-4000)}`);
  const [cell] = JSON.parse(readFileSync(out, "utf8")).cells;
  const text = cell.messages.filter((m: any) => m.msg_type === "stream").map((m: any) => m.content.text).join("");
  assert.equal(cell.reply.status, "ok", text + JSON.stringify(cell.reply));
  assert.match(text, new RegExp(`tslab-fit from ${nb}/node_modules/tslab-fit/dist/main\\.cjs on wasm`));
  const plotted = cell.messages.filter((m: any) => m.msg_type === "display_data" && VL in m.content.data);
  assert.equal(plotted.length, 2, "LivePlot's chart and history.plot()'s");
  for (const m of plotted) assert.deepEqual(Object.keys(m.content.data).sort(), [VL, "image/png", "text/plain"]);

  phase("notebook ran");
  // Deno's TypeScript (6) type-checks the notebook-style consumer the tslab typings test uses.
  copyFileSync(join(REPO, "test", "fixtures", "consumer.ts"), join(nb, "consumer.ts"));
  const check = spawnSync("deno", ["check", "consumer.ts"], { cwd: nb, env, encoding: "utf8", timeout: 120_000 });
  assert.equal(check.status, 0, `deno check failed:\n${check.stdout}${check.stderr.slice(-4000)}`);
  phase("type-checked");
});
