import { promises as fs } from "node:fs";
import * as path from "node:path";

let counter = 0;

type SideKind = "tmp" | "new" | "old";

/**
 * A fresh sibling path of `target` (same folder, so rename is atomic): `.name.tmp-…` while being written,
 * `.name.new-…` once complete, `.name.old-…` for the copy being replaced. The pid in the name tells whether the
 * process that made it is still alive.
 */
export function tempSibling(target: string, kind: SideKind = "tmp"): string {
  const dir = path.dirname(target);
  return path.join(dir, `.${path.basename(target)}.${kind}-${process.pid}-${Date.now()}-${counter++}`);
}

interface SideCopy {
  name: string;
  kind: SideKind;
  pid: number;
  /** Creation order: time, then the per-process counter. */
  order: [number, number];
}

/** The side copies of `target` lying in its folder (from this process or one that crashed). */
async function sideCopies(target: string): Promise<SideCopy[]> {
  const prefix = `.${path.basename(target)}.`;
  const names = await fs.readdir(path.dirname(target)).catch(() => [] as string[]);
  const copies: SideCopy[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(tmp|new|old)-(\d+)-(\d+)-(\d+)(?:\.old)?$/.exec(name.slice(prefix.length));
    // `.name.tmp-….old` is how earlier versions named the copy set aside.
    const kind = name.endsWith(".old") ? "old" : (m?.[1] as SideKind);
    if (m) copies.push({ name, kind, pid: Number(m[2]), order: [Number(m[3]), Number(m[4])] });
  }
  return copies.sort((a, b) => b.order[0] - a.order[0] || b.order[1] - a.order[1]); // newest first
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Finishes a folder replacement that a crash (kill -9, power loss) cut off between its two renames: when `target`
 * is missing, the newest complete side copy (`.name.new-…`, else the previous `.name.old-…`) is renamed back into
 * place. Side copies left by dead processes are then removed. Returns the recovered copy's name, if any.
 */
export async function recoverDir(target: string): Promise<string | undefined> {
  const copies = await sideCopies(target);
  if (copies.length === 0) return undefined;
  let recovered: string | undefined;
  if (!(await exists(target))) {
    const pick = copies.find((c) => c.kind === "new") ?? copies.find((c) => c.kind === "old");
    if (pick) {
      await fs.rename(path.join(path.dirname(target), pick.name), target);
      await fsyncDir(path.dirname(target));
      recovered = pick.name;
      console.warn(`tslab-fit: ${target} was missing after an interrupted save; recovered the ${pick.kind === "new" ? "new" : "previous"} copy (${pick.name})`);
    }
  }
  await removeDeadLeftovers(target, recovered);
  return recovered;
}

async function removeDeadLeftovers(target: string, skip?: string): Promise<void> {
  for (const c of await sideCopies(target)) {
    if (c.name !== skip && !processAlive(c.pid)) await fs.rm(path.join(path.dirname(target), c.name), { recursive: true, force: true });
  }
}

async function exists(p: string): Promise<boolean> {
  return (await fs.lstat(p).catch(() => undefined)) !== undefined;
}

/** fsync a folder so renames and new entries in it survive a power loss (a no-op where folders cannot be synced). */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, "r");
    await handle.sync();
  } catch {
    // Some platforms (Windows) cannot open or sync a folder; the rename itself is still atomic there.
  } finally {
    await handle?.close();
  }
}

/** fsync every file under `dir`, then the folders themselves: whatever `fill` wrote reaches the disk. */
async function fsyncTree(dir: string): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await fsyncTree(p);
    else if (entry.isFile()) {
      const handle = await fs.open(p, "r+");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  }
  await fsyncDir(dir);
}

/** Writes a file beside `target`, fsyncs it, then renames it over `target`: the file is whole, old or new. */
export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(target)), { recursive: true });
  if ((await fs.stat(target).catch(() => undefined))?.isDirectory()) {
    throw new Error(`${target} is a folder; saving a file there would need to delete it. Choose a file path (or remove the folder)`);
  }
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
  await fsyncDir(path.dirname(path.resolve(target)));
  await removeDeadLeftovers(target);
}

/**
 * Fills a fresh folder beside `target` with `fill`, fsyncs it, then swaps it in. A folder cannot be replaced by one
 * rename, so the swap takes two: the complete new copy is first renamed to `.name.new-…`, the old folder aside to
 * `.name.old-…`, then the new one into place. A crash between those renames leaves `target` missing but both
 * complete copies beside it; `recoverDir` (run by every later save and load) renames the new one into place.
 */
export async function writeDirAtomic(
  target: string,
  fill: (dir: string) => Promise<void>,
  replaceable: (names: string[]) => boolean = () => true,
): Promise<void> {
  const parent = path.dirname(path.resolve(target));
  await fs.mkdir(parent, { recursive: true });
  await recoverDir(target);
  const existing = await fs.readdir(target).catch(() => undefined);
  if (existing !== undefined && existing.length > 0 && !replaceable(existing)) {
    // Never delete what the user keeps there: a model folder is replaced only when it holds nothing else.
    throw new Error(`filepath: ${target} is a folder with other files in it (${existing.slice(0, 3).join(", ")}…); choose a new or empty folder for the model`);
  }
  const tmp = tempSibling(target);
  await fs.mkdir(tmp);
  try {
    await fill(tmp);
    await fsyncTree(tmp);
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
  const stat = await fs.stat(target).catch(() => undefined);
  if (stat && !stat.isDirectory()) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw new Error(`cannot save a model folder to ${target}: a file is already there`);
  }
  const ready = tempSibling(target, "new");
  await fs.rename(tmp, ready);
  const old = stat ? tempSibling(target, "old") : undefined;
  if (old) await fs.rename(target, old);
  await fs.rename(ready, target);
  await fsyncDir(parent);
  if (old) await fs.rm(old, { recursive: true, force: true });
}
