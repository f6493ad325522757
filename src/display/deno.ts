// The only file that knows Deno's Jupyter kernel (`deno jupyter`). Its public `Deno.jupyter` namespace exists only
// inside the kernel: elsewhere reading it throws, so every access is guarded.
import type { MimeBundle } from "./bundle.js";

interface IopubContent {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  transient: { display_id: string };
}
/** The bit of `Deno.jupyter` used here (Deno ≥ 1.39; checked with 2.9). */
interface DenoJupyter {
  broadcast?(msgType: string, content: IopubContent): unknown;
  display?(obj: unknown, options: { raw: boolean; update: boolean; display_id: string }): unknown;
}

/** `Deno.jupyter` inside Deno's kernel, else undefined. */
function denoJupyter(): DenoJupyter | undefined {
  const deno = (globalThis as { Deno?: { jupyter?: unknown } }).Deno;
  if (typeof deno !== "object" || deno === null) return undefined;
  try {
    const jupyter = deno.jupyter as DenoJupyter | undefined;
    return jupyter && (typeof jupyter.broadcast === "function" || typeof jupyter.display === "function") ? jupyter : undefined;
  } catch {
    return undefined; // "Deno.jupyter is only available in `deno jupyter` subcommand"
  }
}

/**
 * Deno's kernel publishes what a cell sends from a queue on another thread, and reports the cell finished (status
 * idle) without waiting for that queue: an output still queued then arrives after the cell ended and front ends drop
 * it (or it lands in the next cell). So an awaited chart call waits this long after its last send before it returns.
 */
const DRAIN_MS = 200;
let lastSentAt = -Infinity;

/** Resolves once DRAIN_MS have passed since the last output sent to Deno's kernel (at once if none is recent). */
export async function denoOutputsDrained(): Promise<void> {
  const wait = lastSentAt + DRAIN_MS - performance.now();
  if (wait > 0) await new Promise<void>((resolve) => setTimeout(resolve, wait));
}

/** True inside Deno's Jupyter kernel. */
export function inDenoKernel(): boolean {
  return denoJupyter() !== undefined;
}

/**
 * Sends a bundle as `display_data` (or `update_display_data` for the same display id). `broadcast` is preferred to
 * `display(bundle, { raw: true })` because only it carries per-type metadata (the 2× PNG's logical width/height);
 * `display` is the fallback. Returns false outside the kernel.
 */
export function showInDeno(bundle: MimeBundle, displayId: string, update: boolean): boolean {
  const jupyter = denoJupyter();
  if (!jupyter) return false;
  const warn = (e: unknown) => console.warn(`tslab-fit: Deno's kernel refused a notebook output: ${String(e)}`);
  try {
    const sent =
      typeof jupyter.broadcast === "function"
        ? jupyter.broadcast(update ? "update_display_data" : "display_data", {
            data: bundle.data,
            metadata: bundle.metadata ?? {},
            transient: { display_id: displayId },
          })
        : jupyter.display!(bundle.data, { raw: true, update, display_id: displayId });
    // `display` (and `broadcast` in older kernels) returns a promise: a failed send must not become an unhandled
    // rejection in the middle of training.
    if (sent instanceof Promise) sent.catch(warn);
    lastSentAt = performance.now();
    return true;
  } catch (e) {
    warn(e);
    return false;
  }
}
