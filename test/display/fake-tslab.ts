// A stand-in for the tslab kernel's display plumbing: `globalThis.__tslab__`, the kernel's public module and its
// sibling dist/jupyter.js in require.cache, as the real kernel has them. Messages are recorded instead of sent.
import Module from "node:module";
import { join } from "node:path";

export interface Sent {
  displayData: { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: { display_id: string } };
  update: boolean;
  writer: string;
}

export interface FakeTslab {
  sent: Sent[];
  raw: { mime: string; value: unknown; id: string }[];
  /** tslab rebinds the writer per cell; simulate a new cell. */
  newCell(name: string): void;
  /** Drop jupyter.js from the cache, as if tslab's internals changed. */
  breakInternals(): void;
  uninstall(): void;
}

export function installFakeTslab(): FakeTslab {
  const dir = join("/fake-kernel", "node_modules", "tslab", "dist");
  const sent: Sent[] = [];
  const raw: FakeTslab["raw"] = [];
  let counter = 0;
  const publicModule = {
    newDisplay() {
      const id = `public-${counter++}`;
      return { raw: (mime: string, value: unknown) => raw.push({ mime, value, id }) };
    },
  };
  const jupyterExports: { lastWriteDisplayData: unknown } = { lastWriteDisplayData: null };
  const makeWriter = (name: string) => (displayData: Sent["displayData"], update: boolean) =>
    sent.push({ displayData, update, writer: name });
  jupyterExports.lastWriteDisplayData = makeWriter("cell-1");

  const cache = require.cache as Record<string, unknown>;
  const publicPath = join(dir, "public.js");
  const jupyterPath = join(dir, "jupyter.js");
  const pub = new Module(publicPath);
  pub.exports = publicModule;
  const jup = new Module(jupyterPath);
  jup.exports = jupyterExports;
  cache[publicPath] = pub;
  cache[jupyterPath] = jup;
  (globalThis as Record<string, unknown>).__tslab__ = {
    exports: {},
    require: (id: string) => {
      if (id !== "tslab") throw new Error(`fake tslab cannot require ${id}`);
      return publicModule;
    },
  };
  return {
    sent,
    raw,
    newCell: (name) => (jupyterExports.lastWriteDisplayData = makeWriter(name)),
    breakInternals: () => delete cache[jupyterPath],
    uninstall: () => {
      delete cache[publicPath];
      delete cache[jupyterPath];
      delete (globalThis as Record<string, unknown>).__tslab__;
    },
  };
}
