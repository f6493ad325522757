// Shared checks of callback options: every bad option is refused up front with its name and what is allowed.
import { showValue } from "../fit/show-value.js";

/** Refuses keys a callback does not know (a typo such as `patients: 3` would otherwise be silently ignored). */
export function checkOptionKeys(owner: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(`${owner}: unknown option "${key}"; the options are ${known.join(", ")}`);
    }
  }
}

/** The options argument itself: undefined (all defaults) or a plain object. */
export function checkOptionsObject<T extends object>(owner: string, options: T | undefined, example: string): T {
  if (options === undefined) return {} as T;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`${owner}: options must be an object such as ${example}, got ${showValue(options)}`);
  }
  return options;
}

export function checkBoolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new TypeError(`${name} must be true or false, got ${showValue(value)}`);
  return value;
}

/** Keras's `verbose` of a callback: 0 (silent) or 1 (print what it does). */
export function checkVerbose(name: string, value: unknown): number {
  if (value === undefined) return 0;
  if (value !== 0 && value !== 1 && value !== 2) throw new RangeError(`${name} must be 0 (silent) or 1 (print), got ${showValue(value)}`);
  return value;
}
