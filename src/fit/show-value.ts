/** A value as an error message shows it: strings quoted, short objects as JSON, tensors by shape. */
export function showValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object" && value !== null) {
    const shape = (value as { shape?: unknown }).shape;
    if (Array.isArray(shape) && typeof (value as { dtype?: unknown }).dtype === "string") return `a tensor of shape [${shape.join(", ")}]`;
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      // cyclic: fall through to the keys
    }
    return json !== undefined && json.length <= 80 ? json : `an object with keys ${Object.keys(value).join(", ")}`;
  }
  return String(value);
}
