// docs/keras.md's layer table is the one the code generates, and it covers every tfjs-layers layer class.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { kerasLayerTable, layerRows, tfjsLayerClasses } from "../../src/io/keras/layers/table.js";
import { documentedLayerTable } from "../../src/io/keras/layers/table-doc.js";
import { readerFor, writerFor } from "../../src/io/keras/layers/index.js";

const DOC = path.join(__dirname, "..", "..", "docs", "keras.md");

describe("docs/keras.md layer table", () => {
  it("matches the table generated from the layer registry (regenerate: node --import tsx scripts/keras-layer-table.mts --write)", () => {
    const documented = documentedLayerTable(readFileSync(DOC, "utf8"));
    assert.ok(documented !== undefined, "docs/keras.md has the table markers");
    assert.equal(documented, kerasLayerTable());
  });

  it("lists every tfjs-layers layer class, each either mapped both ways or refused with a reason", () => {
    const rows = layerRows();
    for (const cls of tfjsLayerClasses()) {
      const mine = rows.filter((r) => r.tfjs === cls);
      assert.ok(mine.length > 0, `${cls} has a row`);
      for (const r of mine) {
        assert.ok((r.read && r.write) || r.notes.length > 0 || (r.read && r.keras === "ReLU"), `${cls}: mapped both ways or explained`);
      }
    }
  });

  it("every class the issue names that tfjs has is supported both ways", () => {
    const named = [
      "Bidirectional", "TimeDistributed", "Conv2DTranspose", "Conv3D", "SeparableConv2D", "DepthwiseConv2D", "ConvLSTM2D",
      "PReLU", "ELU", "ReLU", "Softmax", "ThresholdedReLU", "Masking", "RepeatVector", "Permute", "Cropping2D",
      "GaussianNoise", "GaussianDropout", "AlphaDropout", "SpatialDropout1D", "Dot",
      // Not in tfjs-layers; tslab-fit registers its own tfjs layers under Keras's names.
      "Cropping1D", "ZeroPadding1D", "ZeroPadding3D", "UpSampling1D", "UpSampling3D", "SpatialDropout2D",
      "GlobalAveragePooling3D", "GlobalMaxPooling3D",
    ];
    for (const cls of named) {
      assert.ok(tfjsLayerClasses().includes(cls), `tfjs has ${cls}`);
      const w = writerFor(cls);
      assert.ok(w?.write, `${cls} saves`);
      assert.ok(readerFor(w.keras)?.read, `${cls} loads (as Keras ${w.keras})`);
    }
  });
});
