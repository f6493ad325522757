/** What a model path asks for, by its ending: the one place that reads extensions. */
export type ModelPathKind = "keras" | "weights-h5" | "legacy-h5" | "folder";

export function modelPathKind(path: string): ModelPathKind {
  const lower = path.toLowerCase();
  if (lower.endsWith(".keras")) return "keras";
  if (lower.endsWith(".weights.h5")) return "weights-h5";
  if (lower.endsWith(".h5")) return "legacy-h5";
  return "folder";
}
