// The one place that knows which notebook kernel hosts tslab-fit: tslab (tslab.ts) or Deno's kernel (deno.ts).
// Everything else asks `inNotebook()` and draws through `NotebookOutput`.
import { randomBytes } from "node:crypto";
import { denoOutputsDrained, inDenoKernel, showInDeno } from "./deno.js";
import { inTslab, showInTslab, type TslabOutputState } from "./tslab.js";
import type { MimeBundle } from "./bundle.js";

/** The notebook kernels tslab-fit draws into. */
export type NotebookHost = "tslab" | "deno";

/** Which notebook kernel this code runs in, or undefined in plain Node, Deno scripts, tests… */
export function notebookHost(): NotebookHost | undefined {
  if (inTslab()) return "tslab";
  if (inDenoKernel()) return "deno";
  return undefined;
}

/** True inside a notebook kernel that tslab-fit can draw into (tslab or Deno). */
export function inNotebook(): boolean {
  return notebookHost() !== undefined;
}

/**
 * Resolves when the outputs sent so far will reach the notebook as part of the running cell. Awaited at the end of
 * every awaited display call (charts, LivePlot's final update, the progress display's last one). Immediate in tslab;
 * in Deno's kernel it waits out the kernel's publishing queue (see deno.ts).
 */
export async function outputsDelivered(): Promise<void> {
  if (notebookHost() === "deno") await denoOutputsDrained();
}

/**
 * One output area in the notebook that can be replaced in place: the first `show` sends `display_data`, later ones
 * `update_display_data` with the same display id, wherever the output is (even from a later cell). Outside a
 * notebook `show` does nothing and returns false.
 */
export class NotebookOutput {
  readonly displayId = randomBytes(8).toString("hex");
  private shown = false;
  private readonly tslab: TslabOutputState = {};
  /** How the last bundle went out: "bundle" (all MIME types), "single" (tslab's public API fallback) or "none". */
  lastRoute: "bundle" | "single" | "none" = "none";

  show(bundle: MimeBundle): boolean {
    const host = notebookHost();
    const route =
      host === "tslab"
        ? showInTslab(bundle, this.displayId, this.shown, this.tslab)
        : host === "deno" && showInDeno(bundle, this.displayId, this.shown)
          ? "bundle"
          : "none";
    if (route === "none") return false;
    this.shown = true;
    this.lastRoute = route;
    return true;
  }

  get isShown(): boolean {
    return this.shown;
  }
}
