/**
 * Keras's `to_snake_case`: strip non-word characters, put `_` before capitalised words and between a lower-case
 * letter and a capital, then lower-case. `Conv2D → conv2d`, `SimpleRNN → simple_rnn`.
 */
export function toSnakeCase(name: string): string {
  const cleaned = name.replace(/\W+/g, "");
  const split = cleaned.replace(/(.)([A-Z][a-z]+)/g, "$1_$2");
  return split.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}

/**
 * HDF5 group keys Keras gives a model's layers: the snake-cased class name, suffixed `_1`, `_2`, … for later layers
 * of the same class, in `model.layers` order. Layer names play no part (Keras calls them unreproducible).
 */
export function layerKeys(classNames: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return classNames.map((cls) => {
    const base = toSnakeCase(cls);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  });
}
