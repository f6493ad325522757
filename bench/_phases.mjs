import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { makeMlp, setBackend, median } from "./common.mjs";
import { kerasArchiveSnapshot } from "../dist/io/keras/save.js";
import { archiveBytes } from "../dist/io/keras/archive.js";
import { writeH5 } from "../dist/io/keras/h5.js";
import { buildZip, DOS_EPOCH } from "../dist/io/keras/zip.js";
import { writeFileAtomic } from "../dist/io/atomic.js";
import { mkdtempSync } from "node:fs"; import { tmpdir } from "node:os"; import { join } from "node:path";
await setBackend();
const model = makeMlp();
await model.trainOnBatch(tf.zeros([2, 784]), tf.zeros([2,1]));
const dir = mkdtempSync(join(tmpdir(), "ph-"));
const t = { snap: [], h5: [], zip: [], write: [] };
for (let i = 0; i < 12; i++) {
  let t0 = performance.now();
  const s = await kerasArchiveSnapshot(model, { onWarning() {} });
  t.snap.push(performance.now() - t0); t0 = performance.now();
  const w = await writeH5(s.weights);
  t.h5.push(performance.now() - t0); t0 = performance.now();
  const enc = new TextEncoder();
  const z = buildZip([{ name: "metadata.json", data: enc.encode(s.metadataJson), mtime: DOS_EPOCH() },{ name: "config.json", data: enc.encode(s.configJson), mtime: DOS_EPOCH() },{ name: "model.weights.h5", data: w, mtime: s.savedAt }]);
  t.zip.push(performance.now() - t0); t0 = performance.now();
  await writeFileAtomic(join(dir, "m.keras"), z);
  t.write.push(performance.now() - t0);
}
for (const [k, v] of Object.entries(t)) console.log(k, median(v.slice(2)).toFixed(1));
