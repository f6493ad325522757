// Independent decode: Debian's protoc, with the project's own .proto files, reads every kind of record the writer
// produces. Skipped with a reason when protoc is absent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { scanRecords } from "../../src/tensorboard/record.js";
import { ProtoMessage } from "../../src/tensorboard/proto-reader.js";
import { SummaryWriter } from "../../src/tensorboard/writer.js";
import { tempDir } from "./helpers.js";
import { protocDecode, protocDecodeRaw, protocMissing, structProtoMissing } from "./protoc.js";

const missing = protocMissing();

function writtenRecords(fill: (w: SummaryWriter) => void): Uint8Array[] {
  const w = new SummaryWriter(tempDir());
  fill(w);
  w.close();
  return scanRecords(new Uint8Array(readFileSync(w.file))).records.map((r) => r.data);
}

const decodeEvent = (data: Uint8Array) => protocDecode("tensorboard.Event", "event.proto", data);

/** The plugin content bytes of an event's first summary value (Event.summary.value[0].metadata.plugin_data.content). */
function pluginContent(data: Uint8Array): Uint8Array {
  return new ProtoMessage(data).message(5)!.message(1)!.message(9)!.message(1)!.bytes(2);
}

test("protoc: scalars are rank-0 DT_FLOAT tensors with plugin scalars and no data_class", { skip: missing }, () => {
  const [first, scalar] = writtenRecords((w) => w.scalar("epoch_loss", 1.5, 7));
  assert.match(decodeEvent(first), /file_version: "brain.Event:2"/);
  const text = decodeEvent(scalar);
  assert.match(text, /step: 7/);
  assert.match(text, /tag: "epoch_loss"/);
  assert.match(text, /dtype: DT_FLOAT\s+tensor_shape \{\s+\}\s+float_val: 1.5/);
  assert.match(text, /plugin_name: "scalars"/);
  assert.doesNotMatch(text, /data_class/);
  // no field protoc does not know about
  assert.doesNotMatch(protocDecodeRaw(scalar), /^\s*(1[1-9]|[2-9]\d):/m);
});

test("protoc: purgeStep is two session_log START events at that step, right after file_version", { skip: missing }, () => {
  const w = new SummaryWriter(tempDir(), { purgeStep: 5 });
  w.scalar("epoch_loss", 1, 5);
  w.close();
  const texts = scanRecords(new Uint8Array(readFileSync(w.file))).records.map((r) => decodeEvent(r.data));
  assert.match(texts[0], /file_version: "brain.Event:2"/);
  for (const t of texts.slice(1, 3)) assert.match(t, /^wall_time: [\d.e+]+\nstep: 5\nsession_log \{\n  status: START\n\}\n$/);
  assert.match(texts[3], /tag: "epoch_loss"/);
  assert.equal(texts.length, 4);
});

test("protoc: histograms are DT_DOUBLE [30, 3] tensors", { skip: missing }, () => {
  const [, rec] = writtenRecords((w) => w.histogram("d/kernel/histogram", [1, 2, 3], 0));
  const text = decodeEvent(rec);
  assert.match(text, /dtype: DT_DOUBLE\s+tensor_shape \{\s+dim \{\s+size: 30\s+\}\s+dim \{\s+size: 3\s+\}\s+\}/);
  assert.match(text, /plugin_name: "histograms"/);
  const content = /tensor_content: "(.*)"/.exec(text);
  assert.ok(content, "tensor_content present");
});

test("protoc: images are DT_STRING [k+2] with width and height first", { skip: missing }, () => {
  const [, rec] = writtenRecords((w) =>
    w.image("w/image", [{ width: 5, height: 2, channels: 1, pixels: new Uint8Array(10) }, { width: 5, height: 2, channels: 1, pixels: new Uint8Array(10).fill(255) }], 1),
  );
  const text = decodeEvent(rec);
  assert.match(text, /dtype: DT_STRING\s+tensor_shape \{\s+dim \{\s+size: 4\s+\}\s+\}\s+string_val: "5"\s+string_val: "2"\s+string_val: "\\211PNG/);
  assert.match(text, /plugin_name: "images"/);
});

test("protoc: text and the keras graph are rank-0 DT_STRING; the graph has content \"1\"", { skip: missing }, () => {
  const [, text, graph] = writtenRecords((w) => {
    w.text("notes", "# Title", 0);
    w.kerasGraph({ class_name: "Functional" });
  });
  assert.match(decodeEvent(text), /dtype: DT_STRING\s+tensor_shape \{\s+\}\s+string_val: "# Title"[\s\S]*plugin_name: "text"/);
  const g = decodeEvent(graph);
  assert.match(g, /tag: "keras"/);
  assert.match(g, /plugin_name: "graph_keras_model"\s+content: "1"/);
  assert.match(g, /string_val: "\{\\"class_name\\":\\"Functional\\"\}"/);
});

test("protoc: hparams carry the null tensor and decode as HParamsPluginData", { skip: structProtoMissing() }, () => {
  const [, exp, start, end] = writtenRecords((w) => {
    w.hparamsExperiment([{ name: "lr", min: 0.001, max: 0.1 }, { name: "opt", values: ["adam", "sgd"] }], [{ tag: "epoch_loss", group: "validation" }]);
    w.hparamsSessionStart({ lr: 0.01, opt: "adam", bn: true }, { groupName: "trial-1" });
    w.hparamsSessionEnd("failure");
  });
  assert.match(decodeEvent(start), /dtype: DT_FLOAT\s+tensor_shape \{\s+dim \{\s+\}\s+\}/);
  const dec = (r: Uint8Array) => protocDecode("tensorboard.hparams.HParamsPluginData", "hparams.proto", pluginContent(r));
  const s = dec(start);
  assert.match(s, /key: "bn"\s+value \{\s+bool_value: true/);
  assert.match(s, /key: "lr"\s+value \{\s+number_value: 0.01/);
  assert.match(s, /key: "opt"\s+value \{\s+string_value: "adam"/);
  assert.match(s, /group_name: "trial-1"/);
  assert.doesNotMatch(s, /version/);
  assert.match(dec(end), /session_end_info \{\s+status: STATUS_FAILURE\s+end_time_secs: \d+/);
  const e = dec(exp);
  assert.match(e, /name: "lr"\s+type: DATA_TYPE_FLOAT64\s+domain_interval \{\s+min_value: 0.001\s+max_value: 0.1/);
  assert.match(e, /name: "opt"\s+type: DATA_TYPE_STRING\s+domain_discrete \{\s+values \{\s+string_value: "adam"/);
  assert.match(e, /group: "validation"\s+tag: "epoch_loss"\s+\}\s+dataset_type: DATASET_VALIDATION/);
});
