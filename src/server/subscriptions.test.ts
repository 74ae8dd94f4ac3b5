import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeScale } from '../common/testing/time-scale.ts';
import { EventBus } from '../environment/events.ts';
import { ALL_EVENTS, Subscriptions } from './subscriptions.ts';

function envEvent(bus: EventBus, environmentId: string, message: string): void {
  bus.publish({
    kind: 'environment',
    environmentId,
    state: 'STANDBY',
    runNumber: 0,
    message,
    transitionStatus: 'NULL',
  });
}

async function take(stream: AsyncIterable<unknown>, n: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const e of stream) {
    out.push(e);
    if (out.length === n) break;
  }
  return out;
}

test('id * streams the events of every environment, each subscriber its own copy', async () => {
  const bus = new EventBus();
  const subs = new Subscriptions(bus);
  const ac = new AbortController();
  const a = subs.stream(ALL_EVENTS, ac.signal);
  const b = subs.stream(ALL_EVENTS, ac.signal);
  envEvent(bus, 'env1', 'one');
  envEvent(bus, 'env2', 'two');
  const ids = (events: unknown[]): string[] =>
    events.map((e) => (e as { Payload: { value: { environmentId: string } } }).Payload.value.environmentId);
  assert.deepEqual(ids(await take(a, 2)), ['env1', 'env2']);
  assert.deepEqual(ids(await take(b, 2)), ['env1', 'env2']);
  ac.abort();
});

test('a * subscriber that leaves more than its backlog unread is cut off; the others go on', async () => {
  const bus = new EventBus();
  const subs = new Subscriptions(bus, 3);
  const ac = new AbortController();
  const slow = subs.stream(ALL_EVENTS, ac.signal);
  const fast = subs.stream(ALL_EVENTS, ac.signal);
  const fastSeen: unknown[] = [];
  const reading = (async () => {
    for await (const e of fast) {
      fastSeen.push(e);
      if (fastSeen.length === 6) break;
    }
  })();
  for (let i = 0; i < 6; i++) {
    envEvent(bus, 'env1', `m${i}`);
    await new Promise((r) => setImmediate(r));
  }
  await reading;
  const slowSeen: unknown[] = [];
  // Without the cut-off the slow stream would stay open: the time limit ends it with all 6 events.
  const limit = setTimeout(() => ac.abort(), 5000 * timeScale());
  for await (const e of slow) slowSeen.push(e);
  clearTimeout(limit);
  assert.equal(
    slowSeen.length,
    4,
    'the slow stream delivers its backlog (3 + the one over), then ends by itself',
  );
  assert.equal(fastSeen.length, 6, 'a subscriber that keeps up gets every event');
  ac.abort();
});
