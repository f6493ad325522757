// The CPU-heavy half of writing a `.keras` file (HDF5 + ZIP), from a snapshot taken on the training thread. Kept
// free of tfjs so it can run in a worker thread (see background-writer.ts).
import { writeFileAtomic } from "../atomic.js";
import { writeH5, type H5Tree } from "./h5.js";
import { buildZip, DOS_EPOCH } from "./zip.js";

/** Everything a `.keras` archive holds, copied out of the model at one moment: JSON texts and weight values. */
export interface ArchiveSnapshot {
  metadataJson: string;
  configJson: string;
  weights: H5Tree;
  savedAt: Date;
}

export async function archiveBytes(s: ArchiveSnapshot): Promise<Uint8Array> {
  const enc = new TextEncoder();
  const weights = await writeH5(s.weights);
  return buildZip([
    { name: "metadata.json", data: enc.encode(s.metadataJson), mtime: DOS_EPOCH() },
    { name: "config.json", data: enc.encode(s.configJson), mtime: DOS_EPOCH() },
    { name: "model.weights.h5", data: weights, mtime: s.savedAt },
  ]);
}

/** Builds the archive and writes it atomically: the file at `path` is the old one or the complete new one. */
export async function writeArchive(s: ArchiveSnapshot, path: string): Promise<void> {
  await writeFileAtomic(path, await archiveBytes(s));
}
