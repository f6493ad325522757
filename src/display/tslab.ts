// The only file that knows tslab's internals. Everything is feature-detected and looked up at call time, because
// tslab swaps its display writer at the start of every cell execution (see docs/display.md, "How it works").

import type { MimeBundle } from "./bundle.js";

interface TslabDisplay {
  raw(contentType: string, value: string | Uint8Array): void;
}
/** The bit of tslab's public module used here (`import * as tslab from "tslab"`). */
export interface TslabModule {
  newDisplay(): TslabDisplay;
}
type WriteDisplayData = (
  displayData: { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: { display_id: string } },
  update: boolean,
) => void;

let explicitTslab: TslabModule | undefined;

/**
 * Hands tslab-fit the kernel's `tslab` module explicitly (`import * as tslab from "tslab"; useTslab(tslab)`), for
 * setups where it cannot be found on its own. Normally unnecessary.
 */
export function useTslab(tslab: TslabModule | undefined): void {
  explicitTslab = tslab;
}

/** True inside the tslab kernel: tslab sets `globalThis.__tslab__` before any cell runs. */
export function inTslab(): boolean {
  const t = (globalThis as { __tslab__?: { require?: unknown } }).__tslab__;
  return explicitTslab !== undefined || (typeof t === "object" && t !== null && typeof t.require === "function");
}

/** The running kernel's own public tslab module (a plain `require("tslab")` may find another, unconnected copy). */
function kernelTslab(): TslabModule | undefined {
  if (explicitTslab) return explicitTslab;
  const t = (globalThis as { __tslab__?: { require?: (id: string) => unknown } }).__tslab__;
  if (!t || typeof t.require !== "function") return undefined;
  try {
    const mod = t.require("tslab") as TslabModule;
    return mod && typeof mod.newDisplay === "function" ? mod : undefined;
  } catch {
    return undefined;
  }
}

/**
 * tslab's internal `lastWriteDisplayData` from the kernel's own `dist/jupyter.js`: found as the sibling of the
 * `require.cache` entry whose exports are the kernel's public module. It can send a bundle of several MIME types,
 * with metadata and a display id of our choosing. Undefined when tslab's internals ever change.
 */
function kernelWriter(): WriteDisplayData | undefined {
  const pub = kernelTslab();
  const cache = typeof require === "function" ? require.cache : undefined;
  if (!pub || !cache) return undefined;
  for (const [path, entry] of Object.entries(cache)) {
    if (entry?.exports !== pub) continue;
    const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
    const jupyter = cache[`${path.slice(0, cut + 1)}jupyter.js`];
    const fn = (jupyter?.exports as { lastWriteDisplayData?: unknown } | undefined)?.lastWriteDisplayData;
    if (typeof fn === "function") return fn as WriteDisplayData;
  }
  return undefined;
}

/** Which MIME type to send when only one can go (tslab's public API): the richest a front end can show. */
const SINGLE_MIME_PREFERENCE = ["application/vnd.vegalite.v5+json", "text/html", "image/png", "text/plain"];

/** What one notebook output keeps between sends inside tslab: the public display used when internals are missing. */
export interface TslabOutputState {
  fallback?: TslabDisplay;
}

/**
 * Sends a bundle inside tslab: all MIME types with metadata under `displayId` through the kernel's display writer
 * (`display_data`, or `update_display_data` when `update`), else the richest single type through tslab's public
 * `newDisplay().raw()`, kept in `state` so later sends replace the same output. "none" outside tslab.
 */
export function showInTslab(bundle: MimeBundle, displayId: string, update: boolean, state: TslabOutputState): "bundle" | "single" | "none" {
  if (!inTslab()) return "none";
  const writer = kernelWriter();
  if (writer) {
    writer({ data: bundle.data, metadata: bundle.metadata ?? {}, transient: { display_id: displayId } }, update);
    return "bundle";
  }
  const tslab = kernelTslab();
  if (!tslab) return "none";
  const mime = SINGLE_MIME_PREFERENCE.find((m) => m in bundle.data) ?? Object.keys(bundle.data)[0];
  if (mime === undefined) return "none";
  state.fallback ??= tslab.newDisplay();
  // tslab passes the value through untouched, so a spec object arrives as JSON (a string would be read as a URL).
  state.fallback.raw(mime, bundle.data[mime] as string);
  return "single";
}
