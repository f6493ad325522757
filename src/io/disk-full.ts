/**
 * A full disk (or quota) while training: the write that failed is skipped, what was on disk before stays intact
 * (every save is written beside its target and renamed into place), and the user is told once, with the path.
 * Any other write error still stops `fit`.
 */
export function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOSPC" || code === "EDQUOT";
}

/** Warns once per fit about writes that failed for lack of space, and once more when writing works again. */
export class DiskFullNotice {
  private failing = false;
  private warned = false;

  constructor(private readonly owner: string) {}

  /** Call at the start of each fit: a new fit warns again. */
  reset(): void {
    this.failing = false;
    this.warned = false;
  }

  /** Reports a failed write of `path`; `consequence` says what happens now, e.g. "the next epoch tries again". */
  failed(path: string, error: unknown, consequence: string): void {
    this.failing = true;
    if (this.warned) return;
    this.warned = true;
    const code = (error as NodeJS.ErrnoException).code;
    console.warn(`${this.owner}: could not write ${path}: no space left on the device (${code}). ${consequence}`);
  }

  /** Reports a write that worked after failures. */
  succeeded(path: string): void {
    if (!this.failing) return;
    this.failing = false;
    console.warn(`${this.owner}: writing works again (${path})`);
  }
}
