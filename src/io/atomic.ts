import { promises as fs } from "node:fs";
import * as path from "node:path";

let counter = 0;

/** A fresh sibling path of `target` for writing before the rename (same folder, so rename is atomic). */
export function tempSibling(target: string): string {
  const dir = path.dirname(target);
  return path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-${Date.now()}-${counter++}`);
}

/** Writes a file beside `target`, fsyncs it, then renames it over `target`. */
export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(target)), { recursive: true });
  const tmp = tempSibling(target);
  try {
    const handle = await fs.open(tmp, "wx");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Fills a fresh folder beside `target` with `fill`, then swaps it in. At every moment either the old folder or
 * the new complete one is at `target` (or, for an instant between two renames, the old one under a side name,
 * which a crash would leave behind rather than lose).
 */
export async function writeDirAtomic(
  target: string,
  fill: (dir: string) => Promise<void>,
  replaceable: (names: string[]) => boolean = () => true,
): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(target)), { recursive: true });
  const existing = await fs.readdir(target).catch(() => undefined);
  if (existing !== undefined && existing.length > 0 && !replaceable(existing)) {
    // Never delete what the user keeps there: a model folder is replaced only when it holds nothing else.
    throw new Error(`filepath: ${target} is a folder with other files in it (${existing.slice(0, 3).join(", ")}…); choose a new or empty folder for the model`);
  }
  const tmp = tempSibling(target);
  await fs.mkdir(tmp);
  try {
    await fill(tmp);
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
  const stat = await fs.stat(target).catch(() => undefined);
  if (stat && !stat.isDirectory()) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw new Error(`cannot save a model folder to ${target}: a file is already there`);
  }
  const old = stat ? tempSibling(target) + ".old" : undefined;
  if (old) await fs.rename(target, old);
  await fs.rename(tmp, target);
  if (old) await fs.rm(old, { recursive: true, force: true });
}
