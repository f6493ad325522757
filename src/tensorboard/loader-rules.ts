// What TensorBoard's two loaders serve from one run's events (its files read in name order, as both read them),
// following their public source, so tests can check a restarted run the way each loader shows it:
// - "rust", the data server (`tensorboard/data/server`, used by default): every new point of a tag removes that
//   tag's points at the same or later steps (reservoir preemption); `SessionLog` and `file_version` are ignored.
// - "python", `--load_fast=false` (`plugin_event_accumulator.py`): once a `file_version` ≥ 2 has been read, a
//   `SessionLog` START removes every tag's points at steps ≥ its step, except the run's first START (taken as the
//   session's start); before any such `file_version`, a summary whose step is below the previous summary's step
//   removes its own tags' points at steps ≥ it. Points are otherwise served in arrival order, duplicates included;
//   images and graphs (blob sequences) keep the first point per step, sorted by step.
// Reservoir sampling (TensorBoard keeps at most ~1000 scalars, 500 histograms, 10 images per tag) is not applied.
import type { DecodedEvent, SummaryRecord } from "./reader.js";

export type TensorBoardLoader = "rust" | "python";

const SESSION_START = 1;
const BLOB_SEQUENCE_KINDS = new Set<SummaryRecord["kind"]>(["image", "graph"]);

/** The records a loader serves for one run, grouped by tag (tags in order of first appearance). */
export function servedRecords(events: DecodedEvent[], loader: TensorBoardLoader): SummaryRecord[] {
  const byTag = loader === "rust" ? rustView(events) : pythonView(events);
  return [...byTag.values()].flat();
}

function rustView(events: DecodedEvent[]): Map<string, SummaryRecord[]> {
  const byTag = new Map<string, SummaryRecord[]>();
  for (const ev of events) {
    for (const r of ev.records) {
      const points = byTag.get(r.tag) ?? [];
      while (points.length > 0 && points[points.length - 1].step >= r.step) points.pop();
      points.push(r);
      byTag.set(r.tag, points);
    }
  }
  return byTag;
}

function pythonView(events: DecodedEvent[]): Map<string, SummaryRecord[]> {
  const byTag = new Map<string, SummaryRecord[]>();
  const keepBelow = (tag: string, step: number) => {
    const points = byTag.get(tag);
    if (points) byTag.set(tag, points.filter((p) => p.step < step));
  };
  let fileVersion: number | undefined;
  let seenSessionStart = false;
  let mostRecentStep = -1;
  for (const ev of events) {
    if (ev.fileVersion !== undefined) fileVersion = parseFileVersion(ev.fileVersion);
    if (fileVersion && fileVersion >= 2) {
      if (ev.sessionLog === SESSION_START) {
        if (!seenSessionStart) seenSessionStart = true;
        else for (const tag of byTag.keys()) keepBelow(tag, ev.step);
      }
    } else if (ev.summary && ev.step < mostRecentStep) {
      for (const r of ev.records) keepBelow(r.tag, ev.step);
    }
    if (ev.summary) mostRecentStep = ev.step;
    for (const r of ev.records) {
      const points = byTag.get(r.tag) ?? [];
      points.push(r);
      byTag.set(r.tag, points);
    }
  }
  for (const [tag, points] of byTag) {
    if (points.length === 0 || !BLOB_SEQUENCE_KINDS.has(points[0].kind)) continue;
    const firstPerStep = new Map<number, SummaryRecord>();
    for (const p of points) if (!firstPerStep.has(p.step)) firstPerStep.set(p.step, p);
    byTag.set(tag, [...firstPerStep.values()].sort((a, b) => a.step - b.step));
  }
  return byTag;
}

/** TensorBoard's reading of "brain.Event:<n>": the number after the prefix, or -1 when it is not one. */
function parseFileVersion(version: string): number {
  const tail = version.split("brain.Event:").pop() ?? "";
  return /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(tail) ? Number(tail) : -1;
}
