/**
 * Core events on a real Kafka broker (scripts/kafka/kafka): a consumer decodes them with our events.proto and sees
 * every environment state change of a full run in order, keyed as AliECS keys them; a broker that goes away and comes
 * back gets what was published meanwhile, and the core says when it cannot publish.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Kafka, logLevel } from 'kafkajs';
import type { Consumer } from 'kafkajs';
import { timeScale } from '../common/testing/time-scale.ts';
import { EventSchema } from '../gen/protos/events_pb.ts';
import type { Event } from '../gen/protos/events_pb.ts';
import { Control, ControlEnvironmentRequest_Optype as Op } from '../gen/protos/o2control_pb.ts';
import { startCore } from './core.ts';
import { waitForAgents } from './testing/agents.ts';
import { toWireEvent } from './event-convert.ts';
import { kafkaRoute } from './kafka-events.ts';
import type { RunningCore } from './core.ts';
import { startKafka } from './testing/kafka-broker.ts';
import type { KafkaBroker } from './testing/kafka-broker.ts';
import { waitUntil } from '../common/testing/wait.ts';

process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';

interface Received {
  readonly topic: string;
  readonly key: string;
  readonly event: Event;
}

let broker: KafkaBroker;
let root: string;

before(async () => {
  broker = await startKafka();
  root = mkdtempSync(join(tmpdir(), 'axle-kafka-events-'));
  const files: Record<string, string> = {
    'workflows/sleepers.yaml': `name: sleepers
roles:
  - name: worker
    task: { load: sleeper }
`,
    'tasks/sleeper.yaml': `name: sleeper
control: { mode: basic }
command:
  shell: true
  value: "exec ${process.execPath} -e 'setTimeout(() => {}, 300000)'"
`,
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, 'repo', rel, '..'), { recursive: true });
    writeFileSync(join(root, 'repo', rel), text);
  }
});

after(async () => {
  await broker.dispose();
  rmSync(root, { recursive: true, force: true });
});

async function consume(topics: readonly string[], into: Received[]): Promise<Consumer> {
  const kafka = new Kafka({ brokers: [broker.endpoint], logLevel: logLevel.NOTHING, retry: { retries: 20 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic })), waitForLeaders: true });
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `test-${process.pid}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      if (message.value === null) return;
      into.push({ topic, key: message.key?.toString() ?? '', event: fromBinary(EventSchema, message.value) });
      await Promise.resolve();
    },
  });
  return consumer;
}

function until(what: string, f: () => boolean, ms = 20_000): Promise<void> {
  return waitUntil(what, f, ms, 50);
}

function count(events: readonly Received[], topic: string): number {
  return events.filter((e) => e.topic === topic).length;
}

function envStates(received: readonly Received[], id: string): string[] {
  const states: string[] = [];
  for (const r of received) {
    if (r.event.Payload.case !== 'environmentEvent' || r.event.Payload.value.environmentId !== id) continue;
    const s = r.event.Payload.value.state;
    if (s !== '' && states.at(-1) !== s) states.push(s);
  }
  return states;
}

test('a full run: every environment state change arrives in order on aliecs.environment, keyed by environment', async () => {
  const received: Received[] = [];
  const local: Received[] = [];
  const consumer = await consume(
    ['aliecs.environment', 'aliecs.task', 'aliecs.run', 'aliecs.core'],
    received,
  );
  let core: RunningCore | undefined;
  try {
    core = await startCore({
      stateDir: join(root, 'state-run'),
      port: 0,
      localAgents: [{ host: 'localhost' }],
      kafkaEndpoints: [broker.endpoint],
    });
    await core.context.repos.add(join(root, 'repo'));
    await waitForAgents(core, 1);
    core.context.bus.subscribe((s) => {
      const event = toWireEvent(s);
      local.push({ ...kafkaRoute(event), key: kafkaRoute(event).key ?? '', event });
    });
    const c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
    const created = await c.newEnvironment({ workflowTemplate: 'sleepers', vars: {} });
    const id = created.environment?.id ?? '';
    await c.controlEnvironment({ id, type: Op.START_ACTIVITY });
    await c.controlEnvironment({ id, type: Op.STOP_ACTIVITY });
    await c.destroyEnvironment({ id });
    await until('DONE on aliecs.environment', () => envStates(received, id).includes('DONE'));
    for (const topic of ['aliecs.environment', 'aliecs.task', 'aliecs.run'])
      await until(`every ${topic} event`, () => count(received, topic) >= count(local, topic));
    const sent = local.filter((e) => e.topic === 'aliecs.environment');
    assert.deepEqual(
      envStates(received, id),
      envStates(local, id),
      'the same state changes, in order, as the core emitted',
    );
    assert.deepEqual(envStates(received, id).slice(0, 5), [
      'STANDBY',
      'DEPLOYED',
      'CONFIGURED',
      'RUNNING',
      'CONFIGURED',
    ]);
    assert.equal(envStates(received, id).at(-1), 'DONE');
    assert.deepEqual(
      received.filter((r) => r.topic === 'aliecs.environment').map((r) => JSON.stringify(r.event.Payload)),
      sent.map((r) => JSON.stringify(r.event.Payload)),
      'every environment event arrives, in order, decoded as sent',
    );
    for (const r of received.filter((x) => x.topic === 'aliecs.environment')) assert.equal(r.key, id);
    const tasks = received.filter((r) => r.topic === 'aliecs.task');
    assert.ok(tasks.length > 0, 'task events are published');
    for (const r of tasks)
      assert.equal(r.key, r.event.Payload.case === 'taskEvent' ? r.event.Payload.value.taskid : '?');
    const runs = received.filter((r) => r.topic === 'aliecs.run' && r.key === id);
    assert.ok(runs.length > 0, 'run events are published');
    const start = received.find((r) => r.topic === 'aliecs.core');
    assert.equal(start?.event.Payload.case, 'coreStartEvent');
    assert.equal(core.kafka?.status().state, 'READY');
  } finally {
    await core?.stop();
    await consumer.disconnect();
  }
});

test('a broker that goes away and comes back gets the events published meanwhile; the core says it cannot publish', async () => {
  const received: Received[] = [];
  const consumer = await consume(['aliecs.environment'], received);
  const lines: string[] = [];
  let core: RunningCore | undefined;
  try {
    core = await startCore({
      stateDir: join(root, 'state-outage'),
      port: 0,
      localAgents: [{ host: 'localhost' }],
      kafkaEndpoints: [broker.endpoint],
      log: (line) => lines.push(line),
    });
    await core.context.repos.add(join(root, 'repo'));
    await waitForAgents(core, 1);
    const c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
    const first = (await c.newEnvironment({ workflowTemplate: 'sleepers', vars: {} })).environment?.id ?? '';
    await until('the first environment on Kafka', () => envStates(received, first).includes('CONFIGURED'));
    await consumer.disconnect();

    await broker.stop();
    const t0 = Date.now();
    const second = (await c.newEnvironment({ workflowTemplate: 'sleepers', vars: {} })).environment?.id ?? '';
    await c.controlEnvironment({ id: second, type: Op.START_ACTIVITY });
    assert.ok(Date.now() - t0 < 10_000 * timeScale(), 'transitions do not wait for the broker');
    await until(
      'the core to notice the broker is gone',
      () => core?.kafka?.status().state === 'TRANSIENT_FAILURE',
    );
    assert.ok((core.kafka?.status().queued ?? 0) > 0, 'events are kept while the broker is away');
    assert.ok(
      lines.some((l) => l.includes('cannot publish events') && l.includes(broker.endpoint)),
      `the core logs that it cannot publish: ${lines.join(' | ')}`,
    );

    await broker.start();
    await until(
      'the queue to drain after the broker came back',
      () => core?.kafka?.status().queued === 0,
      60_000,
    );
    assert.equal(core.kafka?.status().state, 'READY');
    const again: Received[] = [];
    const reader = await consume(['aliecs.environment'], again);
    try {
      await until(
        'the second environment RUNNING on Kafka',
        () => envStates(again, second).includes('RUNNING'),
        30_000,
      );
      assert.deepEqual(envStates(again, second).slice(0, 4), [
        'STANDBY',
        'DEPLOYED',
        'CONFIGURED',
        'RUNNING',
      ]);
    } finally {
      await reader.disconnect();
    }
    assert.ok(lines.some((l) => l.includes('publishing events') && l.includes('again')));
    await c.destroyEnvironment({ id: first });
    await c.destroyEnvironment({ id: second, allowInRunningState: true });
  } finally {
    await core?.stop();
    await consumer.disconnect().catch(() => undefined);
  }
});
