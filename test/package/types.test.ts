import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../helpers.js";

const repo = resolve(__dirname, "..", "..");

describe("the published typings under tslab's compiler", () => {
  it("dist/index.d.ts type-checks a notebook-style consumer with TypeScript 5.0 and moduleResolution node10", () => {
    assert.ok(existsSync(join(repo, "dist", "index.d.ts")), "run `npm run build` first (npm test does)");
    // tslab compiles cells with its own fork of TypeScript 5.0 and these hard-coded options (see tslab's converter).
    const ts = require("@tslab/typescript-for-tslab") as typeof import("typescript");
    assert.match(ts.version, /^5\.0\./);
    // A fresh project where "tslab-fit" resolves the way a user's install does: through node_modules, by main/types.
    const dir = tempDir("tslab-fit-consumer-");
    const modules = join(dir, "node_modules");
    mkdirSync(join(modules, "@tensorflow"), { recursive: true });
    symlinkSync(repo, join(modules, "tslab-fit"), "dir");
    for (const pkg of ["tfjs", "tfjs-core", "tfjs-layers", "tfjs-data", "tfjs-converter", "tfjs-backend-cpu", "tfjs-backend-webgl", "tfjs-backend-wasm"]) {
      if (existsSync(join(repo, "node_modules", "@tensorflow", pkg))) symlinkSync(join(repo, "node_modules", "@tensorflow", pkg), join(modules, "@tensorflow", pkg), "dir");
    }
    symlinkSync(join(repo, "node_modules", "@types"), join(modules, "@types"), "dir");
    copyFileSync(join(repo, "test", "fixtures", "consumer.ts"), join(dir, "consumer.ts"));
    const program = ts.createProgram([join(dir, "consumer.ts")], {
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2022.d.ts"],
      esModuleInterop: true,
      resolveJsonModule: true,
      skipLibCheck: true,
      noEmit: true,
      typeRoots: [join(modules, "@types")],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    assert.deepEqual(diagnostics, []);
    // It really resolved our declarations (not an `any` fallback): the file is part of the program.
    const files = program.getSourceFiles().map((f) => f.fileName);
    // The symlink resolves to the repo's real path.
    assert.ok(files.includes(join(repo, "dist", "index.d.ts")));
  });
});
