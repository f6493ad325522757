/**
 * Fills a Keras checkpoint path template: `{epoch:02d}-{val_loss:.2f}.keras` → `03-0.41.keras`. Supports the
 * part of Python's format mini-language that paths use: `{name}`, `{name:[0][width][.precision][d|f|e|g|%]}`,
 * and `{{` / `}}` for literal braces. A key missing from `values` throws, naming the key and what is available.
 */
export function formatPath(template: string, values: Record<string, number>): string {
  return template.replace(/\{\{|\}\}|\{([^{}:]+)(?::([^{}]*))?\}/g, (whole, key: string | undefined, spec: string | undefined) => {
    if (whole === "{{") return "{";
    if (whole === "}}") return "}";
    const name = key!.trim();
    if (!(name in values)) {
      throw new Error(
        `filepath: failed to format "${template}": the key "${name}" is not in the logs. Available keys: ${Object.keys(values).join(", ")}`,
      );
    }
    return formatNumber(values[name], spec ?? "", template);
  });
}

function formatNumber(value: number, spec: string, template: string): string {
  const m = /^(0)?(\d+)?(?:\.(\d+))?([dfeg%])?$/.exec(spec);
  if (!m) throw new Error(`filepath: unsupported format spec "{…:${spec}}" in "${template}"; use forms like 02d, .2f, .3e`);
  const [, zero, widthText, precisionText, type] = m;
  const precision = precisionText === undefined ? undefined : Number(precisionText);
  let text: string;
  switch (type) {
    case "d":
      text = String(Math.trunc(value));
      break;
    case "f":
      text = value.toFixed(precision ?? 6);
      break;
    case "e":
      text = value.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, "e$10$2");
      break;
    case "g":
      text = String(Number(value.toPrecision(precision || 6)));
      break;
    case "%":
      text = (value * 100).toFixed(precision ?? 6) + "%";
      break;
    default:
      text = precision === undefined ? String(value) : String(Number(value.toPrecision(precision || 1)));
  }
  const width = widthText === undefined ? 0 : Number(widthText);
  if (text.length >= width) return text;
  if (zero) {
    const sign = text.startsWith("-") ? "-" : "";
    return sign + text.slice(sign.length).padStart(width - sign.length, "0");
  }
  return text.padStart(width, " ");
}

/** The keys a template names, for checking them against the logs before training. */
export function templateKeys(template: string): string[] {
  return [...template.replace(/\{\{|\}\}/g, "").matchAll(/\{([^{}:]+)(?::[^{}]*)?\}/g)].map((m) => m[1].trim());
}

/**
 * Checks a template's syntax before training, so a typo fails at once rather than at the first save: braces must
 * pair up (`{{` / `}}` for literal ones) and every format spec must be one `formatPath` supports.
 */
export function checkTemplate(template: string): void {
  const stray = template.replace(/\{\{|\}\}/g, "").replace(/\{([^{}:]+)(?::([^{}]*))?\}/g, "");
  if (/[{}]/.test(stray)) {
    throw new RangeError(`filepath: unbalanced brace in "${template}"; placeholders look like {epoch:02d} or {val_loss:.2f}, and {{ }} write literal braces`);
  }
  const dummy = Object.fromEntries(templateKeys(template).map((k) => [k, 1]));
  try {
    formatPath(template, dummy);
  } catch (e) {
    throw new RangeError((e as Error).message);
  }
}
