/**
 * Why training should stop from outside: an AbortSignal, or a kernel interrupt (SIGINT). tslab's own SIGINT
 * handler only rejects the running cell; the async training loop would go on into later cells. So while `fit`
 * runs we add a listener beside tslab's (never replacing it) and stop at the next batch boundary.
 */
export class StopRequest {
  reason: string | undefined;
  private readonly cleanups: Array<() => void> = [];

  constructor(options: { signal?: AbortSignal; stopOnInterrupt: boolean }) {
    const { signal } = options;
    if (signal) {
      if (signal.aborted) this.reason = "aborted";
      const onAbort = () => this.request("aborted");
      signal.addEventListener("abort", onAbort);
      this.cleanups.push(() => signal.removeEventListener("abort", onAbort));
    }
    if (options.stopOnInterrupt) {
      const onSigint = () => this.request("interrupted");
      process.on("SIGINT", onSigint);
      this.cleanups.push(() => process.removeListener("SIGINT", onSigint));
    }
  }

  get requested(): boolean {
    return this.reason !== undefined;
  }

  /** For a pass that cannot stop half-way with a meaningful result (evaluate, predict): the error it rejects with. */
  error(pass: string, done: number, steps: number | null): Error {
    const error = new Error(`${pass} ${this.reason} after ${done}${steps ? ` of ${steps}` : ""} batches`);
    error.name = "AbortError";
    return error;
  }

  private request(reason: string): void {
    if (this.reason === undefined) {
      this.reason = reason;
      console.log(`tslab-fit: ${reason} — stopping at the next batch boundary`);
    }
  }

  dispose(): void {
    for (const c of this.cleanups) c();
    this.cleanups.length = 0;
  }
}

let lastYield = Date.now();
/**
 * Lets timers, signals and I/O run. Awaiting tensor data only queues microtasks, so without this a long fit would
 * never notice a SIGINT. Cheap: yields at most every 25 ms.
 */
export async function yieldToEventLoop(force = false): Promise<void> {
  const now = Date.now();
  if (!force && now - lastYield < 25) return;
  lastYield = now;
  await new Promise<void>((resolve) => setImmediate(resolve));
}
