// Resizing and CenterCrop as Keras 3 computes them (issue 15): tslab-fit's KerasResizing and KerasCenterCrop against a
// plain-JS reference written from the half-pixel formulas (out pixel i samples the input at (i + 0.5)·in/out − 0.5,
// bilinear between the two neighbours, clamped at the borders; nearest takes floor((i + 0.5)·in/out)), with Keras's
// crop/pad box arithmetic; a model built in TypeScript saves to .keras with Keras's config keys, reloads and predicts
// the same; gradients reach the input (the adjoint identity) and a model with the layer trains on the best backend;
// what cannot be reproduced is refused, naming the layer, class, reason and what to do.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { useBestBackend } from "../../src/backend.js";
import { fit } from "../../src/fit/fit.js";
import { kerasArchiveBytes, loadKeras, readKerasArchive, saveKeras } from "../../src/io/keras/index.js";
import { readZip } from "../../src/io/keras/zip.js";
import { KerasCenterCrop, KerasResizing, kerasCenterCrop, kerasResizing } from "../../src/layers/index.js";

const quiet = { onWarning: () => {} };
let dir: string;
let backend: string;
before(async () => {
  backend = await useBestBackend({ quiet: true });
  dir = mkdtempSync(path.join(os.tmpdir(), "tslab-fit-image-pre-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

// ---- the reference: plain arrays, channels_last images [h][w][c] ----

type Image = number[][][];

function sample1d(inSize: number, outSize: number, i: number, nearest: boolean): { i0: number; i1: number; t: number } {
  const scale = inSize / outSize;
  if (nearest) {
    const j = Math.min(Math.floor((i + 0.5) * scale), inSize - 1);
    return { i0: j, i1: j, t: 0 };
  }
  const s = (i + 0.5) * scale - 0.5;
  const f = Math.floor(s);
  const clamp = (k: number) => Math.min(Math.max(k, 0), inSize - 1);
  return { i0: clamp(f), i1: clamp(f + 1), t: s - f };
}

function refResize(img: Image, outH: number, outW: number, nearest = false): Image {
  const [h, w, c] = [img.length, img[0].length, img[0][0].length];
  return Array.from({ length: outH }, (_, y) => {
    const sy = sample1d(h, outH, y, nearest);
    return Array.from({ length: outW }, (_, x) => {
      const sx = sample1d(w, outW, x, nearest);
      return Array.from({ length: c }, (_, k) => {
        const top = (1 - sx.t) * img[sy.i0][sx.i0][k] + sx.t * img[sy.i0][sx.i1][k];
        const bottom = (1 - sx.t) * img[sy.i1][sx.i0][k] + sx.t * img[sy.i1][sx.i1][k];
        return (1 - sy.t) * top + sy.t * bottom;
      });
    });
  });
}

const crop = (img: Image, top: number, left: number, h: number, w: number): Image => img.slice(top, top + h).map((row) => row.slice(left, left + w));

/** Keras's crop_to_aspect_ratio box, in integer arithmetic. */
function refAspectCrop(img: Image, th: number, tw: number): Image {
  const [h, w] = [img.length, img[0].length];
  const ch = Math.max(Math.min(h, Math.floor((w * th) / tw)), 1);
  const cw = Math.max(Math.min(w, Math.floor((h * tw) / th)), 1);
  return crop(img, Math.floor((h - ch) / 2), Math.floor((w - cw) / 2), ch, cw);
}

/** Keras's pad_to_aspect_ratio: the same number of fill rows (or columns) on both sides. */
function refAspectPad(img: Image, th: number, tw: number, fill: number): Image {
  const [h, w, c] = [img.length, img[0].length, img[0][0].length];
  const rows = Math.floor((Math.max(h, Math.floor((w * th) / tw)) - h) / 2);
  const cols = Math.floor((Math.max(w, Math.floor((h * tw) / th)) - w) / 2);
  const px = () => new Array(c).fill(fill);
  const padded = img.map((row) => [...Array.from({ length: cols }, px), ...row, ...Array.from({ length: cols }, px)]);
  const blank = () => Array.from({ length: w + 2 * cols }, px);
  return [...Array.from({ length: rows }, blank), ...padded, ...Array.from({ length: rows }, blank)];
}

/** Keras's CenterCrop: center pixels, or (when smaller than the target) aspect crop then bilinear resize. */
function refCenterCrop(img: Image, th: number, tw: number): Image {
  const [h, w] = [img.length, img[0].length];
  if (h >= th && w >= tw) return crop(img, Math.floor((h - th) / 2), Math.floor((w - tw) / 2), th, tw);
  return refResize(refAspectCrop(img, th, tw), th, tw);
}

const toChannelsFirst = (img: Image): number[][][] => img[0][0].map((_, k) => img.map((row) => row.map((p) => p[k])));
const toChannelsLast = (img: number[][][]): Image => img[0].map((row, y) => row.map((_, x) => img.map((plane) => plane[y][x])));

/** A batch of distinct, irregular pixel values (no symmetry that could hide an index error). */
function images(b: number, h: number, w: number, c: number): Image[] {
  return Array.from({ length: b }, (_, n) => Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => Array.from({ length: c }, (_, k) => Math.sin(1.3 * n + 0.7 * y * y + 1.1 * x + 2.3 * k) * 10 + y - x))));
}

function assertClose(actual: unknown, expected: unknown, label: string, tol = 1e-4): void {
  const a = (actual as number[]).flat(4) as number[];
  const e = (expected as number[]).flat(4) as number[];
  assert.equal(a.length, e.length, `${label}: size`);
  const worst = a.reduce((m, v, i) => Math.max(m, Math.abs(v - e[i])), 0);
  assert.ok(worst <= tol, `${label}: max |difference| ${worst} > ${tol}`);
}

function run(layer: tf.layers.Layer, batch: Image[], channelsFirst = false): number[][][][] {
  const x = tf.tensor(channelsFirst ? batch.map(toChannelsFirst) : batch);
  const y = layer.apply(x) as tf.Tensor;
  const out = y.arraySync() as number[][][][];
  tf.dispose([x, y]);
  return channelsFirst ? out.map(toChannelsLast) : out;
}

// ---- numerics ----

const RESIZE_CASES: { name: string; in: [number, number]; out: [number, number]; opts?: Record<string, unknown> }[] = [
  { name: "upsample 3×4 → 7×9", in: [3, 4], out: [7, 9] },
  { name: "downsample 9×7 → 4×3", in: [9, 7], out: [4, 3] },
  { name: "up one axis, down the other 5×12 → 8×5", in: [5, 12], out: [8, 5] },
  { name: "to a single pixel 6×5 → 1×1", in: [6, 5], out: [1, 1] },
  { name: "same size 4×6 → 4×6", in: [4, 6], out: [4, 6] },
  { name: "crop_to_aspect_ratio 6×10 → 4×4", in: [6, 10], out: [4, 4], opts: { cropToAspectRatio: true } },
  { name: "crop_to_aspect_ratio 11×5 → 3×6", in: [11, 5], out: [3, 6], opts: { cropToAspectRatio: true } },
  { name: "pad_to_aspect_ratio 4×10 → 6×6, fill 0.5", in: [4, 10], out: [6, 6], opts: { padToAspectRatio: true, fillValue: 0.5 } },
  { name: "pad_to_aspect_ratio 9×4 → 5×7", in: [9, 4], out: [5, 7], opts: { padToAspectRatio: true } },
];

function refFor(img: Image, out: [number, number], nearest: boolean, opts: Record<string, unknown> = {}): Image {
  let src = img;
  if (opts.cropToAspectRatio) src = refAspectCrop(img, out[0], out[1]);
  if (opts.padToAspectRatio) src = refAspectPad(img, out[0], out[1], (opts.fillValue as number) ?? 0);
  return refResize(src, out[0], out[1], nearest);
}

describe("KerasResizing equals the half-pixel reference", () => {
  it("on the cpu backend too (tfjs's cpu resize kernels, bilinear and nearest, every case)", async () => {
    await tf.setBackend("cpu");
    try {
      for (const interpolation of ["bilinear", "nearest"] as const) {
        for (const c of RESIZE_CASES) {
          const batch = images(2, c.in[0], c.in[1], 3);
          const layer = kerasResizing({ height: c.out[0], width: c.out[1], interpolation, ...c.opts });
          assertClose(run(layer, batch), batch.map((img) => refFor(img, c.out, interpolation === "nearest", c.opts)), `cpu ${interpolation} ${c.name}`);
        }
      }
    } finally {
      await tf.setBackend(backend);
    }
  });

  for (const interpolation of ["bilinear", "nearest"] as const) {
    for (const c of RESIZE_CASES) {
      for (const dataFormat of ["channelsLast", "channelsFirst"] as const) {
        it(`${interpolation}, ${c.name}, ${dataFormat} (best backend)`, () => {
          const batch = images(2, c.in[0], c.in[1], 3);
          const layer = kerasResizing({ height: c.out[0], width: c.out[1], interpolation, dataFormat, ...c.opts });
          const expected = batch.map((img) => refFor(img, c.out, interpolation === "nearest", c.opts));
          assertClose(run(layer, batch, dataFormat === "channelsFirst"), expected, `${backend}`);
        });
      }
    }
  }

  it("is not tfjs's corner-aligned resize (the reason tfjs's Resizing is refused on save)", () => {
    const batch = images(1, 3, 4, 1);
    const ours = run(kerasResizing({ height: 7, width: 9 }), batch);
    const x = tf.tensor4d(batch);
    const aligned = tf.image.resizeBilinear(x, [7, 9], true).arraySync();
    x.dispose();
    assertClose(ours, [refResize(batch[0], 7, 9)], "reference");
    const diff = Math.max(...(ours.flat(3) as number[]).map((v, i) => Math.abs(v - (aligned.flat(3) as number[])[i])));
    assert.ok(diff > 0.1, `aligned corners differ from half-pixel centers (max difference ${diff})`);
  });

  it("an int32 image is rounded back to int32, as Keras does", () => {
    const x = tf.tensor4d([[[[0], [10]], [[20], [31]]]], undefined, "int32");
    const y = kerasResizing({ height: 3, width: 3 }).apply(x) as tf.Tensor;
    assert.equal(y.dtype, "int32");
    // Keras rounds with tf.round: half to even (20.5 → 20, 10.5 → 10 here).
    const halfEven = (v: number) => (Math.abs(v - Math.trunc(v)) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v));
    const expected = refResize([[[0], [10]], [[20], [31]]], 3, 3).map((r) => r.map((p) => p.map(halfEven)));
    assert.ok((refResize([[[0], [10]], [[20], [31]]], 3, 3).flat(2) as number[]).some((v) => v % 1 === 0.5), "the case has .5 values");
    assert.deepEqual(y.arraySync(), [expected]);
    tf.dispose([x, y]);
  });

  it("bad arguments name the argument and what is allowed", () => {
    assert.throws(() => kerasResizing({ height: 4, width: 4, interpolation: "bicubic" as never }), /interpolation "bicubic" is not implemented \(only "bilinear" and "nearest"/);
    assert.throws(() => kerasResizing({ height: 0, width: 4 }), /height must be an integer ≥ 1/);
    assert.throws(() => kerasResizing({ height: 4, width: 4, cropToAspectRatio: true, padToAspectRatio: true }), /only one of cropToAspectRatio and padToAspectRatio/);
    assert.throws(() => kerasResizing({ height: 4, width: 4, dataFormat: "nchw" as never }), /dataFormat must be "channelsLast" or "channelsFirst"/);
  });
});

const CROP_CASES: { name: string; in: [number, number]; out: [number, number] }[] = [
  { name: "odd margins 9×8 → 4×5", in: [9, 8], out: [4, 5] },
  { name: "one pixel wider 5×6 → 5×5", in: [5, 6], out: [5, 5] },
  { name: "same size 4×4 → 4×4", in: [4, 4], out: [4, 4] },
  { name: "smaller on one axis 6×3 → 4×5 (crop to aspect, resize)", in: [6, 3], out: [4, 5] },
  { name: "smaller on both axes 3×4 → 6×6", in: [3, 4], out: [6, 6] },
];

describe("KerasCenterCrop equals Keras's center crop", () => {
  for (const c of CROP_CASES) {
    for (const dataFormat of ["channelsLast", "channelsFirst"] as const) {
      it(`${c.name}, ${dataFormat}`, () => {
        const batch = images(2, c.in[0], c.in[1], 2);
        const layer = kerasCenterCrop({ height: c.out[0], width: c.out[1], dataFormat });
        const out = run(layer, batch, dataFormat === "channelsFirst");
        const expected = batch.map((img) => refCenterCrop(img, c.out[0], c.out[1]));
        if (c.in[0] >= c.out[0] && c.in[1] >= c.out[1]) assert.deepEqual(out, expected.map((img) => img.map((r) => r.map((p) => p.map(Math.fround)))), "exact pixels");
        else assertClose(out, expected, backend);
      });
    }
  }

  it("tfjs's own CenterCrop returns other pixels (the reason it is refused on save)", () => {
    // 4×4 → 3×3: Keras starts at (0, 0); tfjs shifts the width by one when it differs by one.
    const batch = images(1, 4, 4, 1);
    const x = tf.tensor4d(batch);
    const theirs = (tf.layers.centerCrop({ height: 3, width: 3 }).apply(x) as tf.Tensor).arraySync();
    x.dispose();
    const ours = run(kerasCenterCrop({ height: 3, width: 3 }), batch);
    assert.deepEqual(ours, [crop(batch[0], 0, 0, 3, 3).map((r) => r.map((p) => p.map(Math.fround)))]);
    assert.notDeepEqual(theirs, ours);
  });
});

// ---- gradients and training ----

describe("gradients flow through KerasResizing and KerasCenterCrop", () => {
  const cases: [string, () => tf.layers.Layer, [number, number], (img: Image) => Image][] = [
    ["bilinear resize", () => kerasResizing({ height: 5, width: 7 }), [4, 3], (img) => refResize(img, 5, 7)],
    ["nearest resize down", () => kerasResizing({ height: 2, width: 3, interpolation: "nearest" }), [5, 7], (img) => refResize(img, 2, 3, true)],
    ["resize with crop", () => kerasResizing({ height: 3, width: 3, cropToAspectRatio: true }), [4, 6], (img) => refResize(refAspectCrop(img, 3, 3), 3, 3)],
    ["resize with pad", () => kerasResizing({ height: 4, width: 4, padToAspectRatio: true }), [6, 3], (img) => refResize(refAspectPad(img, 4, 4, 0), 4, 4)],
    ["center crop, smaller input", () => kerasCenterCrop({ height: 4, width: 4 }), [3, 5], (img) => refCenterCrop(img, 4, 4)],
    ["center crop, larger input", () => kerasCenterCrop({ height: 2, width: 3 }), [5, 6], (img) => refCenterCrop(img, 2, 3)],
  ];
  for (const [name, make, inShape, reference] of cases) {
    it(`${name}: <layer(x), g> = <x, ∇x <layer(x), g>> (the layer is linear)`, () => {
      const layer = make();
      const [img] = images(1, inShape[0], inShape[1], 2);
      const x = tf.tensor4d([img]);
      const outImg = reference(img);
      const g = tf.tensor4d([images(1, outImg.length, outImg[0].length, 2)[0].map((r) => r.map((p) => p.map((v) => Math.cos(v))))]);
      const grad = tf.grad((t: tf.Tensor) => (layer.apply(t) as tf.Tensor).mul(g).sum())(x);
      const lhs = (outImg.flat(2) as number[]).reduce((s, v, i) => s + v * (g.dataSync()[i]), 0);
      const rhs = tf.sum(x.mul(grad)).dataSync()[0];
      assert.ok(Math.abs(lhs - rhs) < 1e-3 * Math.max(1, Math.abs(lhs)), `${lhs} vs ${rhs}`);
      assert.ok(tf.any(grad.notEqual(0)).dataSync()[0], "some gradient is non-zero");
      tf.dispose([x, g, grad]);
    });
  }

  it(`a convnet with both layers trains with fit on the best backend`, async () => {
    const input = tf.input({ shape: [10, 12, 1] });
    const cropped = kerasCenterCrop({ height: 8, width: 8 }).apply(input) as tf.SymbolicTensor;
    const resized = kerasResizing({ height: 4, width: 4 }).apply(cropped) as tf.SymbolicTensor;
    const conv = tf.layers.conv2d({ filters: 2, kernelSize: 3, activation: "relu" }).apply(resized) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 1 }).apply(tf.layers.flatten().apply(conv)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    model.compile({ optimizer: tf.train.adam(0.05), loss: "meanSquaredError" });
    const x = tf.tensor4d(images(32, 10, 12, 1));
    const y = x.mean([1, 2, 3]).reshape([32, 1]);
    const history = await fit(model, x, y, { epochs: 8, batchSize: 8, verbose: 0 });
    const loss = history.history.loss as number[];
    assert.ok(loss[loss.length - 1] < loss[0], `loss fell on ${backend}: ${loss.map((l) => l.toFixed(3)).join(" → ")}`);
    tf.dispose([x, y]);
  });
});

// ---- .keras both ways ----

interface Entry { class_name: string; config: Record<string, unknown>; build_config?: { input_shape: unknown } }
const layersOf = (config: unknown) => (config as { config: { layers: Entry[] } }).config.layers;

describe("TypeScript → .keras → TypeScript: Keras's classes and keys, the same predictions", () => {
  function branchy(): tf.LayersModel {
    const input = tf.input({ shape: [9, 11, 3] });
    const a = kerasResizing({ height: 6, width: 6, name: "resize_bilinear" }).apply(input) as tf.SymbolicTensor;
    const b = kerasCenterCrop({ height: 6, width: 6, name: "crop" }).apply(input) as tf.SymbolicTensor;
    const c = kerasResizing({ height: 6, width: 6, interpolation: "nearest", cropToAspectRatio: true, name: "resize_nearest" }).apply(input) as tf.SymbolicTensor;
    const d = kerasResizing({ height: 6, width: 6, padToAspectRatio: true, fillValue: 1, name: "resize_pad" }).apply(input) as tf.SymbolicTensor;
    const merged = tf.layers.concatenate().apply([a, b, c, d]) as tf.SymbolicTensor;
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3 }).apply(merged) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2 }).apply(tf.layers.globalAveragePooling2d({}).apply(conv)) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: out });
  }

  it("a Functional model with branches through every variant", async () => {
    const model = branchy();
    const x = tf.tensor4d(images(3, 9, 11, 3));
    const expected = (model.predict(x) as tf.Tensor).arraySync();
    const file = path.join(dir, "branchy.keras");
    await saveKeras(model, file, quiet);
    const layers = layersOf((await readKerasArchive(file)).config);
    const byName = Object.fromEntries(layers.map((l) => [l.config.name, l]));
    // The key sets of keras/src/layers/preprocessing/{resizing,center_crop}.py get_config (Keras 3.3; `antialias` came
    // in 3.9 and is left out with its default, false).
    const base = ["name", "trainable", "dtype"];
    assert.equal(byName.resize_bilinear.class_name, "Resizing");
    assert.deepEqual(Object.keys(byName.resize_bilinear.config), [...base, "height", "width", "interpolation", "crop_to_aspect_ratio", "pad_to_aspect_ratio", "fill_mode", "fill_value", "data_format"]);
    assert.deepEqual(byName.resize_nearest.config, { ...byName.resize_nearest.config, height: 6, width: 6, interpolation: "nearest", crop_to_aspect_ratio: true, pad_to_aspect_ratio: false, fill_mode: "constant", fill_value: 0, data_format: "channels_last" });
    assert.equal(byName.resize_pad.config.pad_to_aspect_ratio, true);
    assert.equal(byName.crop.class_name, "CenterCrop");
    assert.deepEqual(Object.keys(byName.crop.config), [...base, "height", "width", "data_format"]);
    assert.deepEqual(byName.crop.build_config, { input_shape: [null, 9, 11, 3] });
    const text = new TextDecoder().decode(readZip(await kerasArchiveBytes(model, quiet)).get("config.json")!);
    assert.ok(text.includes('"fill_value": 0.0') && text.includes('"fill_value": 1.0'), "fill_value is written as a Python float");

    const back = await loadKeras(file, quiet);
    assert.deepEqual(back.layers.filter((l) => l.name.startsWith("resize") || l.name === "crop").map((l) => l.getClassName()).sort(), ["KerasCenterCrop", "KerasResizing", "KerasResizing", "KerasResizing"]);
    assert.deepEqual((back.predict(x) as tf.Tensor).arraySync(), expected);
    x.dispose();
  });

  it("channels_first round-trips as channels_first", async () => {
    const model = tf.sequential({
      layers: [
        kerasCenterCrop({ height: 5, width: 5, dataFormat: "channelsFirst", inputShape: [2, 7, 6] } as never),
        kerasResizing({ height: 3, width: 8, dataFormat: "channelsFirst" }),
      ],
    });
    const batch = images(2, 7, 6, 2);
    const x = tf.tensor(batch.map(toChannelsFirst));
    const expected = (model.predict(x) as tf.Tensor).arraySync() as number[][][][];
    assertClose(expected.map(toChannelsLast), batch.map((img) => refResize(refCenterCrop(img, 5, 5), 3, 8)), "against the reference");
    const file = path.join(dir, "nchw.keras");
    await saveKeras(model, file, quiet);
    const layers = layersOf((await readKerasArchive(file)).config);
    assert.deepEqual(layers.map((l) => [l.class_name, l.config.data_format]), [["InputLayer", undefined], ["CenterCrop", "channels_first"], ["Resizing", "channels_first"]]);
    const back = await loadKeras(file, quiet);
    assert.deepEqual((back.predict(x) as tf.Tensor).arraySync(), expected);
    x.dispose();
  });
});

describe("refusals name the layer, class, reason and what to do", () => {
  /** A saved file whose Resizing entry is edited as given. */
  async function edited(name: string, edit: (config: Record<string, unknown>) => void): Promise<string> {
    const good = path.join(dir, `${name}-src.keras`);
    await saveKeras(tf.sequential({ layers: [kerasResizing({ height: 2, width: 2, name: "rs", inputShape: [4, 4, 1] } as never)] }), good, quiet);
    const members = unzipSync(new Uint8Array(readFileSync(good)));
    const config = JSON.parse(strFromU8(members["config.json"]));
    edit(config.config.layers.find((l: Entry) => l.class_name === "Resizing").config);
    members["config.json"] = strToU8(JSON.stringify(config));
    const file = path.join(dir, `${name}.keras`);
    writeFileSync(file, zipSync(members));
    return file;
  }

  for (const method of ["bicubic", "lanczos3", "lanczos5", "area"]) {
    it(`loading Resizing(interpolation="${method}")`, async () => {
      const file = await edited(method, (c) => { c.interpolation = method; });
      await assert.rejects(loadKeras(file, quiet), new RegExp(`layer "rs" \\(Resizing\\) is not supported: interpolation "${method}" is not implemented: .*"bilinear" and "nearest" exactly.*\\. Use "bilinear" or "nearest" in Python`));
    });
  }

  it("loading Resizing(antialias=True)", async () => {
    const file = await edited("antialias", (c) => { c.antialias = true; });
    await assert.rejects(loadKeras(file, quiet), /layer "rs" \(Resizing\) is not supported: antialias=True is not implemented.*Set antialias=False in Python/);
  });

  it("a Keras 3.9+ file with antialias=False loads", async () => {
    const file = await edited("antialias-false", (c) => { c.antialias = false; });
    assert.equal((await loadKeras(file, quiet)).layers[0].getClassName(), "KerasResizing");
  });

  it("saving tfjs's own Resizing or CenterCrop points to the Keras-exact layers", async () => {
    const resizing = tf.sequential({ layers: [tf.layers.resizing({ height: 2, width: 2, inputShape: [4, 4, 1] } as never)] });
    await assert.rejects(saveKeras(resizing, path.join(dir, "tfjs-resizing.keras"), quiet), /layer "[^"]+" \(Resizing\).*aligns corners.*half-pixel centers.*kerasResizing/);
    const crop = tf.sequential({ layers: [tf.layers.centerCrop({ height: 2, width: 2, inputShape: [4, 4, 1] } as never)] });
    await assert.rejects(saveKeras(crop, path.join(dir, "tfjs-crop.keras"), quiet), /layer "[^"]+" \(CenterCrop\).*cropAndResize.*kerasCenterCrop/);
  });

  it("the layers are registered for tfjs's own (de)serialization", () => {
    const layer = kerasResizing({ height: 3, width: 2, interpolation: "nearest", padToAspectRatio: true, fillValue: 2 });
    const registered = tf.serialization.SerializationMap.getMap().classNameMap;
    const rebuild = (name: string, config: tf.serialization.ConfigDict) => {
      const [cls, fromConfig] = registered[name];
      return fromConfig(cls, config);
    };
    const copy = rebuild("KerasResizing", layer.getConfig()) as unknown as KerasResizing;
    assert.deepEqual([copy.height, copy.width, copy.interpolation, copy.padToAspectRatio, copy.fillValue], [3, 2, "nearest", true, 2]);
    const centerCrop = rebuild("KerasCenterCrop", kerasCenterCrop({ height: 3, width: 4 }).getConfig()) as unknown as KerasCenterCrop;
    assert.deepEqual([centerCrop.height, centerCrop.width], [3, 4]);
  });
});
