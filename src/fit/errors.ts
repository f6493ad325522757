/**
 * Makes whatever was thrown an Error with a message and a stack. tslab prints a failed cell's error with
 * `console.error` and sends no error name or value in its reply (nbclient then reports `<Error>: ` with nothing
 * after it), so the printed message and stack are all a user gets: a thrown string, a plain object, or an Error
 * whose message is empty would leave them with nothing to go on.
 */
export function withMessage(thrown: unknown, where: string): Error {
  if (thrown instanceof Error) {
    if (thrown.message.trim() !== "") return thrown;
    const error = new Error(`${where} failed with ${thrown.name || "an Error"} that has no message`, { cause: thrown });
    if (thrown.stack) error.stack = `${error.name}: ${error.message}\n${thrown.stack.split("\n").slice(1).join("\n")}`;
    return error;
  }
  return new Error(`${where} failed: ${describe(thrown)}`, { cause: thrown });
}

function describe(value: unknown): string {
  if (typeof value === "string") return value || "(an empty string was thrown)";
  if (value && typeof value === "object" && typeof (value as { message?: unknown }).message === "string") {
    return (value as { message: string }).message || "(an object with an empty message was thrown)";
  }
  try {
    return `${typeof value} ${JSON.stringify(value)}`;
  } catch {
    return String(value);
  }
}
