import { existsSync } from "node:fs";

/** Sans-serif TTFs tried in order; the first family found is what resvg draws Vega's "sans-serif" text with. */
const CANDIDATES: { family: string; files: string[] }[] = [
  {
    family: "DejaVu Sans",
    files: ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"],
  },
  { family: "DejaVu Sans", files: ["/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"] },
  { family: "Liberation Sans", files: ["/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"] },
  { family: "Arial", files: ["/System/Library/Fonts/Supplemental/Arial.ttf", "/Library/Fonts/Arial.ttf"] },
  { family: "Arial", files: ["C:\\Windows\\Fonts\\arial.ttf", "C:\\Windows\\Fonts\\arialbd.ttf"] },
];

export interface FontChoice {
  family: string;
  /** Font files to load; empty means "scan the system fonts" (slower, used when no known file exists). */
  files: string[];
}

let chosen: FontChoice | undefined;

/** The font PNGs are drawn with: a known sans-serif file when one exists, else the system fonts. */
export function chartFont(): FontChoice {
  if (chosen) return chosen;
  for (const c of CANDIDATES) {
    const files = c.files.filter((f) => existsSync(f));
    if (files.length > 0) return (chosen = { family: c.family, files });
  }
  return (chosen = { family: "DejaVu Sans, Arial, Helvetica, Liberation Sans", files: [] });
}

/**
 * Approximate advance widths (em) of DejaVu Sans / Arial-like fonts. Without node-canvas Vega guesses 0.8 em per
 * character, which pads every label and legend far too much; this keeps the layout close to what gets drawn.
 */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const ch of text) {
    if (/[0-9]/.test(ch)) em += 0.64;
    else if (/[iljtf.,:;'|!I ]/.test(ch)) em += 0.32;
    else if (/[mwMW]/.test(ch)) em += 0.92;
    else if (/[A-Z]/.test(ch)) em += 0.7;
    else if (/[a-z]/.test(ch)) em += 0.6;
    else em += 0.65;
  }
  // Bold faces run about a tenth wider; without this a bold title longer than its chart is cut off in the PNG.
  return em * fontSize * (bold ? 1.1 : 1);
}
