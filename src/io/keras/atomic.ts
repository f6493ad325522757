import { promises as fs } from "node:fs";
import * as path from "node:path";

let counter = 0;

/**
 * Writes `data` to a temporary file beside `target`, syncs it and renames it over `target`: a crash mid-save never
 * leaves a truncated archive where a good checkpoint was. Same folder, so the rename is atomic.
 */
export async function writeFileAtomic(target: string, data: Uint8Array): Promise<void> {
  const dir = path.dirname(path.resolve(target));
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-${Date.now()}-${counter++}`);
  const handle = await fs.open(tmp, "wx");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
