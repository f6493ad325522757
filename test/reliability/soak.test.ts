// CI's share of the soak (npm run soak runs 1,000 epochs): a few hundred epochs of a tiny model with every callback;
// after the warm-up, tensors and open file handles constant, RSS bounded, event files exactly what the epochs wrote.
import assert from "node:assert/strict";
import { it } from "node:test";
import { runSoak, summary } from "../../scripts/soak.js";

const EPOCHS = Number(process.env.SOAK_EPOCHS ?? 200);

it(`soak: ${EPOCHS} epochs with every callback leak nothing`, async (t) => {
  const result = await runSoak({ epochs: EPOCHS });
  t.diagnostic(summary(result));
  assert.deepEqual(result.failures, []);
  assert.equal(result.samples.length, EPOCHS);
});
