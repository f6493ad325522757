// The CPU-heavy half of writing a `.keras` file (HDF5 + ZIP), from a snapshot of the model. Kept free of tfjs: it
// runs after the snapshot, while training goes on (ModelCheckpoint's background writes).
import { writeH5, type H5Tree } from "./h5.js";
import { buildZip, DOS_EPOCH } from "./zip.js";

/** Everything a `.keras` archive holds, copied out of the model at one moment: JSON texts and weight values. */
export interface ArchiveSnapshot {
  metadataJson: string;
  configJson: string;
  weights: H5Tree;
  savedAt: Date;
}

/** The archive's bytes; `pause` (if given) is awaited between chunks of the work, to interleave it with training. */
export async function archiveBytes(s: ArchiveSnapshot, pause?: () => Promise<void>): Promise<Uint8Array> {
  const enc = new TextEncoder();
  const weights = await writeH5(s.weights, pause);
  await pause?.();
  return buildZip([
    { name: "metadata.json", data: enc.encode(s.metadataJson), mtime: DOS_EPOCH() },
    { name: "config.json", data: enc.encode(s.configJson), mtime: DOS_EPOCH() },
    { name: "model.weights.h5", data: weights, mtime: s.savedAt },
  ]);
}
