// Worker thread of background-writer.ts: builds and writes `.keras` archives off the training thread.
import { parentPort } from "node:worker_threads";
import { writeArchive, type ArchiveSnapshot } from "./archive.js";

parentPort?.on("message", async (job: { id: number; snapshot: ArchiveSnapshot; path: string }) => {
  try {
    await writeArchive(job.snapshot, job.path);
    parentPort!.postMessage({ id: job.id });
  } catch (error) {
    // The errno code travels too: a full disk is reported and survived, other failures stop fit.
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    parentPort!.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error), code });
  }
});
