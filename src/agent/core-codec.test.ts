import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { CoreMessageSchema } from '../gen/axle/agent/v1/agent_pb.ts';
import type { LaunchSchema } from '../gen/axle/agent/v1/agent_pb.ts';
import { decodeCoreMessage, encodeHello } from './core-codec.ts';
import type { LaunchOp } from './types.ts';

function decodeLaunch(init: MessageInitShape<typeof LaunchSchema>): LaunchOp {
  const message = create(CoreMessageSchema, {
    kind: { case: 'command', value: { id: 'c1', op: { case: 'launch', value: init } } },
  });
  const input = decodeCoreMessage(message);
  if (input?.kind !== 'command' || input.command.op.kind !== 'launch')
    throw new Error('not a launch command');
  return input.command.op;
}

test('assigned control and TCP ports are decoded; 0 means none (the fields stay absent)', () => {
  const op = decodeLaunch({
    taskId: 't1',
    controlPort: 31012,
    binds: [
      { channel: 'out', addressing: 'tcp', port: 9012 },
      { channel: 'in', addressing: 'tcp' },
      { channel: 'data', addressing: 'ipc' },
    ],
  });
  assert.equal(op.controlPort, 31012);
  assert.deepEqual(op.binds, [
    { channel: 'out', addressing: 'tcp', target: '', port: 9012 },
    { channel: 'in', addressing: 'tcp', target: '' },
    { channel: 'data', addressing: 'ipc', target: '' },
  ]);
  const plain = decodeLaunch({ taskId: 't2', controlPort: 0 });
  assert.equal('controlPort' in plain, false);
});

test('Hello carries the scope (empty for agents that serve every environment)', () => {
  const identity = {
    host: 'flp003',
    agentId: 'a',
    cpu: 1,
    memoryMb: 2,
    attributes: {},
    version: 'v',
    pid: 7,
  };
  const scoped = encodeHello({ ...identity, scope: 'env42' }, []);
  assert.equal(scoped.kind.case === 'hello' ? scoped.kind.value.scope : undefined, 'env42');
  const open = encodeHello({ ...identity, scope: '' }, []);
  assert.equal(open.kind.case === 'hello' ? open.kind.value.scope : undefined, '');
});

test('a LaunchBatch becomes one batch of launch commands with ids <command id>.<index>; Hello lists the feature', () => {
  const message = create(CoreMessageSchema, {
    kind: {
      case: 'command',
      value: {
        id: 'b7',
        op: { case: 'launchBatch', value: { launches: [{ taskId: 'x' }, { taskId: 'y' }] } },
      },
    },
  });
  const input = decodeCoreMessage(message);
  assert.ok(input?.kind === 'batch');
  assert.deepEqual(
    input.commands.map((c) => [c.id, c.op.kind, c.op.kind === 'launch' ? c.op.taskId : '']),
    [
      ['b7.0', 'launch', 'x'],
      ['b7.1', 'launch', 'y'],
    ],
  );
  const identity = {
    host: 'h',
    agentId: 'a',
    cpu: 1,
    memoryMb: 2,
    attributes: {},
    version: 'v',
    scope: '',
    pid: 42,
  };
  const hello = encodeHello(identity, []);
  assert.ok(hello.kind.case === 'hello');
  assert.deepEqual(
    [hello.kind.value.features, hello.kind.value.pid],
    [['launch-batch', 'kill-batch', 'shared-arguments'], 42],
  );
});

test('a KillBatch becomes one batch of kill commands with ids <command id>.<index>', () => {
  const message = create(CoreMessageSchema, {
    kind: {
      case: 'command',
      value: { id: 'k3', op: { case: 'killBatch', value: { kills: [{ taskId: 'x' }, { taskId: 'y' }] } } },
    },
  });
  const input = decodeCoreMessage(message);
  assert.ok(input?.kind === 'batch');
  assert.deepEqual(
    input.commands.map((c) => [c.id, c.op.kind, c.op.kind === 'kill' ? c.op.taskId : '']),
    [
      ['k3.0', 'kill', 'x'],
      ['k3.1', 'kill', 'y'],
    ],
  );
});

test("a TransitionBatch's shared arguments reach every transition, a transition's own arguments over them", () => {
  const message = create(CoreMessageSchema, {
    kind: {
      case: 'command',
      value: {
        id: 's1',
        op: {
          case: 'transitionBatch',
          value: {
            sharedArguments: { runNumber: '7', cleanup: '0' },
            transitions: [
              { taskId: 'x', event: 'START' },
              { taskId: 'y', event: 'START', arguments: { cleanup: '1', extra: 'e' } },
            ],
          },
        },
      },
    },
  });
  const input = decodeCoreMessage(message);
  assert.ok(input?.kind === 'batch');
  assert.deepEqual(
    input.commands.map((c) => [c.id, c.op.kind === 'transition' ? c.op.arguments : {}]),
    [
      ['s1.0', { runNumber: '7', cleanup: '0' }],
      ['s1.1', { runNumber: '7', cleanup: '1', extra: 'e' }],
    ],
  );
});
