import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Liveness, LoopStallMeter } from './liveness.ts';

test("silence is the core's clock minus its own stalls, never less than zero", () => {
  const l = new Liveness(1_000);
  assert.equal(l.silence(2_000), 1_000);
  l.credit(5_000, 7_000);
  assert.equal(l.silence(7_000), 1_000, 'the second before the 5 s stall still counts, the stall does not');
  l.credit(9_000, 8_000);
  assert.equal(l.silence(8_000), 0, 'a credit never moves the last sign of life past now');
  l.heard(8_500);
  l.credit(4_000, 13_000);
  assert.equal(l.silence(13_000), 500);
});

test("a heartbeat read late (by the agent's send time) extends the allowance by that lateness", () => {
  const l = new Liveness(0);
  l.heard(1_010, { sentAt: 1_000, sequence: 1n });
  l.heard(2_010, { sentAt: 2_000, sequence: 2n });
  assert.equal(l.silence(5_010), 3_000);
  l.heard(6_010, { sentAt: 3_000, sequence: 3n });
  assert.equal(l.silence(9_010), 0, 'read 3 s late: the core is behind on this agent, not the agent silent');
  assert.equal(l.sequence, 3n);
});

test('the stall meter reports a blocked event loop as a late tick', async () => {
  const stalls: number[] = [];
  const meter = new LoopStallMeter(50, (stall) => stalls.push(stall));
  try {
    await new Promise((r) => setTimeout(r, 120));
    const end = Date.now() + 400;
    while (Date.now() < end) {
      // Blocked.
    }
    await new Promise((r) => setTimeout(r, 120));
    assert.ok(
      stalls.some((s) => s >= 300),
      `ticks late by ${stalls.join(', ')} ms`,
    );
    assert.ok(meter.stalledMs >= 300);
  } finally {
    meter.stop();
  }
});
