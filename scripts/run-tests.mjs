// Runs every test/**/*.test.ts with Node's built-in runner (tsx strips the types). Node 20's `--test` takes no
// globs, so the files are listed here. Extra arguments are passed through (e.g. a file name to run one suite).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function findTests(dir) {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === "fixtures" ? [] : findTests(path);
      return name.endsWith(".test.ts") ? [path] : [];
    })
    .sort();
}

const args = process.argv.slice(2);
const files = args.length > 0 ? args : findTests("test");
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-reporter=spec", "--test-concurrency=2", ...files],
  { stdio: "inherit", env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2" } },
);
process.exit(result.status ?? 1);
