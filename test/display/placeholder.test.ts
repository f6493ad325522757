// The live chart's first display carries a placeholder PNG drawn without resvg (the message's coverage is drawn by
// resvg ahead of time, scripts/placeholder-text.mjs): it must look like resvg's own drawing of the same box and text.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { test } from "node:test";
import { placeholderPng, svgToPng } from "../../src/display/render.js";
import { PLACEHOLDER_TEXT } from "../../src/display/placeholder-text.js";

/** Width, height and RGB bytes of a PNG with one IDAT run and filter 0 on every row (both encoders here write that). */
function decode(png: Uint8Array): { width: number; height: number; rgb: Uint8Array } {
  const b = Buffer.from(png);
  let off = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (off < b.length) {
    const len = b.readUInt32BE(off);
    const type = b.subarray(off + 4, off + 8).toString("latin1");
    const data = b.subarray(off + 8, off + 8 + len);
    if (type === "IHDR") [width, height, channels] = [data.readUInt32BE(0), data.readUInt32BE(4), { 2: 3, 6: 4 }[data[9]]!];
    if (type === "IDAT") idat.push(data);
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (width * channels + 1)], 0, "filter 0");
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) rgb[(y * width + x) * 3 + c] = raw[y * (width * channels + 1) + 1 + x * channels + c];
    }
  }
  return { width, height, rgb };
}

const FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

test("the placeholder PNG matches resvg's drawing of the same box and message, pixel for pixel within rounding", async (t) => {
  if (!existsSync(FONT)) return t.skip(`${FONT} missing: the reference drawing needs the font the message was drawn with`);
  for (const [w, h] of [[480, 500], [480, 270], [700, 500]]) {
    const mine = placeholderPng(w, h);
    assert.deepEqual([mine.width, mine.height], [w, h], "logical size");
    const esc = PLACEHOLDER_TEXT.message;
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">` +
      `<rect x="0.5" y="0.5" width="${w - 1}" height="${h - 1}" fill="#fafafa" stroke="#dddddd"/>` +
      `<text x="${w / 2}" y="${h / 2}" text-anchor="middle" font-family="sans-serif" font-size="13" fill="#777777">${esc}</text></svg>`;
    const a = decode(mine.png);
    const b = decode((await svgToPng(svg)).png);
    assert.deepEqual([a.width, a.height], [b.width, b.height], "2× pixels");
    let off = 0;
    let worst = 0;
    for (let i = 0; i < a.rgb.length; i++) {
      const d = Math.abs(a.rgb[i] - b.rgb[i]);
      worst = Math.max(worst, d);
      if (d > 3) off++;
    }
    assert.ok(off === 0, `${w}x${h}: ${off} channel values differ by more than 3 (worst ${worst})`);
    // And the message is really there: dark pixels in the middle row band.
    const mid = (Math.round(b.height / 2) - 8) * b.width * 3;
    assert.ok(a.rgb.subarray(mid, mid + b.width * 3).some((v) => v < 0xc0), "text drawn");
  }
});

test("the placeholder is drawn once per size and reused", () => {
  assert.equal(placeholderPng(300, 200), placeholderPng(300, 200));
  assert.notEqual(placeholderPng(300, 200), placeholderPng(300, 201));
});
