// The reader also understands what other writers produce: TF1/tfjs-node/tensorboardX `simple_value` scalars,
// legacy HistogramProto histograms, Summary.Image, and tensors of other plugins.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readEventFile } from "../../src/tensorboard/reader.js";
import { ProtoWriter } from "../../src/tensorboard/proto-writer.js";
import { DataType, encodeEvent } from "../../src/tensorboard/messages.js";
import { frameRecord } from "../../src/tensorboard/record.js";
import { tempDir } from "./helpers.js";

test("simple_value scalars (including 0), legacy histograms and images, other plugins' tensors", () => {
  const histo = new ProtoWriter().double(1, -1).double(2, 3).double(3, 4).packedDoubles(6, [0, 1, 3]).packedDoubles(7, [1, 2, 1]);
  const image = new ProtoWriter().varint(1, 2).varint(2, 5).varint(3, 1).bytes(4, Uint8Array.from([1, 2, 3]));
  // Legacy oneof members are not part of SummaryValueSpec: build those Summary.Values by hand.
  const value = (tag: string, field: number, body: ProtoWriter) => new ProtoWriter().string(1, tag).message(field, body);
  const legacy = new ProtoWriter().double(1, 2).varint(2, 4).message(5, new ProtoWriter().message(1, value("h", 5, histo)).message(1, value("img", 4, image)));
  const events = [
    encodeEvent({ wallTime: 1, fileVersion: "brain.Event:2" }),
    encodeEvent({ wallTime: 1, step: 1, summary: [{ tag: "legacy", simpleValue: 0, pluginName: "" }] }),
    encodeEvent({ wallTime: 1, step: 2, summary: [{ tag: "legacy", simpleValue: 2.5, pluginName: "" }] }),
    legacy.finish(),
    encodeEvent({
      wallTime: 3,
      step: 5,
      summary: [{ tag: "pr/pr_curves", tensor: { dtype: DataType.DT_FLOAT, shape: [6, 2], floatVal: [0.5] }, pluginName: "pr_curves" }],
    }),
  ];
  const file = join(tempDir(), "events.out.tfevents.1.legacy");
  writeFileSync(file, Buffer.concat(events.map(frameRecord)));

  const recs = readEventFile(file).records;
  assert.deepEqual(recs.filter((r) => r.tag === "legacy").map((r) => [r.kind, r.step, r.value]), [["scalar", 1, 0], ["scalar", 2, 2.5]]);
  const h = recs.find((r) => r.tag === "h")!;
  assert.equal(h.kind, "histogram");
  assert.deepEqual(h.value, [{ left: -1, right: 0, count: 1 }, { left: 0, right: 1, count: 2 }, { left: 1, right: 3, count: 1 }]);
  const img = recs.find((r) => r.tag === "img")!;
  assert.deepEqual(img.kind === "image" && [img.value.width, img.value.height, [...img.value.images[0]]], [5, 2, [1, 2, 3]]);
  const pr = recs.find((r) => r.tag === "pr/pr_curves")!;
  assert.equal(pr.kind, "tensor");
  if (pr.kind === "tensor") {
    assert.deepEqual(pr.value.shape, [6, 2]);
    assert.equal(pr.value.values.length, 12, "one float_val fills the whole shape");
  }
});

test("an undecodable record is reported like a checksum error, with its offset", () => {
  const garbage = Uint8Array.from([0x0a, 0x05, 0x01]); // a length-delimited field running past the end
  const good = encodeEvent({ wallTime: 1, fileVersion: "brain.Event:2" });
  const file = join(tempDir(), "events.out.tfevents.2.bad");
  writeFileSync(file, Buffer.concat([frameRecord(good), frameRecord(garbage)]));
  const c = readEventFile(file, { onCorrupt: "stop" });
  assert.equal(c.corruption?.offset, 12 + good.length + 4);
  assert.match(c.corruption!.reason, /undecodable event/);
  assert.throws(() => readEventFile(file), /undecodable event .* at byte offset/);
});
