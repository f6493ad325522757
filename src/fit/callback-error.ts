/**
 * The error `fit` rejects with when a callback's hook throws: it names the callback and the hook, so that with
 * several callbacks in a notebook the user need not guess. The original error is kept as `cause`, and its stack is
 * appended to this one's.
 */
export class CallbackError extends Error {
  /** Class name of the callback that threw, e.g. "ModelCheckpoint" (or "callbacks[2]" for a plain object). */
  readonly callback: string;
  /** The hook that threw, e.g. "onEpochEnd". */
  readonly hook: string;

  constructor(callback: string, hook: string, cause: unknown) {
    const message = cause instanceof Error ? cause.message : String(cause);
    super(`${callback}.${hook} threw: ${message}`, { cause });
    this.name = "CallbackError";
    this.callback = callback;
    this.hook = hook;
    if (cause instanceof Error && cause.stack) this.stack = `${this.stack}\nCaused by: ${cause.stack}`;
  }
}
