import type { PendingWrite } from "./saver.js";

/** One save waiting for, or going through, its write. */
export interface WriteJob {
  path: string;
  write: PendingWrite;
  /** After the write: `undefined` when the file is complete at `path`, else the error. Must not throw. */
  settled(error: unknown): void;
  /** Superseded by a newer save to the same path before its write began: nothing was written. */
  dropped(): void;
}

/** Yields to the event loop: the next chunk runs when training next lets timers and I/O run. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Serialisation runs back to back for this long before training gets its turn back: about one training step of a
 * small model, so a write needs a few turns, not one per dataset.
 */
const SLICE_MS = 1;

/**
 * Runs snapshotted saves one at a time, in order, while the caller goes on (training). At most one write runs and
 * one waits: a newer save to the same path replaces the waiting one (its model is newer, and would overwrite it
 * anyway); a save to another path waits until the slot is free, so snapshots never pile up in memory. Each write
 * is atomic (see atomic.ts), so the file at a path is always its previous complete version or the new one.
 *
 * The pending work is file I/O and `setImmediate` turns, both of which keep Node's event loop alive: a script that
 * ends while a write is pending exits once it is complete. Only a crash or kill -9 can cut it off, and then the
 * previous file is intact.
 */
export class BackgroundWrites<J extends WriteJob = WriteJob> {
  private running: J | undefined;
  private runningDone: Promise<void> = Promise.resolve();
  private waiting: J | undefined;
  /** Set while someone waits for the writes (`flush`): nothing else needs the turns then, so the write runs through. */
  private draining = 0;

  /** `interleave`: serialise in small chunks between training steps; otherwise each write runs straight through. */
  constructor(private readonly interleave = true) {}

  /** The save whose write is in progress, if any. */
  get current(): J | undefined {
    return this.running;
  }

  /** Queues `job` to be written after the one in progress. */
  async add(job: J): Promise<void> {
    while (this.waiting && this.waiting.path !== job.path) await this.runningDone;
    this.waiting?.dropped();
    this.waiting = job;
    this.next();
  }

  /** Resolves once every write queued so far has finished (successfully or not). */
  async flush(): Promise<void> {
    this.draining += 1;
    try {
      while (this.running || this.waiting) await this.runningDone;
    } finally {
      this.draining -= 1;
    }
  }

  /** The write's `pause`: yields once a slice of work is done, unless the writes are being waited for. */
  private pacer(): () => Promise<void> {
    let sliceStart = performance.now();
    return async () => {
      if (this.draining > 0 || performance.now() - sliceStart < SLICE_MS) return;
      await nextTurn();
      sliceStart = performance.now();
    };
  }

  private next(): void {
    if (this.running || !this.waiting) return;
    const job = this.waiting;
    this.waiting = undefined;
    this.running = job;
    this.runningDone = job
      .write(this.interleave ? { pause: this.pacer() } : {})
      .then(
        () => job.settled(undefined),
        (error: unknown) => job.settled(error),
      )
      .finally(() => {
        this.running = undefined;
        this.next();
      });
  }
}
