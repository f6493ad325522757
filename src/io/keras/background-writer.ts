// Writes `.keras` archives on a worker thread, so a checkpoint costs the training thread only its snapshot (config
// text and weight values copied out, a few ms) while HDF5 + ZIP + the file write run on another core. Where workers
// are unavailable (or the worker dies) the same work runs on this thread: slower, never lost.
import { extname, join } from "node:path";
import { Worker } from "node:worker_threads";
import { writeArchive, type ArchiveSnapshot } from "./archive.js";

interface Job {
  snapshot: ArchiveSnapshot;
  path: string;
  resolve: () => void;
  reject: (e: Error) => void;
}

let worker: Worker | null | undefined; // null: unavailable here
let nextId = 0;
const jobs = new Map<number, Job>();

function startWorker(): Worker | null {
  if (worker !== undefined) return worker;
  try {
    // Beside this file in dist/ (archive-worker.js), or in src/ when run through tsx (the worker inherits its loader).
    const file = join(__dirname, `archive-worker${extname(__filename)}`);
    const w = new Worker(file);
    w.unref(); // an idle worker never keeps the process alive; ref'd while a write is pending
    w.on("message", (m: { id: number; error?: string; code?: string }) => settle(m.id, m.error, m.code));
    w.on("error", () => fallBack(w));
    w.on("exit", () => fallBack(w));
    worker = w;
  } catch {
    worker = null;
  }
  return worker;
}

function settle(id: number, error: string | undefined, code: string | undefined): void {
  const job = jobs.get(id);
  if (!job) return;
  jobs.delete(id);
  if (jobs.size === 0) worker?.unref();
  if (error) job.reject(Object.assign(new Error(error), code ? { code } : {}));
  else job.resolve();
}

/** The worker failed or exited: finish its pending writes on this thread and stop using workers. */
function fallBack(w: Worker): void {
  if (worker !== w) return;
  worker = null;
  const pending = [...jobs.values()];
  jobs.clear();
  for (const job of pending) writeArchive(job.snapshot, job.path).then(job.resolve, job.reject);
}

/**
 * Writes the archive atomically (old file or complete new one at `path`, never a partial one), off this thread
 * when possible. While a write is pending the process stays alive to finish it.
 */
export function writeArchiveInBackground(snapshot: ArchiveSnapshot, path: string): Promise<void> {
  const w = startWorker();
  if (!w) return writeArchive(snapshot, path);
  return new Promise<void>((resolve, reject) => {
    const id = nextId++;
    jobs.set(id, { snapshot, path, resolve, reject });
    w.ref();
    w.postMessage({ id, snapshot, path });
  });
}

/** Whether writes go to a worker thread here (for tests and benchmarks). */
export function backgroundWritesUseWorker(): boolean {
  return startWorker() !== null;
}
