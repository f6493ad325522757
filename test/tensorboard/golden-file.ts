// The golden event file: every summary kind, written with a fixed clock, host and pid so its bytes never change.
// `UPDATE_GOLDEN=1 node scripts/run-tests.mjs test/tensorboard/golden.test.ts` rewrites it (then check the protoc
// decode in golden/golden.txt by eye before committing).
import { SummaryWriter } from "../../src/tensorboard/writer.js";
import { fixedClock } from "./helpers.js";

// Not a real PNG: zlib's output may differ between Node versions, and the golden bytes must not.
export const FAKE_PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

export function writeGolden(dir: string): SummaryWriter {
  const clock = fixedClock(1700000000.0, 1700000000.5, 1700000001.0, 1700000001.5, 1700000002, 1700000002.5, 1700000003, 1700000003.5, 1700000004);
  const w = new SummaryWriter(dir, { now: clock, hostname: "golden", pid: 1234 });
  w.scalar("loss", 0.25, 3);
  w.histogram("dense/kernel/histogram", [-1, 0, 0.5, 1, 1], 0, 4);
  w.text("notes", "**hello** _markdown_", 0);
  w.image("dense/kernel/image", { width: 4, height: 3, data: FAKE_PNG }, 0);
  w.kerasGraph('{"class_name": "Sequential", "config": {"name": "seq"}}');
  w.hparamsSessionStart({ lr: 0.01, optimizer: "adam" }, { groupName: "run-0" });
  w.hparamsSessionEnd("success");
  w.close();
  return w;
}
